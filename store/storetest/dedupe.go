package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/gomessenger/messenger/store"
)

func firstSeen(t *testing.T, st store.Store, key string, ttl time.Duration) bool {
	t.Helper()
	ok, err := st.FirstSeen(t.Context(), key, ttl)
	if err != nil {
		t.Fatalf("FirstSeen(%q): %v", key, err)
	}
	return ok
}

func (s *suite) dedupeBasic(t *testing.T) {
	st := s.fresh(t)
	steps := []struct {
		key  string
		want bool
	}{
		{"mid.1", true},
		{"mid.1", false},
		{"mid.2", true},
		{"mid.1", false},
		{"mid.2", false},
		{"MID.1", true}, // keys are case-sensitive
	}
	for i, st1 := range steps {
		if got := firstSeen(t, st, st1.key, time.Hour); got != st1.want {
			t.Errorf("step %d: FirstSeen(%q) = %v, want %v", i, st1.key, got, st1.want)
		}
	}
}

func (s *suite) dedupeConcurrent(t *testing.T) {
	st := s.fresh(t)
	const n = 1000
	var mu sync.Mutex
	firsts := 0
	var errs []error
	race(n, func(int) {
		ok, err := st.FirstSeen(t.Context(), "mid.concurrent", time.Hour)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
		} else if ok {
			firsts++
		}
	})
	if len(errs) > 0 {
		t.Fatalf("%d of %d calls failed, first: %v", len(errs), n, errs[0])
	}
	if firsts != 1 {
		t.Errorf("%d of %d concurrent FirstSeen calls returned true, want exactly 1", firsts, n)
	}
}

func (s *suite) dedupeTTL(t *testing.T) {
	clock := s.needClock(t)
	st := s.fresh(t)
	const ttl = 6 * time.Hour
	start := clock.Now()
	if !firstSeen(t, st, "mid.ttl", ttl) {
		t.Fatal("FirstSeen of a new key = false")
	}
	clock.Set(start.Add(ttl - time.Nanosecond))
	if firstSeen(t, st, "mid.ttl", ttl) {
		t.Fatal("FirstSeen 1ns before the TTL ended = true; the key must still be there")
	}
	clock.Set(start.Add(ttl))
	if !firstSeen(t, st, "mid.ttl", ttl) {
		t.Fatal("FirstSeen when the TTL ended = false; the key must have expired")
	}
	// The new record has its own TTL from now.
	clock.Set(start.Add(2*ttl - time.Nanosecond))
	if firstSeen(t, st, "mid.ttl", ttl) {
		t.Error("FirstSeen within the renewed TTL = true")
	}
	// A duplicate does not extend the TTL.
	clock.Set(start.Add(2 * ttl))
	if !firstSeen(t, st, "mid.ttl", ttl) {
		t.Error("a duplicate extended the key's TTL")
	}
}

func (s *suite) dedupeForget(t *testing.T) {
	st := s.fresh(t)
	if !firstSeen(t, st, "mid.f", time.Hour) {
		t.Fatal("FirstSeen of a new key = false")
	}
	if err := st.Forget(t.Context(), "mid.f"); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	if !firstSeen(t, st, "mid.f", time.Hour) {
		t.Error("FirstSeen after Forget = false; a failed delivery must be handled again")
	}
	if err := st.Forget(t.Context(), "never-seen"); err != nil {
		t.Errorf("Forget(unknown) = %v, want nil", err)
	}
}

func (s *suite) dedupeInvalid(t *testing.T) {
	st := s.fresh(t)
	_, err := st.FirstSeen(t.Context(), "", time.Hour)
	checkInputError(t, err, "key")
	_, err = st.FirstSeen(t.Context(), string(make([]byte, store.MaxKeyLen+1)), time.Hour)
	checkInputError(t, err, "key")
	for _, ttl := range []time.Duration{0, -time.Second} {
		_, err = st.FirstSeen(t.Context(), "mid.1", ttl)
		checkInputError(t, err, "ttl")
	}
}
