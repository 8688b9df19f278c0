package policy

import (
	"errors"
	"testing"
	"time"

	"github.com/gomessenger/messenger/tags"
	"github.com/google/go-cmp/cmp"
)

func TestDefaultIsAFreshCopy(t *testing.T) {
	t.Parallel()
	a := Default()
	if err := a.Remove(RuleStandardWindow); err != nil {
		t.Fatal(err)
	}
	if err := a.Edit(RuleHumanAgent, func(r *Rule) { r.Match.Tags[0] = "CHANGED" }); err != nil {
		t.Fatal(err)
	}
	list := a.List()
	list[0].Conditions = nil
	b := Default()
	if _, ok := b.Rule(RuleStandardWindow); !ok {
		t.Error("Remove on one copy removed from another")
	}
	if r, _ := b.Rule(RuleHumanAgent); r.Match.Tags[0] != tags.HumanAgent {
		t.Error("Edit on one copy changed another")
	}
	conv := Conversation{LastUserMessage: T0}
	if d := Check(response, conv, T0); !d.Allowed {
		t.Errorf("package Check affected by edits of a copy: %v", d)
	}
	if d := a.Check(response, conv, T0); d.Allowed {
		t.Errorf("edited copy still allows without the standard window: %v", d)
	}
	if d := (*Rules)(nil).Check(response, conv, T0); !d.Allowed {
		t.Errorf("nil *Rules does not use the defaults: %v", d)
	}
	if d := new(Rules).Check(response, conv, T0); d.Allowed || d.Rule != RuleNone {
		t.Errorf("empty Rules = %v, want refused by %s", d, RuleNone)
	}
	if len((*Rules)(nil).List()) != len(Default().List()) {
		t.Error("nil List differs from Default")
	}
}

func TestEditingErrors(t *testing.T) {
	t.Parallel()
	r := Default()
	ok := Rule{ID: "acme.x", Effect: Allow, Summary: "x"}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"add duplicate", r.Add(Rule{ID: RuleStandardWindow, Effect: Allow}), ErrDuplicateRule},
		{"replace unknown", r.Replace(Rule{ID: "nope", Effect: Allow}), ErrUnknownRule},
		{"remove unknown", r.Remove("nope"), ErrUnknownRule},
		{"move unknown", r.Move("nope", time.Time{}, time.Time{}), ErrUnknownRule},
		{"move backwards", r.Move(RuleStandardWindow, day(2020, 1, 1), day(2019, 1, 1)), ErrInvalidRule},
		{"move to an empty range", r.Move(RuleStandardWindow, day(2020, 1, 1), day(2020, 1, 1)), ErrInvalidRule},
		{"edit changes id", r.Edit(RuleStandardWindow, func(x *Rule) { x.ID = "other" }), ErrInvalidRule},
		{"no id", r.Add(Rule{Effect: Allow}), ErrInvalidRule},
		{"reserved id", r.Add(Rule{ID: "input.mine", Effect: Allow}), ErrInvalidRule},
		{"no effect", r.Add(Rule{ID: "acme.a"}), ErrInvalidRule},
		{"negative error", r.Add(Rule{ID: "acme.b", Effect: Refuse, ErrorCode: -1}), ErrInvalidRule},
		{"zero window", r.Add(Rule{ID: "acme.c", Effect: Allow, Conditions: []Condition{Within(AnchorLastUserMessage, 0)}}), ErrInvalidRule},
		{"bad anchor", r.Add(Rule{ID: "acme.d", Effect: Allow, Conditions: []Condition{Within(0, time.Hour)}}), ErrInvalidRule},
		{"bad flag", r.Add(Rule{ID: "acme.e", Effect: Allow, Conditions: []Condition{FlagIs(99, true)}}), ErrInvalidRule},
		{"bad kind", r.Add(Rule{ID: "acme.f", Effect: Allow, Conditions: []Condition{{}}}), ErrInvalidRule},
		{"nil func", r.Add(Rule{ID: "acme.g", Effect: Allow, Conditions: []Condition{Func(nil)}}), ErrInvalidRule},
		{"empty template", r.Add(Rule{ID: "acme.h", Effect: Allow, Conditions: []Condition{TemplateIs("")}}), ErrInvalidRule},
		{"zero max", r.Add(Rule{ID: "acme.i", Effect: Allow, Conditions: []Condition{FewerAfterWindow(0)}}), ErrInvalidRule},
		{"set window without one", r.SetWindow(RuleTagsNotPromotional, time.Hour), ErrInvalidRule},
		{"set negative window", r.SetWindow(RuleAdWindow, -time.Hour), ErrInvalidRule},
		{"negative skew", r.SetClockSkew(-time.Second), ErrInvalidRule},
		{"add on nil", (*Rules)(nil).Add(ok), ErrInvalidRule},
		{"new rules with duplicates", func() error { _, err := NewRules(ok, ok); return err }(), ErrDuplicateRule},
		{"valid add", r.Add(ok), nil},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) || (tt.want == nil) != (tt.err == nil) {
			t.Errorf("%s: error %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if d := r.Check(response, Conversation{LastUserMessage: T0}, T0); !d.Allowed {
		t.Errorf("failed edits left the rules broken: %v", d)
	}
}

