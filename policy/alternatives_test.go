package policy

import (
	"testing"
	"time"

	"github.com/gomessenger/messenger/tags"
	"github.com/google/go-cmp/cmp"
)

// option is the part of an Alternative the tests compare.
type option struct {
	Type      MessagingType
	Tag       tags.Tag
	Recipient RecipientKind
	Template  string
	Rule      string
	Until     time.Time
}

func optionsOf(as []Alternative) []option {
	var out []option
	for _, a := range as {
		out = append(out, option{a.Request.MessagingType, a.Request.Tag, a.Request.Recipient, a.Request.Template, a.Rule, a.Until})
	}
	return out
}

func TestAlternatives(t *testing.T) {
	t.Parallel()
	week := 7 * 24 * time.Hour
	last := T0.Add(-30 * time.Hour)
	tests := []struct {
		name string
		req  Request
		conv Conversation
		now  time.Time
		want []option
	}{
		{
			name: "outside the window with everything on offer",
			req:  Request{MessagingType: Response, HumanAgentApproved: true},
			conv: Conversation{LastUserMessage: last, CommentCreated: T0.Add(-time.Hour), TokenIssued: T0.Add(-40 * time.Hour)},
			now:  T0,
			want: []option{
				{Update, "", OTNToken, "", RuleOneTimeToken, day(2027, 4, 29).Add(20 * time.Hour)},
				{MessageTag, tags.HumanAgent, "", "", RuleHumanAgent, last.Add(week)},
				{Response, "", Comment, "", RulePrivateReply, T0.Add(week - time.Hour)},
				{Utility, "", "", UtilityTemplate, RuleUtility, NoDeadline},
				{MessageTag, tags.CustomerFeedback, "", CustomerFeedbackTemplate, RuleCustomerFeedback, last.Add(week)},
			},
		},
		{
			name: "a recurring token is offered as recurring, until the discontinuation",
			req:  Request{MessagingType: Update},
			conv: Conversation{LastUserMessage: day(2026, 1, 1), TokenKind: RecurringToken, TokenIssued: day(2026, 1, 1),
				TokenExpires: day(2026, 7, 1)},
			now:  day(2026, 2, 1),
			want: []option{{Update, "", RecurringToken, "", RuleRecurringToken, day(2026, 2, 10)}},
		},
		{
			name: "in an exempt region the recurring token runs to its expiry",
			req:  Request{MessagingType: Update, RecurringExemptRegion: true},
			conv: Conversation{LastUserMessage: day(2026, 1, 1), TokenFrequency: 24 * time.Hour, TokenIssued: day(2026, 1, 1),
				TokenExpires: day(2026, 7, 1)},
			now: T0,
			want: []option{
				{Update, "", RecurringToken, "", RuleRecurringToken, day(2026, 7, 1)},
				{Utility, "", "", UtilityTemplate, RuleUtility, NoDeadline},
			},
		},
		{
			name: "a retired legacy tag offers its replacement",
			req:  tagged(tags.ShippingUpdate),
			conv: Conversation{LastUserMessage: day(2020, 1, 1)},
			now:  day(2021, 1, 1),
			want: []option{{MessageTag, tags.PostPurchaseUpdate, "", "", RuleUpdateTags, day(2026, 4, 27)}},
		},
		{
			name: "a promotional tag offers the window while it is open",
			req:  Request{MessagingType: MessageTag, Tag: tags.PostPurchaseUpdate, Promotional: true},
			conv: Conversation{LastUserMessage: day(2025, 1, 1)},
			now:  day(2025, 1, 1).Add(time.Hour),
			want: []option{{Response, "", "", "", RuleStandardWindow, day(2025, 1, 2)}},
		},
		{
			name: "a news Page refused a killed tag is offered the news tag",
			req:  Request{MessagingType: MessageTag, Tag: tags.ConfirmedEventUpdate, NewsPage: true},
			conv: Conversation{LastUserMessage: day(2025, 1, 1)},
			now:  T0,
			want: []option{
				{MessageTag, tags.NonPromotionalSubscription, "", "", RuleNewsMessaging, NoDeadline},
				{Utility, "", "", UtilityTemplate, RuleUtility, NoDeadline},
			},
		},
		{
			name: "a late private reply has nothing",
			req:  Request{Recipient: Comment},
			conv: Conversation{CommentCreated: T0.Add(-week)},
			now:  T0,
		},
		{
			name: "zero now has nothing",
			req:  Request{MessagingType: Response},
			conv: Conversation{TokenIssued: T0},
		},
		{
			name: "an unknown messaging type is offered the known ones",
			req:  Request{MessagingType: "PROMO"},
			conv: Conversation{LastUserMessage: T0.Add(-time.Hour)},
			now:  T0,
			want: []option{
				{Response, "", "", "", RuleStandardWindow, T0.Add(23 * time.Hour)},
				{Utility, "", "", UtilityTemplate, RuleUtility, NoDeadline},
				{MessageTag, tags.CustomerFeedback, "", CustomerFeedbackTemplate, RuleCustomerFeedback, T0.Add(7*24*time.Hour - time.Hour)},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := Check(tt.req, tt.conv, tt.now)
			if d.Allowed {
				t.Fatalf("Check allowed: %v", d)
			}
			if diff := cmp.Diff(tt.want, optionsOf(d.Alternatives)); diff != "" {
				t.Errorf("Alternatives (-want +got):\n%s", diff)
			}
			for _, a := range d.Alternatives {
				if a.Note == "" {
					t.Errorf("alternative %+v has no note", a)
				}
			}
		})
	}
}

func TestAlternativesForAllowedRequest(t *testing.T) {
	t.Parallel()
	conv := Conversation{LastUserMessage: T0.Add(-time.Hour)}
	d := Check(response, conv, T0)
	if !d.Allowed || d.Alternatives != nil {
		t.Fatalf("allowed decision with alternatives: %+v", d)
	}
	got := optionsOf(Default().Alternatives(response, conv, T0))
	want := []option{
		{Utility, "", "", UtilityTemplate, RuleUtility, NoDeadline},
		{MessageTag, tags.CustomerFeedback, "", CustomerFeedbackTemplate, RuleCustomerFeedback, T0.Add(7*24*time.Hour - time.Hour)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Alternatives (-want +got):\n%s", diff)
	}
	if got := (*Rules)(nil).Alternatives(response, Conversation{LastUserMessage: T0.Add(time.Hour)}, T0); got != nil {
		t.Errorf("Alternatives for a future last message = %v, want none", got)
	}
}
