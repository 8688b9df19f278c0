package policy

import (
	"slices"
	"testing"
	"time"

	"github.com/gomessenger/messenger/tags"
)

// documentedErrors are the Graph errors of docs/platform.md (“Errors”, “Private replies”,
// “One-time notifications”, “Recurring notifications”) that the
// default rules answer, with a short gloss of each.
var documentedErrors = map[[2]int]string{
	{10, 2018278}:  "This message is sent outside of allowed window (the classic 24 h error)",
	{10, 2534022}:  "This message is sent outside of allowed window",
	{10, 2018065}:  "outside allowed window; needs News Messaging permission",
	{10, 1893015}:  "User stopped notification messages for this topic",
	{10, 0}:        "No permission / Application does not have permission",
	{4, 2018354}:   "Marketing Messages: minimum delay between notifications",
	{100, 0}:       "Invalid parameter; killed tags since 2026-04-27; token invalid or expired",
	{100, 2018292}: "Invalid comment_id parameter",
	{100, 2534025}: "The comment is invalid for a private reply",
	{10900, 0}:     "Activity already replied to",
	{613, 2018338}: "bothersome/abusive tag usage",
	{200, 2018027}: "phone-number permission",
}

// TestRuleErrorsMatchReference refuses a request with every default rule, once per
// distinct error it can answer, and checks the error against the table of docs/platform.md, “Errors”.
func TestRuleErrorsMatchReference(t *testing.T) {
	t.Parallel()
	old := Conversation{LastUserMessage: day(2025, 1, 1)}
	tests := []struct {
		rule      string
		name      string
		req       Request
		conv      Conversation
		now       time.Time
		code, sub int
	}{
		{RuleMessagingTypeRequired, "omitted", Request{}, Conversation{LastUserMessage: T0}, T0, 100, 0},
		{RuleTagsNotPromotional, "promotional tag", Request{MessagingType: MessageTag, Tag: tags.HumanAgent, Promotional: true, HumanAgentApproved: true},
			Conversation{LastUserMessage: T0}, T0, 613, 2018338},
		{RuleLegacyTagsRetired, "legacy tag", tagged(tags.TicketUpdate), old, T0, 100, 0},
		{RuleTags2026Retired, "killed tag", tagged(tags.AccountUpdate), old, T0, 100, 0},
		{RuleRecurringDiscontinued, "recurring after 2026-02-10", Request{MessagingType: Update, Recipient: RecurringToken},
			Conversation{TokenIssued: day(2026, 1, 1), TokenExpires: day(2026, 12, 1)}, T0, 100, 0},
		{RulePrivateReplyTextOnly, "template in 2019", Request{Recipient: Comment, Template: "generic"},
			Conversation{CommentCreated: day(2019, 1, 1)}, day(2019, 1, 2), 100, 0},
		{RuleStandardWindow, "outside 24h", response, old, T0, 10, 2018278},
		{RuleAdWindow, "ad window, first in a host order", response, Conversation{AdReferral: T0.Add(-100 * time.Hour)}, T0, 10, 2018278},
		{Rule24Plus1, "second message after the window, first in a host order", response,
			Conversation{LastUserMessage: day(2019, 1, 1), MessagesAfterWindow: 1}, day(2019, 2, 1), 10, 2018278},
		{RuleHumanAgent, "not approved", tagged(tags.HumanAgent), Conversation{LastUserMessage: T0}, T0, 10, 0},
		{RuleHumanAgent, "after 7 days", Request{MessagingType: MessageTag, Tag: tags.HumanAgent, HumanAgentApproved: true}, old, T0, 10, 2018278},
		{RuleCustomerFeedback, "wrong template", tagged(tags.CustomerFeedback), Conversation{LastUserMessage: T0}, T0, 100, 0},
		{RuleCustomerFeedback, "after 7 days", Request{MessagingType: MessageTag, Tag: tags.CustomerFeedback, Template: CustomerFeedbackTemplate},
			old, T0, 10, 2018278},
		{RuleLegacyTags, "no conversation", tagged(tags.GameEvent), Conversation{}, day(2019, 1, 1), 10, 2018278},
		{RuleAccountUpdate, "no conversation", tagged(tags.AccountUpdate), Conversation{}, day(2021, 1, 1), 10, 2018278},
		{RuleUpdateTags, "no conversation", tagged(tags.PostPurchaseUpdate), Conversation{}, day(2021, 1, 1), 10, 2018278},
		{RuleSubscription, "no conversation", tagged(tags.NonPromotionalSubscription), Conversation{}, day(2019, 1, 1), 10, 2018278},
		{RuleNewsMessaging, "not a news Page", tagged(tags.NonPromotionalSubscription), old, T0, 10, 2018065},
		{RuleNewsMessaging, "no conversation", Request{MessagingType: MessageTag, Tag: tags.NonPromotionalSubscription, NewsPage: true},
			Conversation{}, T0, 10, 2018278},
		{RuleOneTimeToken, "used", Request{Recipient: OTNToken}, Conversation{TokenIssued: T0, TokenUsed: true}, T0, 100, 0},
		{RuleOneTimeToken, "a year old", Request{Recipient: OTNToken}, Conversation{TokenIssued: day(2025, 1, 1)}, T0, 100, 0},
		{RuleRecurringToken, "stopped", Request{Recipient: RecurringToken, RecurringExemptRegion: true},
			Conversation{TokenIssued: day(2026, 1, 1), TokenExpires: day(2026, 12, 1), TokenStopped: true}, T0, 10, 1893015},
		{RuleRecurringToken, "too soon", Request{Recipient: RecurringToken, RecurringExemptRegion: true},
			Conversation{TokenIssued: day(2026, 1, 1), TokenExpires: day(2026, 12, 1), TokenFrequency: 24 * time.Hour, TokenLastUsed: T0}, T0, 4, 2018354},
		{RuleRecurringToken, "expired", Request{Recipient: RecurringToken, RecurringExemptRegion: true},
			Conversation{TokenIssued: day(2026, 1, 1), TokenExpires: day(2026, 2, 1)}, T0, 100, 0},
		{RulePrivateReply, "already replied", Request{Recipient: Post}, Conversation{CommentCreated: T0, PrivateReplySent: true}, T0, 10900, 0},
		{RulePrivateReply, "after 7 days", Request{Recipient: Comment}, Conversation{CommentCreated: day(2026, 4, 1)}, T0, 100, 2018292},
		{RuleUtility, "not a utility template", Request{MessagingType: Utility}, old, T0, 100, 0},
		{RuleUtility, "no conversation", Request{MessagingType: Utility, Template: UtilityTemplate}, Conversation{}, T0, 10, 2018278},
		{RulePhone, "not approved", Request{MessagingType: Update, Recipient: Phone}, Conversation{}, T0, 200, 2018027},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			msg, ok := documentedErrors[[2]int{tt.code, tt.sub}]
			if !ok {
				t.Fatalf("expected error %d/%d is not in docs/platform.md, “Errors”", tt.code, tt.sub)
			}
			rules := Default()
			// Rules that only decide when they are first: put them first.
			if tt.rule == RuleAdWindow || tt.rule == Rule24Plus1 {
				if err := rules.Remove(RuleStandardWindow); err != nil {
					t.Fatal(err)
				}
				if tt.rule == Rule24Plus1 {
					if err := rules.Remove(RuleAdWindow); err != nil {
						t.Fatal(err)
					}
				}
			}
			d := rules.Check(tt.req, tt.conv, tt.now)
			if d.Allowed || d.Rule != tt.rule || d.ErrorCode != tt.code || d.ErrorSubcode != tt.sub {
				t.Errorf("got %v (%d/%d), want refused by %s with %d/%d (%s)", d, d.ErrorCode, d.ErrorSubcode, tt.rule, tt.code, tt.sub, msg)
			}
		})
		covered[tt.rule] = true
	}
	for _, r := range Default().List() {
		if !covered[r.ID] {
			t.Errorf("rule %s has no error test", r.ID)
		}
		if _, ok := documentedErrors[[2]int{r.ErrorCode, r.ErrorSubcode}]; !ok {
			t.Errorf("rule %s answers %d/%d, not in docs/platform.md, “Errors”", r.ID, r.ErrorCode, r.ErrorSubcode)
		}
		for i, c := range r.Conditions {
			if _, ok := documentedErrors[[2]int{c.ErrorCode, c.ErrorSubcode}]; c.ErrorCode != 0 && !ok {
				t.Errorf("rule %s condition %d answers %d/%d, not in docs/platform.md, “Errors”", r.ID, i, c.ErrorCode, c.ErrorSubcode)
			}
		}
	}
}

