package store_test

import (
	"testing"
	"time"

	"github.com/gomessenger/messenger/policy"
	"github.com/gomessenger/messenger/store"
)

// A window outlives the longest rule that reads it by at least a week, so a send a
// few days past a deadline is refused by the rule that ran out ("HUMAN_AGENT is
// allowed within 7 days ... the last message was 8 days ago"), not as if the person
// had never written.
func TestWindowRetentionOutlastsEveryRule(t *testing.T) {
	t.Parallel()
	const margin = 7 * 24 * time.Hour
	var longest time.Duration
	var rule string
	for _, r := range policy.Default().List() {
		for _, c := range r.Conditions {
			switch c.Anchor {
			case policy.AnchorLastUserAction, policy.AnchorLastUserMessage, policy.AnchorAdReferral:
			default:
				continue // not a time the window store keeps
			}
			if d := time.Duration(c.Years)*365*24*time.Hour + c.Window; d > longest {
				longest, rule = d, r.ID
			}
		}
	}
	if longest == 0 {
		t.Fatal("no rule counts from a window's times: the test reads the rules wrongly")
	}
	if store.WindowRetention < longest+margin {
		t.Errorf("WindowRetention %s, want at least %s: the longest rule, %s, looks back %s", store.WindowRetention, longest+margin, rule, longest)
	}
}
