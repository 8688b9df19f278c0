package broadcast

import (
	"testing"
	"time"
)

// Ten sends paced at 39/s span nine intervals (0.23 s), which measures as 43/s; a
// run of two sends, 78/s. The progress line never shows more than the limit.
func TestProgressRateNeverAboveTheLimit(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	for _, sent := range []int{2, 10, 1000} {
		tl := newTally(false, "run", nil)
		tl.sum.States[StateSent] = sent
		tl.processed = sent
		m := &progressMeter{start: start, expected: sent, limit: func() float64 { return 39 }}
		elapsed := time.Duration(float64(sent-1) / 39 * float64(time.Second))
		p := m.measure(tl, start.Add(elapsed), true)
		if p.Rate > 39 || p.Rate < 30 {
			t.Errorf("%d sends in %s: Rate %.1f, want at most the limit 39 and near it", sent, elapsed, p.Rate)
		}
	}
}
