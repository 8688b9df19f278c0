package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
)

func pending(t *testing.T, st store.Store, before time.Time) []store.InboxEntry {
	t.Helper()
	es, err := st.Pending(t.Context(), before)
	if err != nil {
		t.Fatalf("Pending: %v", err)
	}
	return es
}

func appendBody(t *testing.T, st store.Store, body string, at time.Time) store.InboxEntry {
	t.Helper()
	id, err := st.Append(t.Context(), []byte(body), at)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	if id == "" {
		t.Fatal("Append returned an empty id")
	}
	return store.InboxEntry{ID: id, Body: []byte(body), Received: at}
}

func (s *suite) inboxOrder(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	var all []store.InboxEntry
	for i := range 30 {
		// Received times are not in append order: the queue order is the append order.
		at := now.Add(time.Duration(i%7)*time.Second + time.Duration(i))
		all = append(all, appendBody(t, st, fmt.Sprintf(`{"object":"page","n":%d}`, i), at))
	}
	future := now.Add(time.Hour)
	if diff := cmp.Diff(all, pending(t, st, future)); diff != "" {
		t.Fatalf("Pending (-want +got):\n%s", diff)
	}
	var rest []store.InboxEntry
	for i, e := range all {
		if i%3 == 0 {
			if err := st.Done(t.Context(), e.ID); err != nil {
				t.Fatalf("Done(%s): %v", e.ID, err)
			}
			continue
		}
		rest = append(rest, e)
	}
	if diff := cmp.Diff(rest, pending(t, st, future)); diff != "" {
		t.Errorf("Pending after Done (-want +got):\n%s", diff)
	}
	// receivedBefore is exclusive, to the nanosecond.
	cut := all[8].Received
	var before []store.InboxEntry
	for _, e := range rest {
		if e.Received.Before(cut) {
			before = append(before, e)
		}
	}
	if diff := cmp.Diff(before, pending(t, st, cut)); diff != "" {
		t.Errorf("Pending(receivedBefore) (-want +got):\n%s", diff)
	}
	// Entries are copies: changing a returned body changes nothing stored.
	got := pending(t, st, future)
	got[0].Body[0] = 'X'
	if diff := cmp.Diff(rest, pending(t, st, future)); diff != "" {
		t.Errorf("Pending after changing a returned body (-want +got):\n%s", diff)
	}
	// New entries go after the ones left.
	last := appendBody(t, st, "last", now)
	want := append(rest, last)
	if diff := cmp.Diff(want, pending(t, st, future)); diff != "" {
		t.Errorf("Pending after a new Append (-want +got):\n%s", diff)
	}
}

func (s *suite) inboxConcurrent(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	const n = 100
	var mu sync.Mutex
	ids := map[string]string{}
	var errs []error
	race(n, func(i int) {
		body := fmt.Sprintf("body-%d", i)
		id, err := st.Append(t.Context(), []byte(body), now)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
			return
		}
		if prev, dup := ids[id]; dup {
			errs = append(errs, fmt.Errorf("id %s given to %q and %q", id, prev, body))
		}
		ids[id] = body
	})
	if len(errs) > 0 {
		t.Fatalf("%d appends failed, first: %v", len(errs), errs[0])
	}
	got := map[string]string{}
	for _, e := range pending(t, st, now.Add(time.Nanosecond)) {
		got[e.ID] = string(e.Body)
	}
	if diff := cmp.Diff(ids, got); diff != "" {
		t.Errorf("Pending after concurrent appends (-want +got):\n%s", diff)
	}
}

func (s *suite) inboxDoneUnknown(t *testing.T) {
	st := s.fresh(t)
	e := appendBody(t, st, "b", s.now())
	for _, id := range []string{"unknown", "0", "999999", e.ID, e.ID} {
		if err := st.Done(t.Context(), id); err != nil {
			t.Errorf("Done(%q) = %v, want nil (Done is repeatable)", id, err)
		}
	}
	if got := pending(t, st, s.now().Add(time.Hour)); len(got) != 0 {
		t.Errorf("Pending = %d entries, want none", len(got))
	}
}
