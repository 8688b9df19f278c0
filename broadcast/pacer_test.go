package broadcast

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPacerSpacesSendsEvenly(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(250)
		start := time.Now()
		var mu sync.Mutex
		var times []time.Time
		var wg sync.WaitGroup
		for range 8 { // concurrent workers share the slots
			wg.Go(func() {
				for range 125 {
					at, err := p.wait(t.Context(), 1)
					require.NoError(t, err)
					mu.Lock()
					times = append(times, at)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		require.Len(t, times, 1000)
		// 1000 sends at 250/s: the last starts 999/250 s after the first, no burst.
		require.Equal(t, time.Duration(999)*time.Second/250, time.Since(start).Round(time.Millisecond))
		seen := map[time.Time]bool{}
		for _, at := range times {
			require.False(t, seen[at], "two sends in one slot at %v", at.Sub(start))
			seen[at] = true
		}
	})
}

func TestPacerBatchesUseSlots(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(100)
		start := time.Now()
		for range 4 {
			_, err := p.wait(t.Context(), 50)
			require.NoError(t, err)
		}
		// Four batches of 50 at 100/s: the fourth starts after 150 slots.
		require.Equal(t, 1500*time.Millisecond, time.Since(start))
	})
}

func TestPacerCutsOncePerWaveAndRecovers(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(300)
		sentAt, err := p.wait(t.Context(), 1)
		require.NoError(t, err)
		time.Sleep(10 * time.Millisecond)
		p.throttled(time.Now(), sentAt, cutOnThrottle, 0)
		require.Equal(t, 150.0, p.rate())
		// Answers to sends that started before the cut belong to the same wave.
		p.throttled(time.Now(), sentAt, cutOnThrottle, 0)
		require.Equal(t, 150.0, p.rate())
		// A send after the cut that is throttled again cuts again.
		time.Sleep(10 * time.Millisecond)
		later, err := p.wait(t.Context(), 1)
		require.NoError(t, err)
		p.throttled(time.Now(), later, cutOnThrottle, 0)
		require.Equal(t, 75.0, p.rate())

		// No growth for growDelay after the cut, then 5% of 300 per second.
		time.Sleep(growDelay - time.Millisecond)
		p.reserve(time.Now(), 0)
		require.Equal(t, 75.0, p.rate())
		time.Sleep(time.Millisecond + time.Second)
		p.reserve(time.Now(), 0)
		require.InDelta(t, 75.0+15, p.rate(), 0.1)
		time.Sleep(time.Minute)
		p.reserve(time.Now(), 0)
		require.Equal(t, 300.0, p.rate(), "back to the configured rate, never above")
	})
}

func TestPacerFloor(t *testing.T) {
	t.Parallel()
	p := newPacer(300)
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := range 20 {
		at := now.Add(time.Duration(i) * time.Second)
		p.throttled(at, at, cutOnThrottle, 0)
	}
	require.Equal(t, 1.0, p.rate(), "never below one send per second")
}

func TestPacerPauseHoldsEverySend(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(10)
		start := time.Now()
		// A slot booked before the pause began is held back too.
		_, err := p.wait(t.Context(), 1)
		require.NoError(t, err)
		done := make(chan time.Duration)
		go func() {
			_, err := p.wait(context.Background(), 1) // booked for start+100ms
			if err != nil {
				panic(err)
			}
			done <- time.Since(start)
		}()
		synctest.Wait()
		p.throttled(time.Now(), time.Now(), cutOnThrottle, time.Minute)
		require.GreaterOrEqual(t, <-done, time.Minute)
	})
}

func TestPacerWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(1)
		p.pause(time.Now(), time.Hour)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err := p.wait(ctx, 1)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
}
