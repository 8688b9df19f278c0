package policy

import (
	"testing"
	"time"

	"github.com/gomessenger/messenger/tags"
)

var sink Decision

// BenchmarkCheck measures Check for the common allowed cases (a RESPONSE inside the
// window, a HUMAN_AGENT tag, a one-time token; goal: under 200 ns, no allocations)
// and for refusals, which explain themselves and look for alternatives.
func BenchmarkCheck(b *testing.B) {
	now := day(2026, 5, 1).Add(9 * time.Hour)
	cases := []struct {
		name    string
		req     Request
		conv    Conversation
		allowed bool
	}{
		{"response_in_window", Request{MessagingType: Response}, Conversation{LastUserMessage: now.Add(-time.Hour)}, true},
		{"human_agent_tag", Request{MessagingType: MessageTag, Tag: tags.HumanAgent, HumanAgentApproved: true},
			Conversation{LastUserMessage: now.Add(-72 * time.Hour)}, true},
		{"otn_token", Request{MessagingType: Update, Recipient: OTNToken}, Conversation{TokenIssued: now.Add(-time.Hour)}, true},
		{"refused_with_alternatives", Request{MessagingType: Response}, Conversation{LastUserMessage: now.Add(-30 * time.Hour)}, false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = Check(c.req, c.conv, now)
			}
			if sink.Allowed != c.allowed {
				b.Fatalf("allowed %v, want %v: %v", sink.Allowed, c.allowed, sink)
			}
		})
	}
}

// The common case must not allocate; timing is left to the benchmark.
func TestCheckDoesNotAllocateWhenAllowed(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage counters change allocation counts")
	}
	now := T0
	cases := []struct {
		req  Request
		conv Conversation
	}{
		{Request{MessagingType: Response}, Conversation{LastUserMessage: now.Add(-time.Hour)}},
		{Request{MessagingType: MessageTag, Tag: tags.HumanAgent, HumanAgentApproved: true}, Conversation{LastUserMessage: now.Add(-72 * time.Hour)}},
		{Request{MessagingType: Update, Recipient: OTNToken}, Conversation{TokenIssued: now.Add(-time.Hour)}},
	}
	for _, c := range cases {
		if n := testing.AllocsPerRun(100, func() { sink = Check(c.req, c.conv, now) }); n != 0 || !sink.Allowed {
			t.Errorf("Check(%+v) allocates %v times (allowed %v)", c.req, n, sink.Allowed)
		}
	}
}
