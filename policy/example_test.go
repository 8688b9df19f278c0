package policy_test

import (
	"fmt"
	"time"

	"github.com/gomessenger/messenger/policy"
	"github.com/gomessenger/messenger/tags"
)

func ExampleCheck() {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	conv := policy.Conversation{LastUserMessage: now.Add(-3 * time.Hour)}

	d := policy.Check(policy.Request{MessagingType: policy.Response}, conv, now)
	fmt.Println(d.Allowed, d.Rule, d.Until.Format(time.RFC3339))
	// Output:
	// true window.standard 2026-05-02T09:00:00Z
}

// A message outside the window is refused with the error Graph would answer, and
// the decision lists what would work instead.
func ExampleCheck_alternatives() {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	conv := policy.Conversation{
		LastUserMessage: now.Add(-30 * time.Hour),
		TokenIssued:     now.Add(-48 * time.Hour), // the person asked to be notified once
	}
	d := policy.Check(policy.Request{MessagingType: policy.Update, HumanAgentApproved: true}, conv, now)
	fmt.Println(d.Allowed, d.Rule, d.ErrorCode, d.ErrorSubcode)
	for _, a := range d.Alternatives {
		fmt.Printf("%s %s %s until %s: %s\n", a.Request.MessagingType, a.Request.Tag, a.Request.Recipient,
			a.Until.Format(time.DateOnly), a.Note)
	}
	// Output:
	// false window.standard 10 2018278
	// UPDATE  one_time_notif_token until 2027-04-29: uses the person's one-time notification token (once)
	// MESSAGE_TAG HUMAN_AGENT  until 2026-05-07: only a reply written by a person
	// UTILITY   until 9999-12-31: an approved utility message template, never promotional
	// MESSAGE_TAG CUSTOMER_FEEDBACK  until 2026-05-07: only the customer feedback template
}

// The rules change on dates: the same request is judged by the rules of its time.
func ExampleCheck_dates() {
	req := policy.Request{MessagingType: policy.MessageTag, Tag: tags.PostPurchaseUpdate}
	conv := policy.Conversation{LastUserMessage: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)}
	for _, now := range []time.Time{
		time.Date(2026, 4, 26, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 4, 27, 0, 0, 0, 0, time.UTC),
	} {
		fmt.Println(policy.Check(req, conv, now))
	}
	// Output:
	// allowed by tag.update until 2026-04-27T00:00:00Z: CONFIRMED_EVENT_UPDATE and POST_PURCHASE_UPDATE are allowed at any time in an existing conversation, for their use only
	// refused by tags.2026_retired (Graph error 100): CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE and ACCOUNT_UPDATE fail with error 100 since 2026-04-27; POST_PURCHASE_UPDATE was retired on 2026-04-27; instead: no tag: Utility Message templates (messaging_type UTILITY) for transactional updates, or the paid Marketing Messages API
}

// Bad input is refused with a reason that names the field, never allowed.
func ExampleCheck_badInput() {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	d := policy.Check(policy.Request{MessagingType: policy.Response, Tag: tags.HumanAgent}, policy.Conversation{}, now)
	fmt.Println(d.Allowed, d.BadInput(), d.Reason)
	// Output:
	// false true Tag "HUMAN_AGENT" needs MessagingType MESSAGE_TAG, not RESPONSE
}

// A host that knows the Click-to-Messenger window better than the defaults sets it
// on its own copy of the rules.
func ExampleRules_SetWindow() {
	rules := policy.Default()
	if err := rules.SetWindow(policy.RuleAdWindow, 7*24*time.Hour); err != nil {
		panic(err)
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	conv := policy.Conversation{LastUserMessage: now.Add(-96 * time.Hour), AdReferral: now.Add(-96 * time.Hour)}
	req := policy.Request{MessagingType: policy.Response}

	fmt.Println(policy.Check(req, conv, now).Allowed) // the default 72 hours
	fmt.Println(rules.Check(req, conv, now).Allowed)  // the host's 7 days
	// Output:
	// false
	// true
}

// A host adds a rule of its own: nothing promotional at night.
func ExampleRules_Add() {
	rules := policy.Default()
	err := rules.Add(policy.Rule{
		ID:      "acme.quiet_hours",
		Summary: "Acme sends nothing promotional between 22:00 and 07:00 UTC",
		Effect:  policy.Refuse,
		Conditions: []policy.Condition{
			policy.FlagIs(policy.FlagPromotional, true),
			policy.Func(func(_ policy.Request, _ policy.Conversation, now time.Time) (bool, time.Time, string) {
				h := now.UTC().Hour()
				return h >= 22 || h < 7, time.Time{}, "it is night"
			}),
		},
		Source: "Acme marketing policy",
	})
	if err != nil {
		panic(err)
	}
	now := time.Date(2026, 5, 1, 23, 0, 0, 0, time.UTC)
	d := rules.Check(policy.Request{MessagingType: policy.Response, Promotional: true},
		policy.Conversation{LastUserMessage: now.Add(-time.Minute)}, now)
	fmt.Println(d)
	// Output:
	// refused by acme.quiet_hours: Acme sends nothing promotional between 22:00 and 07:00 UTC: Promotional is true; it is night
}

// Meta moved a date: the host moves the rule.
func ExampleRules_Move() {
	rules := policy.Default()
	newDate := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if err := rules.Move(policy.RuleRecurringDiscontinued, newDate, time.Time{}); err != nil {
		panic(err)
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	conv := policy.Conversation{
		TokenIssued:  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		TokenExpires: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC),
	}
	req := policy.Request{MessagingType: policy.Update, Recipient: policy.RecurringToken}
	fmt.Println(policy.Check(req, conv, now).Rule)
	fmt.Println(rules.Check(req, conv, now))
	// Output:
	// token.recurring_discontinued
	// allowed by token.recurring until 2026-06-01T00:00:00Z: a recurring notification token allows messages until it expires, no closer together than its frequency
}
