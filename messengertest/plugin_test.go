package messengertest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/gomessenger/messenger"
	"github.com/google/go-cmp/cmp"
)

// parseHooks parses every webhook body the recorder kept into events.
func parseHooks(t *testing.T, bodies []string) []messenger.Event {
	t.Helper()
	var out []messenger.Event
	for _, b := range bodies {
		evs, err := messenger.ParseEvents([]byte(b))
		if err != nil {
			t.Fatalf("ParseEvents(%s): %v", b, err)
		}
		out = append(out, evs...)
	}
	return out
}

func TestArrivesFromChatPlugin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		guest bool
	}{{"logged in", false}, {"guest", true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hook := &hookRecorder{t: t, secret: DefaultAppSecret}
			srv := NewServer(t, WithNow(testNow), WithWebhook(hook))
			u := srv.User(testPSID)
			arrive := u.ArrivesFromChatPlugin
			if tt.guest {
				arrive = u.ArrivesFromChatPluginAsGuest
			}
			if err := arrive("cart-7", "https://shop.example/cart"); err != nil {
				t.Fatal(err)
			}
			ref := u.UserRef()
			if ref == "" {
				t.Fatal("UserRef is empty after a chat-plugin arrival")
			}
			evs := parseHooks(t, hook.got())
			if len(evs) != 1 {
				t.Fatalf("got %d events, want 1", len(evs))
			}
			ev, ok := evs[0].(*messenger.ReferralEvent)
			if !ok {
				t.Fatalf("event is %T, want *messenger.ReferralEvent", evs[0])
			}
			want := messenger.Referral{Ref: "cart-7", Source: "CUSTOMER_CHAT_PLUGIN", Type: "OPEN_THREAD", RefererURI: "https://shop.example/cart", IsGuestUser: tt.guest}
			if diff := cmp.Diff(want, ev.Referral); diff != "" {
				t.Errorf("referral (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(messenger.Party{UserRef: ref}, ev.Sender); diff != "" {
				t.Errorf("sender (-want +got):\n%s", diff)
			}
			// The arrival opened the window: the Page answers by user_ref.
			res, err := srv.Client().Send(context.Background(), messenger.SendRequest{To: messenger.UserRef(ref), Type: messenger.Response, Message: messenger.Text("Welcome!")})
			if err != nil {
				t.Fatalf("reply by user_ref: %v", err)
			}
			if res.RecipientID != "" || res.MessageID == "" {
				t.Errorf("response = %+v, want a mid and no recipient_id", res)
			}
		})
	}
}

func TestChatPluginReusesCheckboxUserRef(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithNow(testNow))
	u := srv.User(testPSID)
	if err := u.ChecksBox("cb-ref-1"); err != nil {
		t.Fatal(err)
	}
	if err := u.ArrivesFromChatPlugin("", "https://shop.example/"); err != nil {
		t.Fatal(err)
	}
	if got := u.UserRef(); got != "cb-ref-1" {
		t.Errorf("UserRef = %q, want the checkbox's cb-ref-1", got)
	}
}

func TestTapsIceBreaker(t *testing.T) {
	t.Parallel()
	hook := &hookRecorder{t: t, secret: DefaultAppSecret}
	srv := NewServer(t, WithNow(testNow), WithWebhook(hook))
	mid, err := srv.User(testPSID).TapsIceBreaker("Where is my order?", "ORDER_STATUS")
	if err != nil {
		t.Fatal(err)
	}
	evs := parseHooks(t, hook.got())
	if len(evs) != 1 {
		t.Fatalf("got %d events, want 1", len(evs))
	}
	ev, ok := evs[0].(*messenger.MessageEvent)
	if !ok {
		t.Fatalf("event is %T, want *messenger.MessageEvent", evs[0])
	}
	want := messenger.ReceivedMessage{MID: mid, Text: "Where is my order?", QuickReply: &messenger.QuickReplyPayload{Payload: "ORDER_STATUS"}}
	if diff := cmp.Diff(want, ev.Message); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	// A tap is a message: it opens the window for a person the Page never saw.
	if _, err := srv.Client().Send(context.Background(), messenger.SendRequest{To: messenger.PSID(testPSID), Type: messenger.Response, Message: messenger.Text("Let me check.")}); err != nil {
		t.Fatalf("reply after the tap: %v", err)
	}
}

func TestControlChatPluginAndIceBreaker(t *testing.T) {
	t.Parallel()
	hook := &hookRecorder{t: t, secret: DefaultAppSecret}
	srv := NewServer(t, WithNow(testNow), WithWebhook(hook))
	ctl := func(path, body string) (int, map[string]any) {
		t.Helper()
		status, out := rawCall(t, "POST", srv.URL+"/_fake/"+path, "application/json", body)
		var m map[string]any
		_ = json.Unmarshal([]byte(out), &m)
		return status, m
	}
	st, out := ctl("users/42/referral", `{"source":"CUSTOMER_CHAT_PLUGIN","ref":"r1","referer_uri":"https://shop.example/","guest":true}`)
	if st != 200 || out["user_ref"] != srv.User("42").UserRef() || out["user_ref"] == "" {
		t.Fatalf("chat-plugin referral: %d %v", st, out)
	}
	st, out = ctl("users/42/ice_breaker", `{"question":"Hours?","payload":"HOURS"}`)
	if st != 200 || out["mid"] == "" || out["mid"] == nil {
		t.Fatalf("ice_breaker: %d %v", st, out)
	}
	if st, out := ctl("users/42/ice_breaker", `{"payload":"HOURS"}`); st != 400 {
		t.Errorf("ice_breaker without question: %d %v, want 400", st, out)
	}
	if st, out := ctl("users/42/referral", `{"source":"NOPE"}`); st != 400 {
		t.Errorf("unknown source: %d %v, want 400", st, out)
	}
	evs := parseHooks(t, hook.got())
	if len(evs) != 2 {
		t.Fatalf("got %d events, want 2", len(evs))
	}
	if r, ok := evs[0].(*messenger.ReferralEvent); !ok || !r.Referral.IsGuestUser || r.Referral.Source != "CUSTOMER_CHAT_PLUGIN" {
		t.Errorf("first event = %#v, want a guest chat-plugin referral", evs[0])
	}
	if m, ok := evs[1].(*messenger.MessageEvent); !ok || m.Message.QuickReply == nil || m.Message.QuickReply.Payload != "HOURS" {
		t.Errorf("second event = %#v, want a message with quick_reply HOURS", evs[1])
	}
}
