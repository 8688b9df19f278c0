package filestore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gomessenger/messenger/store/filestore"
	"github.com/gomessenger/messenger/store/storetest"
)

// Writes sweep a few expired records in passing, so a long-running bot keeps its
// file bounded without calling PurgeExpired.
func TestWritesSweepExpiredKeys(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	s := openTemp(t, filestore.WithClock(clock.Now))
	ctx := t.Context()
	for i := range 200 {
		if _, err := s.FirstSeen(ctx, fmt.Sprintf("k%d", i), time.Minute); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
	}
	n, err := s.PurgeExpired(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Only the key that expired with the last tick, after the last write, is left.
	if n > 1 {
		t.Errorf("PurgeExpired found %d expired keys; writes should have swept all but the last", n)
	}
}
