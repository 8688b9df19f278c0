package storetest_test

import (
	"testing"
	"time"

	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/store/storetest"
)

func TestNewMemoryUsesOptionsAndClosesOnCleanup(t *testing.T) {
	var m *memstore.Store
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	t.Run("open", func(t *testing.T) {
		m = storetest.NewMemory(t, memstore.WithClock(func() time.Time { return at }))
		first, err := m.FirstSeen(t.Context(), "k", time.Hour)
		if err != nil || !first {
			t.Fatalf("FirstSeen on a new store = %v, %v; want true, nil", first, err)
		}
	})
	if _, err := m.FirstSeen(t.Context(), "k2", time.Hour); err == nil {
		t.Error("the store is still open after the test that made it ended")
	}
}