func TestDefaultRulesAreDocumented(t *testing.T) {
	t.Parallel()
	for _, r := range Default().List() {
		if r.Summary == "" || r.Source == "" || r.Confidence == "" {
			t.Errorf("rule %s lacks a summary, source or confidence: %+v", r.ID, r)
		}
		switch r.Confidence {
		case tags.Confirmed, tags.Library, tags.ThirdParty, tags.Unconfirmed:
		default:
			t.Errorf("rule %s confidence %q", r.ID, r.Confidence)
		}
		for _, d := range []time.Time{r.From, r.Until} {
			if !d.IsZero() && (d.Location() != time.UTC || !d.Equal(d.Truncate(24*time.Hour))) {
				t.Errorf("rule %s date %v is not midnight UTC", r.ID, d)
			}
		}
	}
}

// The rules and the tag catalogue describe the same dates.
func TestRulesAgreeWithCatalogue(t *testing.T) {
	t.Parallel()
	var legacy []tags.Tag
	for _, info := range tags.All() {
		if info.Legacy {
			legacy = append(legacy, info.Tag)
			if !info.ValidUntil.Equal(policy2020) {
				t.Errorf("%s retires on %v in the catalogue, %v in the rules", info.Tag, info.ValidUntil, policy2020)
			}
		}
	}
	slices.Sort(legacy)
	r, _ := Default().Rule(RuleLegacyTagsRetired)
	if got := slices.Sorted(slices.Values(r.Match.Tags)); !slices.Equal(got, legacy) {
		t.Errorf("retired legacy tags: rules %v, catalogue %v", got, legacy)
	}
	r, _ = Default().Rule(RuleTags2026Retired)
	for _, tag := range r.Match.Tags {
		if info, _ := tags.Lookup(tag); !info.ValidUntil.Equal(r.From) {
			t.Errorf("%s retires on %v in the catalogue, %v in the rules", tag, info.ValidUntil, r.From)
		}
	}
	for _, id := range []string{RuleHumanAgent, RuleUpdateTags} {
		r, _ := Default().Rule(id)
		for _, tag := range r.Match.Tags {
			if info, _ := tags.Lookup(tag); !info.ValidFrom.Equal(r.From) {
				t.Errorf("%s valid from %v in the catalogue, %v in rule %s", tag, info.ValidFrom, r.From, id)
			}
		}
	}
	// Every tag valid in the catalogue at a date is allowed by some rule then, and
	// none after it retires.
	for _, at := range []time.Time{day(2019, 1, 1), day(2019, 9, 1), day(2021, 1, 1), T0} {
		conv := Conversation{LastUserMessage: at.Add(-time.Hour)}
		for _, info := range tags.All() {
			req := Request{MessagingType: MessageTag, Tag: info.Tag, HumanAgentApproved: true, NewsPage: true, Template: CustomerFeedbackTemplate}
			if got, want := Check(req, conv, at).Allowed, info.ValidAt(at); got != want {
				t.Errorf("%s at %v: allowed %v, catalogue says valid %v", info.Tag, at, got, want)
			}
		}
	}
}