func TestHostRules(t *testing.T) {
	t.Parallel()
	r := Default()
	// A host's own Refuse rule: no marketing at night, whatever Meta allows.
	quiet := Rule{
		ID:      "acme.quiet_hours",
		Summary: "Acme sends nothing promotional between 22:00 and 07:00 UTC",
		Effect:  Refuse,
		Match:   Match{MessagingTypes: []MessagingType{Response, Update}},
		Conditions: []Condition{
			FlagIs(FlagPromotional, true),
			Func(func(_ Request, _ Conversation, now time.Time) (bool, time.Time, string) {
				h := now.UTC().Hour()
				return h >= 22 || h < 7, time.Time{}, "it is night in UTC"
			}),
		},
		ErrorCode:  0,
		Source:     "Acme policy",
		Confidence: tags.Confirmed,
	}
	if err := r.Add(quiet); err != nil {
		t.Fatal(err)
	}
	// Meta invents a new messaging type and tag; the host teaches the rules.
	if err := r.Add(Rule{
		ID:         "acme.marketing",
		Summary:    "MARKETING with a marketing token",
		Effect:     Allow,
		Match:      Match{MessagingTypes: []MessagingType{"MARKETING"}, Recipients: []RecipientKind{"marketing_token"}},
		Conditions: []Condition{Before(AnchorTokenExpires)},
		ErrorCode:  100,
	}); err != nil {
		t.Fatal(err)
	}
	if err := r.Add(Rule{
		ID:      "acme.new_tag",
		Summary: "BOOKING_UPDATE within 3 days",
		Effect:  Allow,
		Match:   Match{MessagingTypes: []MessagingType{MessageTag}, Tags: []tags.Tag{"BOOKING_UPDATE"}},
		From:    day(2027, 1, 1),
		Conditions: []Condition{
			Within(AnchorLastUserMessage, 72*time.Hour),
			Func(func(Request, Conversation, time.Time) (bool, time.Time, string) { return true, day(2027, 6, 1), "" }),
		},
		ErrorCode: 10, ErrorSubcode: 2018278,
	}); err != nil {
		t.Fatal(err)
	}
	night, noon := day(2026, 5, 1).Add(23*time.Hour), day(2026, 5, 1).Add(12*time.Hour)
	promo := Request{MessagingType: Response, Promotional: true}
	jan := day(2027, 1, 2)
	runChecks(t, r, []checkCase{
		{"promotional at night", promo, Conversation{LastUserMessage: night}, night, refused("acme.quiet_hours", 0, 0), []string{"night"}},
		{"promotional at noon", promo, Conversation{LastUserMessage: noon}, noon, allowed(RuleStandardWindow, noon.Add(24*time.Hour)), nil},
		{"plain at night", response, Conversation{LastUserMessage: night}, night, allowed(RuleStandardWindow, night.Add(24*time.Hour)), nil},
		{"custom type", Request{MessagingType: "MARKETING", Recipient: "marketing_token"}, Conversation{TokenExpires: day(2026, 6, 1)}, noon,
			allowed("acme.marketing", day(2026, 6, 1)), nil},
		{"custom type, other recipient", Request{MessagingType: "MARKETING"}, Conversation{TokenExpires: day(2026, 6, 1)}, noon,
			refused(RuleNone, 100, 0), nil},
		{"custom tag before its date", tagged("BOOKING_UPDATE"), Conversation{LastUserMessage: noon}, noon, refused(RuleNone, 100, 0), nil},
		{"custom tag", tagged("BOOKING_UPDATE"), Conversation{LastUserMessage: jan}, jan, allowed("acme.new_tag", day(2027, 1, 5)), nil},
		{"custom func deadline", tagged("BOOKING_UPDATE"), Conversation{LastUserMessage: day(2027, 5, 31)}, day(2027, 5, 31),
			allowed("acme.new_tag", day(2027, 6, 1)), nil},
		{"custom func deadline passed", tagged("BOOKING_UPDATE"), Conversation{LastUserMessage: day(2027, 6, 1)}, day(2027, 6, 1),
			refused("acme.new_tag", 10, 2018278), nil},
	})
	if d := Check(tagged("BOOKING_UPDATE"), Conversation{LastUserMessage: jan}, jan); d.Rule != RuleInputTag {
		t.Errorf("default rules accept a host's tag: %v", d)
	}
}

