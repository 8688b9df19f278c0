package storetest

import (
	"errors"

	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
)

func intake(t *testing.T, st store.Store) store.Intake {
	t.Helper()
	in, ok := st.(store.Intake)
	if !ok {
		t.Skipf("storetest: %T does not implement store.Intake", st)
	}
	return in
}

func delivery(body string, at time.Time, keys ...string) store.Delivery {
	return store.Delivery{
		Body: []byte(body), Received: at, Lease: store.Lease{Owner: ownerA, Until: at.Add(time.Minute)},
		Keys: keys, TTL: time.Hour,
		Actions: []store.WindowAction{{Page: page, User: user, Action: store.Action{Kind: store.ActionMessage, At: at}}},
	}
}

func admit(t *testing.T, in store.Intake, d store.Delivery) store.Admitted {
	t.Helper()
	got, err := in.Admit(t.Context(), d)
	if err != nil {
		t.Fatalf("Admit: %v", err)
	}
	return got
}

// Admit records the keys, the window and the body together; a delivery whose keys
// were all seen appends nothing; Complete removes entries many at a time.
func (s *suite) intakeAdmit(t *testing.T) {
	st := s.fresh(t)
	in := intake(t, st)
	now := s.now()
	first := admit(t, in, delivery("one", now, "k1", "k2"))
	if first.ID == "" || !cmp.Equal([]bool{true, true}, first.New) {
		t.Fatalf("first Admit = %+v, want an entry and both keys new", first)
	}
	want := []store.InboxEntry{{ID: first.ID, Body: []byte("one"), Received: now, State: store.InboxPending, Owner: ownerA, LeaseUntil: now.Add(time.Minute)}}
	if diff := cmp.Diff(want, entries(t, st, store.InboxPending)); diff != "" {
		t.Errorf("inbox after Admit (-want +got):\n%s", diff)
	}
	if w, err := st.Window(t.Context(), page, user); err != nil || !w.LastMessage.Equal(now) {
		t.Errorf("Window after Admit = %+v, %v; want the message at %v", w, err, now)
	}
	if firstSeen(t, st, "k1", time.Hour) {
		t.Error("FirstSeen(k1) after Admit = true, want the key remembered")
	}
	// A redelivery: nothing new, nothing appended.
	again := admit(t, in, delivery("one", now.Add(time.Second), "k1", "k2"))
	if again.ID != "" || !cmp.Equal([]bool{false, false}, again.New) {
		t.Errorf("Admit of a redelivery = %+v, want no entry and no key new", again)
	}
	mixed := admit(t, in, delivery("two", now, "k2", "k3"))
	if mixed.ID == "" || !cmp.Equal([]bool{false, true}, mixed.New) {
		t.Errorf("Admit with one new key = %+v", mixed)
	}
	if n := len(entries(t, st, store.InboxPending)); n != 2 {
		t.Errorf("inbox holds %d entries, want 2", n)
	}
	if err := in.Complete(t.Context(), []string{first.ID, mixed.ID, "unknown"}); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if got := entries(t, st, store.InboxPending); len(got) != 0 {
		t.Errorf("inbox after Complete = %v, want empty", ids(got))
	}
}

// A delivery's keys last their TTL as FirstSeen's do: a redelivery 1ns before the
// TTL ends is not new and appends nothing; one when it ends is new again.
func (s *suite) intakeTTL(t *testing.T) {
	clock := s.needClock(t)
	st := s.fresh(t)
	in := intake(t, st)
	start := clock.Now()
	first := admit(t, in, delivery("one", start, "k1", "k2"))
	if first.ID == "" {
		t.Fatalf("first Admit = %+v, want an entry", first)
	}
	clock.Set(start.Add(time.Hour - time.Nanosecond))
	if got := admit(t, in, delivery("one", clock.Now(), "k1", "k2")); got.ID != "" || !cmp.Equal([]bool{false, false}, got.New) {
		t.Errorf("Admit 1ns before the TTL ended = %+v, want no entry and no key new", got)
	}
	clock.Set(start.Add(time.Hour))
	if got := admit(t, in, delivery("one", clock.Now(), "k1", "k2")); got.ID == "" || !cmp.Equal([]bool{true, true}, got.New) {
		t.Errorf("Admit when the TTL ended = %+v, want an entry and both keys new", got)
	}
	if n := len(entries(t, st, store.InboxPending)); n != 2 {
		t.Errorf("inbox holds %d entries, want 2: the first and the one after the TTL", n)
	}
}

