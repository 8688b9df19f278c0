package filestore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/filestore"
	"github.com/gomessenger/messenger/store/storetest"
)

func TestPurgeExpired(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	s := openTemp(t, filestore.WithClock(clock.Now))
	ctx := t.Context()
	for i := range 40 {
		if _, err := s.FirstSeen(ctx, fmt.Sprintf("k%d", i), time.Duration(i+1)*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		a := store.Action{Kind: store.ActionMessage, At: clock.Now()}
		if err := s.RecordAction(ctx, "p", fmt.Sprintf("u%d", i), a); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(10 * time.Minute)
	n, err := s.PurgeExpired(ctx)
	if err != nil || n != 10 {
		t.Errorf("PurgeExpired after 10 min = %d, %v; want 10 dedupe keys", n, err)
	}
	clock.Advance(store.WindowRetention)
	n, err = s.PurgeExpired(ctx)
	if err != nil || n != 30+5 {
		t.Errorf("PurgeExpired after retention = %d, %v; want 30 keys + 5 windows", n, err)
	}
	if n, err := s.PurgeExpired(ctx); err != nil || n != 0 {
		t.Errorf("PurgeExpired again = %d, %v; want 0", n, err)
	}
}

// A window past its retention reads as zero at once, before any sweep deletes it.
func TestWindowPastRetentionReadsZero(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	s := openTemp(t, filestore.WithClock(clock.Now))
	a := store.Action{Kind: store.ActionPostback, At: clock.Now()}
	if err := s.RecordAction(t.Context(), "p", "u", a); err != nil {
		t.Fatal(err)
	}
	clock.Advance(store.WindowRetention)
	w, err := s.Window(t.Context(), "p", "u")
	if err != nil || w != (store.Window{}) {
		t.Errorf("Window = %+v, %v; want zero", w, err)
	}
	if n, err := s.PurgeExpired(t.Context()); err != nil || n != 1 {
		t.Errorf("PurgeExpired = %d, %v; want the window deleted", n, err)
	}
}
