package memstore_test

import (
	"context"
	"fmt"
	"log"
	"strings"
	"testing"
	"time"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/store/storetest"
)

func TestConformance(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC))
	storetest.Run(t, func(t *testing.T) store.Store {
		return storetest.NewMemory(t, memstore.WithClock(clock.Now))
	}, storetest.WithClock(clock))
}

func TestMaxDedupeKeysEvictsOldest(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	m := storetest.NewMemory(t, memstore.WithClock(clock.Now), memstore.WithMaxDedupeKeys(3))
	ctx := t.Context()
	seen := func(key string, ttl time.Duration) bool {
		t.Helper()
		ok, err := m.FirstSeen(ctx, key, ttl)
		if err != nil {
			t.Fatalf("FirstSeen(%s): %v", key, err)
		}
		return ok
	}
	seen("oldest", 3*time.Hour)
	seen("short", time.Hour)
	seen("mid", 2*time.Hour)
	seen("new", time.Hour) // full: "oldest" was recorded first, so it goes
	if seen("short", time.Hour) || seen("mid", time.Hour) || seen("new", time.Hour) {
		t.Error("a key that should have been kept was evicted")
	}
	if !seen("oldest", time.Hour) {
		t.Error(`"oldest" should have been evicted to make room`)
	}
}

func TestStaysBounded(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	m := storetest.NewMemory(t, memstore.WithClock(clock.Now), memstore.WithMaxDedupeKeys(100))
	ctx := t.Context()
	for i := range 10_000 {
		if ok, err := m.FirstSeen(ctx, fmt.Sprintf("k%d", i), time.Minute); err != nil || !ok {
			t.Fatalf("FirstSeen(k%d) = %v, %v", i, ok, err)
		}
		clock.Advance(time.Second)
	}
	if n := m.Stats().DedupeKeys; n > 60 {
		t.Errorf("%d dedupe keys held with a 1-minute TTL and one key a second; expired ones must be swept", n)
	}
	for i := range 1000 {
		a := store.Action{Kind: store.ActionMessage, At: clock.Now()}
		if err := m.RecordAction(ctx, "p", fmt.Sprintf("u%d", i), a); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
	}
	if n, most := m.Stats().Windows, int(store.WindowRetention/time.Hour)+1; n > most {
		t.Errorf("%d windows held, one recorded an hour; more than %d means old ones were not swept", n, most)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, tt := range []struct {
		name string
		opt  memstore.Option
		want []string // the option, the limit and the value, in the error
	}{
		{"nil clock", memstore.WithClock(nil), []string{"WithClock", "must not be nil"}},
		{"no dedupe keys", memstore.WithMaxDedupeKeys(0), []string{"WithMaxDedupeKeys", "at least 1", "got 0"}},
		{"negative dedupe keys", memstore.WithMaxDedupeKeys(-3), []string{"WithMaxDedupeKeys", "at least 1", "got -3"}},
		{"nil option", nil, []string{"nil Option"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := memstore.New(tt.opt)
			if err == nil {
				m.Close()
				t.Fatal("New accepted the option")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func ExampleNew() {
	ctx := context.Background()
	s, err := memstore.New()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	// A webhook delivered twice is handled once.
	first, _ := s.FirstSeen(ctx, "mid.$cAAJ", 24*time.Hour)
	again, _ := s.FirstSeen(ctx, "mid.$cAAJ", 24*time.Hour)
	fmt.Println("first delivery:", first, "redelivery:", again)

	// A one-time notification token is used once.
	issued := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	_ = s.PutToken(ctx, store.Token{
		Value: "otn-token", Kind: store.OneTimeKind, Page: "1234", User: "5678",
		Topic: "back-in-stock", IssuedAt: issued, ExpiresAt: issued.AddDate(1, 0, 0),
	})
	now := issued.Add(48 * time.Hour)
	tok, err := s.ClaimToken(ctx, store.TokenQuery{Page: "1234", User: "5678", Topic: "back-in-stock", Kind: store.OneTimeKind}, now)
	fmt.Println("claimed:", tok.State, err)
	_, err = s.ClaimToken(ctx, store.TokenQuery{Page: "1234", User: "5678", Topic: "back-in-stock", Kind: store.OneTimeKind}, now)
	fmt.Println("second claim:", err)
	// Output:
	// first delivery: true redelivery: false
	// claimed: claimed <nil>
	// second claim: store: no usable token
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store { return storetest.NewMemory(b) })
}