func TestMoveAndInForce(t *testing.T) {
	t.Parallel()
	r := Default()
	// Meta postpones the 2026 cut by a month.
	if err := r.Move(RuleTags2026Retired, day(2026, 5, 27), time.Time{}); err != nil {
		t.Fatal(err)
	}
	conv := Conversation{LastUserMessage: day(2025, 1, 1)}
	runChecks(t, r, []checkCase{
		{"postponed cut: allowed until the new date", tagged(tags.PostPurchaseUpdate), conv, T0, allowed(RuleUpdateTags, day(2026, 5, 27)), nil},
		{"postponed cut: refused from it", tagged(tags.PostPurchaseUpdate), conv, day(2026, 5, 27), refused(RuleTags2026Retired, 100, 0), nil},
	})
	var ids []string
	for _, x := range Default().InForce(day(2019, 1, 1)) {
		ids = append(ids, x.ID)
	}
	want := []string{
		RuleMessagingTypeRequired, RuleTagsNotPromotional, RulePrivateReplyTextOnly,
		RuleStandardWindow, RuleAdWindow, Rule24Plus1, RuleCustomerFeedback, RuleLegacyTags, RuleAccountUpdate,
		RuleSubscription, RuleOneTimeToken, RuleRecurringToken, RulePrivateReply, RulePhone,
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("InForce(2019-01-01) (-want +got):\n%s", diff)
	}
	if err := r.SetError(RuleStandardWindow, 10, 2534022); err != nil {
		t.Fatal(err)
	}
	if d := r.Check(response, conv, T0); d.ErrorSubcode != 2534022 {
		t.Errorf("SetError not applied: %v", d)
	}
}

func TestClone(t *testing.T) {
	t.Parallel()
	a := Default()
	b := a.Clone()
	if err := b.Remove(RuleStandardWindow); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Rule(RuleStandardWindow); !ok {
		t.Error("Clone shares rules")
	}
	if (*Rules)(nil).Clone() == nil {
		t.Error("nil Clone is nil")
	}
	if diff := cmp.Diff(Default().List()[0].Summary, a.List()[0].Summary); diff != "" {
		t.Error(diff)
	}
}

func TestStrings(t *testing.T) {
	t.Parallel()
	tests := []struct{ got, want string }{
		{Allow.String(), "allow"},
		{Refuse.String(), "refuse"},
		{Effect(9).String(), "Effect(9)"},
		{AnchorTokenIssued.String(), "TokenIssued"},
		{Anchor(0).String(), "Anchor(0)"},
		{FlagNewsPage.String(), "NewsPage"},
		{Flag(0).String(), "Flag(0)"},
		{Check(response, Conversation{LastUserMessage: T0}, T0).String(),
			"allowed by window.standard until 2026-05-02T12:00:00Z: RESPONSE and UPDATE are allowed within 24 hours of the person's last message or action"},
		{Check(Request{MessagingType: MessageTag, Tag: tags.NonPromotionalSubscription, NewsPage: true}, Conversation{LastUserMessage: T0}, T0).String(),
			"allowed by tag.news, no deadline: NON_PROMOTIONAL_SUBSCRIPTION is allowed since 2020-03-04 only for Pages in the News Page Index"},
		{Check(response, Conversation{}, time.Time{}).String(),
			"refused by input.now: now is the zero time; pass the current time (policy has no clock of its own)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// Check on shared rules from many goroutines at once, for the race detector.
func TestConcurrentCheck(t *testing.T) {
	t.Parallel()
	shared := Default()
	done := make(chan Decision)
	for i := range 8 {
		go func() {
			var d Decision
			for j := range 200 {
				now := T0.Add(time.Duration(i*200+j) * time.Minute)
				conv := Conversation{LastUserMessage: T0}
				if i%2 == 0 {
					d = Check(response, conv, now)
				} else {
					d = shared.Check(tagged(tags.ShippingUpdate), conv, now)
				}
			}
			done <- d
		}()
	}
	for range 8 {
		if d := <-done; d.Rule == "" {
			t.Error("empty decision")
		}
	}
}

func TestHasDeadline(t *testing.T) {
	t.Parallel()
	news := Request{MessagingType: MessageTag, Tag: tags.NonPromotionalSubscription, NewsPage: true}
	tests := []struct {
		d    Decision
		want bool
	}{
		{Check(response, Conversation{LastUserMessage: T0}, T0), true},
		{Check(news, Conversation{LastUserMessage: T0}, T0), false},
		{Check(response, Conversation{}, T0), false},
	}
	for _, tt := range tests {
		if got := tt.d.HasDeadline(); got != tt.want {
			t.Errorf("%v: HasDeadline() = %v, want %v", tt.d, got, tt.want)
		}
	}
}
