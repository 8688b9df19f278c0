package messengertest

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger"
)

// verdict is how Graph answers a send: {0, 0} when it is accepted, otherwise the
// error's code and subcode.
type verdict struct{ Code, Subcode int }

var accepted = verdict{}

// TestJudgeStatesThePlatformRules states the window, tag and token rules of
// docs/platform.md (“The 24-hour window”, “Message tags”, “One-time notifications”,
// “Private replies”) as literal expectations, dates and lengths typed out here, and
// checks the fake's verdicts against them. The fake judges with policy.Check, the same
// code as the client's guard; this test never calls package policy, so a wrong
// default rule fails here instead of passing both the guard and the fake.
func TestJudgeStatesThePlatformRules(t *testing.T) {
	t.Parallel()
	type obj = map[string]any
	const (
		psid   = "1254459154682919"
		second = time.Second
		hour   = time.Hour
		day    = 24 * time.Hour
	)
	// The instants at which Meta changed the rules.
	var (
		legacyTagsEnd = time.Date(2020, 3, 4, 0, 0, 0, 0, time.UTC)  // 17 tags → 4; "24 + 1" ends
		updateTagsEnd = time.Date(2026, 4, 27, 0, 0, 0, 0, time.UTC) // CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE, ACCOUNT_UPDATE → 100
		today         = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	)
	var (
		outsideWindow = verdict{10, 2018278}
		invalidParam  = verdict{100, 0}
		newsOnly      = verdict{10, 2018065}
		alreadyReply  = verdict{10900, 0}
		lateReply     = verdict{100, 2018292}
	)
	toPSID := func(typ, tag string) func(string) obj {
		return func(string) obj {
			b := obj{"recipient": obj{"id": psid}, "messaging_type": typ, "message": obj{"text": "hello"}}
			if tag != "" {
				b["tag"] = tag
			}
			return b
		}
	}
	feedback := func(string) obj {
		return obj{"recipient": obj{"id": psid}, "messaging_type": "MESSAGE_TAG", "tag": "CUSTOMER_FEEDBACK",
			"message": obj{"attachment": obj{"type": "template", "payload": obj{
				"template_type": "customer_feedback", "title": "Rate us", "subtitle": "One question", "button_title": "Rate",
				"feedback_screens": []any{obj{"questions": []any{obj{"id": "q1", "type": "csat"}}}},
				"business_privacy": obj{"url": "https://example.com/privacy"}}}}}
	}
	toToken := func(token string) obj {
		return obj{"recipient": obj{"one_time_notif_token": token}, "message": obj{"text": "back in stock"}}
	}
	toComment := func(id string) obj {
		return obj{"recipient": obj{"comment_id": id}, "message": obj{"text": "thanks for your comment"}}
	}

	// One person acts at the instant "acted" (says, optin or comments); then each send
	// goes out at acted+after, in order, and Graph answers want.
	type send struct {
		after time.Duration
		want  verdict
	}
	tests := []struct {
		name  string
		acted time.Time
		act   string
		body  func(id string) obj
		sends []send
	}{
		// The standard window: 24 hours after the person's last message.
		{"RESPONSE just inside 24h", today, "says", toPSID("RESPONSE", ""), []send{{24*hour - second, accepted}}},
		{"RESPONSE just outside 24h", today, "says", toPSID("RESPONSE", ""), []send{{24*hour + second, outsideWindow}}},
		{"UPDATE just inside 24h", today, "says", toPSID("UPDATE", ""), []send{{24*hour - second, accepted}}},
		{"UPDATE just outside 24h", today, "says", toPSID("UPDATE", ""), []send{{24*hour + second, outsideWindow}}},
		// "24 + 1": one more message after the window, until 2020-03-04.
		{"24+1 before 2020-03-04", legacyTagsEnd.Add(-10 * day), "says", toPSID("UPDATE", ""),
			[]send{{25 * hour, accepted}, {26 * hour, outsideWindow}}},
		{"24+1 on 2020-03-04", legacyTagsEnd.Add(-25 * hour), "says", toPSID("UPDATE", ""), []send{{25 * hour, outsideWindow}}},

		// Tags still valid: HUMAN_AGENT and CUSTOMER_FEEDBACK, 7 days after the last message.
		{"HUMAN_AGENT inside 7 days", today, "says", toPSID("MESSAGE_TAG", "HUMAN_AGENT"), []send{{7*day - second, accepted}}},
		{"HUMAN_AGENT outside 7 days", today, "says", toPSID("MESSAGE_TAG", "HUMAN_AGENT"), []send{{7*day + second, outsideWindow}}},
		{"CUSTOMER_FEEDBACK inside 7 days", today, "says", feedback, []send{{7*day - second, accepted}}},
		{"CUSTOMER_FEEDBACK outside 7 days", today, "says", feedback, []send{{7*day + second, outsideWindow}}},
		// NON_PROMOTIONAL_SUBSCRIPTION: any Page before 2020-03-04, news Pages only after.
		{"NON_PROMOTIONAL_SUBSCRIPTION before 2020-03-04", legacyTagsEnd.Add(-10 * day), "says",
			toPSID("MESSAGE_TAG", "NON_PROMOTIONAL_SUBSCRIPTION"), []send{{10*day - second, accepted}}},
		{"NON_PROMOTIONAL_SUBSCRIPTION after 2020-03-04", legacyTagsEnd.Add(-10 * day), "says",
			toPSID("MESSAGE_TAG", "NON_PROMOTIONAL_SUBSCRIPTION"), []send{{10 * day, newsOnly}}},

		// The three update tags: any time in a conversation, until 2026-04-27.
		{"CONFIRMED_EVENT_UPDATE before 2026-04-27", updateTagsEnd.Add(-30 * day), "says",
			toPSID("MESSAGE_TAG", "CONFIRMED_EVENT_UPDATE"), []send{{30*day - second, accepted}}},
		{"CONFIRMED_EVENT_UPDATE from 2026-04-27", updateTagsEnd.Add(-30 * day), "says",
			toPSID("MESSAGE_TAG", "CONFIRMED_EVENT_UPDATE"), []send{{30 * day, invalidParam}}},
		{"POST_PURCHASE_UPDATE before 2026-04-27", updateTagsEnd.Add(-30 * day), "says",
			toPSID("MESSAGE_TAG", "POST_PURCHASE_UPDATE"), []send{{30*day - second, accepted}}},
		{"POST_PURCHASE_UPDATE from 2026-04-27", updateTagsEnd.Add(-30 * day), "says",
			toPSID("MESSAGE_TAG", "POST_PURCHASE_UPDATE"), []send{{30 * day, invalidParam}}},
		{"ACCOUNT_UPDATE before 2026-04-27", updateTagsEnd.Add(-30 * day), "says",
			toPSID("MESSAGE_TAG", "ACCOUNT_UPDATE"), []send{{30*day - second, accepted}}},
		{"ACCOUNT_UPDATE from 2026-04-27", updateTagsEnd.Add(-30 * day), "says",
			toPSID("MESSAGE_TAG", "ACCOUNT_UPDATE"), []send{{30 * day, invalidParam}}},
		// A legacy tag retired on 2020-03-04.
		{"SHIPPING_UPDATE before 2020-03-04", legacyTagsEnd.Add(-10 * day), "says",
			toPSID("MESSAGE_TAG", "SHIPPING_UPDATE"), []send{{10*day - second, accepted}}},
		{"SHIPPING_UPDATE from 2020-03-04", legacyTagsEnd.Add(-10 * day), "says",
			toPSID("MESSAGE_TAG", "SHIPPING_UPDATE"), []send{{10 * day, invalidParam}}},

		// One-time notification token: one message, within a year of the opt-in.
		{"one-time token used once", today, "optin", toToken, []send{{hour, accepted}, {2 * hour, invalidParam}}},
		{"one-time token within a year", today, "optin", toToken, []send{{364 * day, accepted}}},
		{"one-time token after a year", today, "optin", toToken, []send{{366 * day, invalidParam}}},

		// Private reply to a comment: one message, within 7 days of the comment.
		{"private reply once", today, "comments", toComment, []send{{hour, accepted}, {2 * hour, alreadyReply}}},
		{"private reply inside 7 days", today, "comments", toComment, []send{{7*day - second, accepted}}},
		{"private reply outside 7 days", today, "comments", toComment, []send{{7*day + second, lateReply}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := NewServer(t, WithNow(tt.acted))
			u := srv.User(psid)
			var id string
			var err error
			switch tt.act {
			case "says":
				_, err = u.Says("hi")
			case "optin":
				id, err = u.OptsIn("restock")
			case "comments":
				id, err = u.Comments("nice hat")
			default:
				t.Fatalf("unknown act %q", tt.act)
			}
			if err != nil {
				t.Fatal(err)
			}
			c := srv.Client(messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1}))
			for i, s := range tt.sends {
				srv.SetNow(tt.acted.Add(s.after))
				err := c.Do(context.Background(), http.MethodPost, "me/messages", tt.body(id), nil)
				if diff := cmp.Diff(s.want, verdictOf(t, err)); diff != "" {
					t.Errorf("send %d at %s (-want +got):\n%s", i+1, srv.Now().Format(time.RFC3339), diff)
				}
			}
		})
	}
}

// verdictOf reads Graph's answer to a send from the client's error.
func verdictOf(t *testing.T, err error) verdict {
	t.Helper()
	if err == nil {
		return accepted
	}
	var ge *messenger.GraphError
	if !errors.As(err, &ge) {
		t.Fatalf("send failed without a Graph error: %v", err)
	}
	return verdict{ge.Code, ge.Subcode}
}
