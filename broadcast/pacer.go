package broadcast

import (
	"context"
	"sync"
	"time"
)

// How the send rate adapts (additive increase, multiplicative decrease, as TCP
// congestion control does): a throttling answer from Graph halves the rate at once;
// usage headers above the threshold cut it by a fifth; after growDelay without a
// cut the rate climbs back by growPerSecond of the configured rate each second
// (from half to full in ten seconds).
const (
	cutOnThrottle = 0.5
	cutOnUsage    = 0.8
	growDelay     = 2 * time.Second
	growPerSecond = 0.05
	// defaultPause is how long sends stop after a throttling answer that did not
	// say how long to wait.
	defaultPause = time.Second
)

// pacer spaces sends evenly (no bursts) at a rate that adapts to Graph's answers.
// It reads the time package, so testing/synctest bubbles control it.
type pacer struct {
	mu          sync.Mutex
	max, floor  float64 // sends per second
	cur         float64
	next        time.Time // the next free slot
	pausedUntil time.Time
	lastCut     time.Time
	lastGrow    time.Time
	cuts        int
}

func newPacer(rate float64) *pacer {
	return &pacer{max: rate, cur: rate, floor: min(rate, 1)}
}

// wait blocks until n sends may start, or ctx ends. It returns the instant the
// slot began, which the caller passes to throttled so that answers to sends made
// before a cut do not cut again.
func (p *pacer) wait(ctx context.Context, n int) (time.Time, error) {
	for {
		if err := ctx.Err(); err != nil {
			return time.Time{}, err
		}
		now := time.Now()
		at := p.reserve(now, n)
		if d := at.Sub(now); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return time.Time{}, ctx.Err()
			case <-t.C:
			}
		}
		// A pause that began while this slot was waiting holds it back too.
		if now := time.Now(); now.Before(p.pauseEnd()) {
			continue
		}
		return at, nil
	}
}

// reserve books n slots and returns when the first may be used.
func (p *pacer) reserve(now time.Time, n int) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.grow(now)
	at := now
	if p.next.After(at) {
		at = p.next
	}
	if p.pausedUntil.After(at) {
		at = p.pausedUntil
	}
	p.next = at.Add(time.Duration(float64(n) * float64(time.Second) / p.cur))
	return at
}

func (p *pacer) grow(now time.Time) {
	if p.cur < p.max && !now.Before(p.pausedUntil) && now.Sub(p.lastCut) >= growDelay {
		p.cur = min(p.max, p.cur+p.max*growPerSecond*now.Sub(p.lastGrow).Seconds())
	}
	p.lastGrow = now
}

// throttled slows the pacer down: it multiplies the rate by factor, unless the
// send that brought the news started before the last cut (its answer is part of
// the same wave), and holds every send back for pause.
func (p *pacer) throttled(now, sentAt time.Time, factor float64, pause time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if end := now.Add(pause); end.After(p.pausedUntil) {
		p.pausedUntil = end
	}
	if sentAt.After(p.lastCut) || p.lastCut.IsZero() {
		p.cur = max(p.floor, p.cur*factor)
		p.lastCut, p.lastGrow = now, now
		p.cuts++
	}
}

// pause holds every send back until now+d.
func (p *pacer) pause(now time.Time, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if end := now.Add(d); end.After(p.pausedUntil) {
		p.pausedUntil = end
	}
}

func (p *pacer) pauseEnd() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pausedUntil
}

// rate is the current rate in sends per second.
func (p *pacer) rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}
