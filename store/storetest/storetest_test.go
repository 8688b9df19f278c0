package storetest_test

import (
	"testing"
	"time"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/store/storetest"
)

// The suite against the memory store, and once more without a clock, so the
// tests that need none still run and the others skip cleanly.
func TestRunOnMemory(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	storetest.Run(t, func(t *testing.T) store.Store { return storetest.NewMemory(t, memstore.WithClock(clock.Now)) }, storetest.WithClock(clock))
}

func TestRunWithoutClock(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return storetest.NewMemory(t) })
}

func TestClock(t *testing.T) {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c := storetest.NewClock(start)
	if got := c.Advance(time.Hour); !got.Equal(start.Add(time.Hour)) || !c.Now().Equal(got) {
		t.Errorf("Advance = %v, Now = %v; want %v", got, c.Now(), start.Add(time.Hour))
	}
	c.Set(start)
	if !c.Now().Equal(start) {
		t.Errorf("Now after Set = %v, want %v", c.Now(), start)
	}
}
