package policy

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gomessenger/messenger/tags"
	"github.com/google/go-cmp/cmp"
)

// hostRules are the default rules plus host rules that exercise every way a rule's
// Match selects requests: a custom tag alongside a catalogue tag, any tag to a token,
// the empty tag, a custom messaging type and recipient kind.
func hostRules(t *testing.T) *Rules {
	t.Helper()
	r := Default()
	for _, x := range []Rule{
		{ID: "acme.booking", Summary: "BOOKING_UPDATE or HUMAN_AGENT within 3 days", Effect: Allow,
			Match:      Match{MessagingTypes: []MessagingType{MessageTag}, Tags: []tags.Tag{"BOOKING_UPDATE", tags.HumanAgent}},
			Conditions: []Condition{Within(AnchorLastUserMessage, 72*time.Hour)}, From: day(2026, 2, 1)},
		{ID: "acme.token_tags", Summary: "any tag to a one-time token", Effect: Refuse,
			Match: Match{Tagged: true, Recipients: []RecipientKind{OTNToken}}, Until: day(2026, 4, 1)},
		{ID: "acme.empty_tag", Summary: "the empty tag: untagged UTILITY sends", Effect: Refuse,
			Match:      Match{MessagingTypes: []MessagingType{Utility}, Tags: []tags.Tag{""}},
			Conditions: []Condition{FlagIs(FlagNewsPage, true)}},
		{ID: "acme.marketing", Summary: "MARKETING to a marketing token", Effect: Allow,
			Match:      Match{MessagingTypes: []MessagingType{"MARKETING"}, Recipients: []RecipientKind{"marketing_token"}},
			Conditions: []Condition{Before(AnchorTokenExpires)}},
	} {
		if err := r.Add(x); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// TestShortlistsAgreeWithFullScan guards the shortlists Check takes its rules from:
// for generated requests, the decision (alternatives included) is the one that
// matching every rule one by one gives.
func TestShortlistsAgreeWithFullScan(t *testing.T) {
	t.Parallel()
	for name, rules := range map[string]*Rules{"default": Default(), "host": hostRules(t)} {
		full := rules.Clone()
		full.scanAll = true
		g := generator{rand.New(rand.NewPCG(20260502, 7))}
		n := 3000
		if testing.Short() {
			n = 400
		}
		for range n {
			now := g.now()
			req, conv := g.request(), g.conversation(now)
			switch g.pick(8) {
			case 0:
				req.Tag = "BOOKING_UPDATE"
			case 1:
				req.MessagingType, req.Recipient = "MARKETING", "marketing_token"
			}
			want, got := full.Check(req, conv, now), rules.Check(req, conv, now)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%s rules, %+v %+v at %v (-full scan +shortlist):\n%s", name, req, conv, now, diff)
			}
		}
	}
}
