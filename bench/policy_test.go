package bench

import (
	"testing"
	"time"

	"github.com/gomessenger/messenger/policy"
	"github.com/gomessenger/messenger/tags"
)

var policySink policy.Decision

// BenchmarkPolicyCheck is policy.Check on values already in memory: the checks a
// sender makes before each message. Goal: under 200 ns and no allocation for the
// allowed cases; a refusal explains itself and lists alternatives, which costs
// more and is reported apart.
func BenchmarkPolicyCheck(b *testing.B) {
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		req     policy.Request
		conv    policy.Conversation
		allowed bool
	}{
		{"response_in_window", policy.Request{MessagingType: policy.Response},
			policy.Conversation{LastUserMessage: now.Add(-time.Hour)}, true},
		{"human_agent_tag", policy.Request{MessagingType: policy.MessageTag, Tag: tags.HumanAgent, HumanAgentApproved: true},
			policy.Conversation{LastUserMessage: now.Add(-72 * time.Hour)}, true},
		{"otn_token", policy.Request{MessagingType: policy.Update, Recipient: policy.OTNToken},
			policy.Conversation{TokenIssued: now.Add(-time.Hour)}, true},
		{"refused_with_alternatives", policy.Request{MessagingType: policy.Response},
			policy.Conversation{LastUserMessage: now.Add(-30 * time.Hour)}, false},
	}
	for _, c := range cases {
		b.Run("case="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				policySink = policy.Check(c.req, c.conv, now)
			}
			if policySink.Allowed != c.allowed {
				b.Fatalf("allowed %v, want %v: %v", policySink.Allowed, c.allowed, policySink)
			}
		})
	}
}
