package broadcast

import (
	"time"
)

// Progress is a broadcast's state while it runs, reported every
// Broadcast.ProgressEvery and once more at the end (Done).
type Progress struct {
	// DryRun is set while Plan runs.
	DryRun bool
	// Processed counts the audience rows handled so far; Expected is
	// Broadcast.Expected (0: unknown).
	Processed, Expected int
	// Per-state counts so far (States of the Summary).
	Sendable, Sent, Skipped, Failed, Unknown, Invalid, Duplicate int
	// Resumed counts rows whose outcome an earlier run recorded.
	Resumed int
	// Throttled counts throttling answers from Graph so far.
	Throttled int
	// Rate is the messages sent per second over the last few seconds (rows per
	// second for a dry run).
	Rate float64
	// Limit is the rate the pacer allows now: the configured Rate, or less after
	// Graph throttled.
	Limit float64
	// Elapsed is the time since the run started.
	Elapsed time.Duration
	// ETA estimates the time left from the recent pace of rows; zero when Expected
	// is unknown or nothing moved yet.
	ETA time.Duration
	// Done is set on the last report.
	Done bool
}

// Percent is Processed as a percentage of Expected, or -1 when Expected is unknown.
func (p Progress) Percent() float64 {
	if p.Expected <= 0 {
		return -1
	}
	return min(100, 100*float64(p.Processed)/float64(p.Expected))
}

// progressWindow is how far back Rate and ETA look.
const progressWindow = 5 * time.Second

type progressSample struct {
	at              time.Time
	processed, sent int
}

// progressMeter turns tally snapshots into Progress values.
type progressMeter struct {
	start    time.Time
	expected int
	dry      bool
	limit    func() float64
	samples  []progressSample
}

func (m *progressMeter) measure(t *tally, now time.Time, done bool) Progress {
	t.mu.Lock()
	s := &t.sum
	p := Progress{
		DryRun: m.dry, Processed: t.processed, Expected: m.expected,
		Sendable: s.States[StateSendable], Sent: s.States[StateSent], Skipped: s.States[StateSkipped],
		Failed: s.States[StateFailed], Unknown: s.States[StateUnknown], Invalid: s.States[StateInvalid],
		Duplicate: s.States[StateDuplicate], Resumed: s.Resumed, Throttled: s.Throttled,
		Elapsed: now.Sub(m.start), Done: done,
	}
	t.mu.Unlock()
	if m.limit != nil {
		p.Limit = m.limit()
	}
	m.samples = append(m.samples, progressSample{at: now, processed: p.Processed, sent: p.Sent})
	for len(m.samples) > 2 && now.Sub(m.samples[1].at) >= progressWindow {
		m.samples = m.samples[1:]
	}
	first := progressSample{at: m.start} // counts were zero at the start
	if len(m.samples) > 1 {
		first = m.samples[0]
	}
	if dt := now.Sub(first.at).Seconds(); dt > 0 {
		rows := float64(p.Processed-first.processed) / dt
		if m.dry {
			p.Rate = rows
		} else {
			p.Rate = float64(p.Sent-first.sent) / dt
			// n sends paced at the limit span n-1 intervals, so a short run measures
			// above the limit it kept; never show more than the pacer allows.
			if p.Limit > 0 && p.Rate > p.Limit {
				p.Rate = p.Limit
			}
		}
		if left := p.Expected - p.Processed; left > 0 && rows > 0 && !done {
			p.ETA = time.Duration(float64(left) / rows * float64(time.Second))
		}
	}
	return p
}

// runProgress calls report every every until stop is closed, then once with Done.
// It returns when the last report returned.
func runProgress(m *progressMeter, t *tally, every time.Duration, report func(Progress), stop <-chan struct{}, finished chan<- struct{}) {
	defer close(finished)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			report(m.measure(t, time.Now(), false))
		case <-stop:
			report(m.measure(t, time.Now(), true))
			return
		}
	}
}
