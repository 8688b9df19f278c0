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
	b.Run("response_in_window", func(b *testing.B) {
		req := Request{MessagingType: Response}
		conv := Conversation{LastUserMessage: now.Add(-time.Hour)}
		b.ReportAllocs()
		for b.Loop() {
			sink = Check(req, conv, now)
		}
		if !sink.Allowed {
			b.Fatal(sink)
		}
	})
	b.Run("human_agent_tag", func(b *testing.B) {
		req := Request{MessagingType: MessageTag, Tag: tags.HumanAgent, HumanAgentApproved: true}
		conv := Conversation{LastUserMessage: now.Add(-72 * time.Hour)}
		b.ReportAllocs()
		for b.Loop() {
			sink = Check(req, conv, now)
		}
		if !sink.Allowed {
			b.Fatal(sink)
		}
	})
	b.Run("otn_token", func(b *testing.B) {
		req := Request{MessagingType: Update, Recipient: OTNToken}
		conv := Conversation{TokenIssued: now.Add(-time.Hour)}
		b.ReportAllocs()
		for b.Loop() {
			sink = Check(req, conv, now)
		}
		if !sink.Allowed {
			b.Fatal(sink)
		}
	})
	b.Run("refused_with_alternatives", func(b *testing.B) {
		req := Request{MessagingType: Response}
		conv := Conversation{LastUserMessage: now.Add(-30 * time.Hour)}
		b.ReportAllocs()
		for b.Loop() {
			sink = Check(req, conv, now)
		}
		if sink.Allowed {
			b.Fatal(sink)
		}
	})
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