// Admit removes the finished entries it is given, in the same call, whether or not
// the delivery itself is new; unknown ids are skipped.
func (s *suite) intakeAdmitDone(t *testing.T) {
	st := s.fresh(t)
	in := intake(t, st)
	now := s.now()
	a := admit(t, in, delivery("a", now, "ka"))
	b := admit(t, in, delivery("b", now, "kb"))
	c := admit(t, in, delivery("c", now, "kc"))
	d := delivery("d", now, "kd")
	d.Done = []string{a.ID, "unknown", b.ID}
	got := admit(t, in, d)
	if got.ID == "" || !cmp.Equal([]bool{true}, got.New) {
		t.Fatalf("Admit with Done = %+v, want an entry and its key new", got)
	}
	if diff := cmp.Diff([]string{c.ID, got.ID}, ids(entries(t, st, store.InboxPending))); diff != "" {
		t.Errorf("inbox after an Admit that removed two entries (-want +got):\n%s", diff)
	}
	// A redelivery appends nothing and still removes.
	again := delivery("d", now, "kd")
	again.Done = []string{c.ID}
	if got := admit(t, in, again); got.ID != "" {
		t.Errorf("Admit of a redelivery = %+v, want nothing appended", got)
	}
	if diff := cmp.Diff([]string{got.ID}, ids(entries(t, st, store.InboxPending))); diff != "" {
		t.Errorf("inbox after a redelivery's Admit removed one entry (-want +got):\n%s", diff)
	}
}

// Of many instances admitting the same delivery at once, one gets each key.
func (s *suite) intakeConcurrent(t *testing.T) {
	st := s.fresh(t)
	in := intake(t, st)
	now := s.now()
	var mu sync.Mutex
	winners := map[string]int{}
	appended := 0
	var errs []error
	race(50, func(i int) {
		got, err := in.Admit(t.Context(), delivery("same", now, "a", "b", "c"))
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
			return
		}
		for j, k := range []string{"a", "b", "c"} {
			if got.New[j] {
				winners[k]++
			}
		}
		if got.ID != "" {
			appended++
		}
	})
	if len(errs) > 0 {
		t.Fatalf("%d Admits failed, first: %v", len(errs), errs[0])
	}
	if diff := cmp.Diff(map[string]int{"a": 1, "b": 1, "c": 1}, winners); diff != "" {
		t.Errorf("first sightings per key (-want +got):\n%s", diff)
	}
	if n := len(entries(t, st, store.InboxPending)); n != appended || n < 1 || n > 3 {
		t.Errorf("inbox holds %d entries, Admit reported %d appended; want one per winning Admit", n, appended)
	}
}

// A refused Admit records nothing and removes nothing.
func (s *suite) intakeInvalid(t *testing.T) {
	st := s.fresh(t)
	in := intake(t, st)
	now := s.now()
	keep := delivery("kept", now, "kept")
	keep.Actions = nil
	kept := admit(t, in, keep)
	for name, d := range map[string]store.Delivery{
		"no owner":  func() store.Delivery { d := delivery("b", now, "k"); d.Lease.Owner = ""; return d }(),
		"empty key": delivery("b", now, "k", ""),
		"no ttl":    func() store.Delivery { d := delivery("b", now, "k"); d.TTL = 0; return d }(),
		"no user": func() store.Delivery {
			d := delivery("b", now, "k")
			d.Actions[0].User = ""
			return d
		}(),
	} {
		d.Done = []string{kept.ID}
		if _, err := in.Admit(t.Context(), d); !errors.Is(err, store.ErrInvalidInput) {
			t.Errorf("%s: Admit = %v, want ErrInvalidInput", name, err)
		}
	}
	if !firstSeen(t, st, "k", time.Hour) {
		t.Error("a refused Admit recorded its key")
	}
	if diff := cmp.Diff([]string{kept.ID}, ids(entries(t, st, store.InboxPending))); diff != "" {
		t.Errorf("inbox after refused Admits: appended or removed (-want +got):\n%s", diff)
	}
	if w, _ := st.Window(t.Context(), page, user); !w.LastAction.At.IsZero() {
		t.Errorf("a refused Admit recorded a window: %+v", w)
	}
}

func (s *suite) intakeClosed(t *testing.T) {
	st := s.open(t)
	in := intake(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Admit(t.Context(), delivery("b", s.now(), "k")); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Admit after Close = %v, want ErrClosed", err)
	}
	if err := in.Complete(t.Context(), []string{"1"}); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Complete after Close = %v, want ErrClosed", err)
	}
}
