package broadcast_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/broadcast"
)

func TestSummaryWriteText(t *testing.T) {
	t.Parallel()
	s := broadcast.Summary{
		Recipients: 12,
		States: map[broadcast.State]int{broadcast.StateSent: 6, broadcast.StateSkipped: 3, broadcast.StateFailed: 1,
			broadcast.StateUnknown: 1, broadcast.StateDuplicate: 1},
		Ways:              map[string]int{"UPDATE": 4, "one_time_notif_token/restock": 2},
		Skips:             map[string]int{"UPDATE: window.standard": 3},
		Errors:            map[string]int{"551": 1, "outcome_unknown": 1},
		Resumed:           5,
		ReachableLater:    2,
		EarliestReachable: time.Date(2026, 5, 2, 9, 0, 0, 0, time.UTC),
		Throttled:         4,
		Interrupted:       true,
	}
	var b strings.Builder
	if err := s.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `broadcast: 12 recipients, 6 sent, 3 skipped, 1 failed, 1 unknown, 1 duplicate (5 from earlier runs), interrupted
sent by this or earlier runs, by way:
         4  UPDATE
         2  one_time_notif_token/restock
skipped because:
         3  UPDATE: window.standard
failed or unknown by error:
         1  551
         1  outcome_unknown
2 skipped become reachable later, the first at 2026-05-02T09:00:00Z
Graph throttled 4 times; the broadcast slowed down
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if s.Count(broadcast.StateSent) != 6 || s.Count(broadcast.StateSendable) != 0 {
		t.Fatal("Count")
	}
}
