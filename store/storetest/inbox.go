package storetest

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
)

// The suite's lease holders: "a" received the bodies, "b" and others take over.
const ownerA, ownerB = "instance-a", "instance-b"

func entries(t *testing.T, st store.Store, state store.InboxState) []store.InboxEntry {
	t.Helper()
	es, err := st.Entries(t.Context(), state)
	if err != nil {
		t.Fatalf("Entries(%s): %v", state, err)
	}
	return es
}

// appendBody appends body leased to ownerA for a minute from at, and returns the
// entry the store should now hold.
func appendBody(t *testing.T, st store.Store, body string, at time.Time) store.InboxEntry {
	t.Helper()
	l := store.Lease{Owner: ownerA, Until: at.Add(time.Minute)}
	id, err := st.Append(t.Context(), []byte(body), at, l)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	if id == "" {
		t.Fatal("Append returned an empty id")
	}
	return store.InboxEntry{ID: id, Body: []byte(body), Received: at, State: store.InboxPending, Owner: l.Owner, LeaseUntil: l.Until}
}

func claimEntries(t *testing.T, st store.Store, owner string, until, now time.Time, max int) []store.InboxEntry {
	t.Helper()
	es, err := st.Claim(t.Context(), store.Lease{Owner: owner, Until: until}, now, max)
	if err != nil {
		t.Fatalf("Claim(%s): %v", owner, err)
	}
	return es
}

func ids(es []store.InboxEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
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
	if diff := cmp.Diff(all, entries(t, st, store.InboxPending)); diff != "" {
		t.Fatalf("Entries (-want +got):\n%s", diff)
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
	if diff := cmp.Diff(rest, entries(t, st, store.InboxPending)); diff != "" {
		t.Errorf("Entries after Done (-want +got):\n%s", diff)
	}
	if got := entries(t, st, store.InboxDead); len(got) != 0 {
		t.Errorf("Entries(dead) = %d entries, want none", len(got))
	}
	// Entries are copies: changing a returned body changes nothing stored.
	got := entries(t, st, store.InboxPending)
	got[0].Body[0] = 'X'
	if diff := cmp.Diff(rest, entries(t, st, store.InboxPending)); diff != "" {
		t.Errorf("Entries after changing a returned body (-want +got):\n%s", diff)
	}
	// New entries go after the ones left.
	last := appendBody(t, st, "last", now)
	want := append(rest, last)
	if diff := cmp.Diff(want, entries(t, st, store.InboxPending)); diff != "" {
		t.Errorf("Entries after a new Append (-want +got):\n%s", diff)
	}
}

func (s *suite) inboxConcurrent(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	const n = 100
	var mu sync.Mutex
	byID := map[string]string{}
	var errs []error
	race(n, func(i int) {
		body := fmt.Sprintf("body-%d", i)
		id, err := st.Append(t.Context(), []byte(body), now, store.Lease{Owner: ownerA, Until: now})
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
			return
		}
		if prev, dup := byID[id]; dup {
			errs = append(errs, fmt.Errorf("id %s given to %q and %q", id, prev, body))
		}
		byID[id] = body
	})
	if len(errs) > 0 {
		t.Fatalf("%d appends failed, first: %v", len(errs), errs[0])
	}
	got := map[string]string{}
	for _, e := range entries(t, st, store.InboxPending) {
		got[e.ID] = string(e.Body)
	}
	if diff := cmp.Diff(byID, got); diff != "" {
		t.Errorf("Entries after concurrent appends (-want +got):\n%s", diff)
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
	if got := entries(t, st, store.InboxPending); len(got) != 0 {
		t.Errorf("Entries = %d entries, want none", len(got))
	}
}

// A live lease keeps an entry from every other owner; once it has run out, exactly
// one claimer takes the entry over, and the old owner has lost it.
func (s *suite) inboxLease(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	e := appendBody(t, st, "held", now) // leased to a until now+1m
	if got := claimEntries(t, st, ownerB, now.Add(2*time.Minute), now.Add(time.Minute-time.Nanosecond), 0); len(got) != 0 {
		t.Fatalf("Claim while a's lease runs = %v, want none", ids(got))
	}
	// a renews: the entry stays a's past the first minute.
	lost, err := st.Renew(t.Context(), store.Lease{Owner: ownerA, Until: now.Add(2 * time.Minute)}, []string{e.ID, "unknown"})
	if err != nil {
		t.Fatalf("Renew: %v", err)
	}
	if diff := cmp.Diff([]string{"unknown"}, lost); diff != "" {
		t.Errorf("Renew lost (-want +got):\n%s", diff)
	}
	if got := claimEntries(t, st, ownerB, now.Add(3*time.Minute), now.Add(time.Minute), 0); len(got) != 0 {
		t.Fatalf("Claim after a renewed = %v, want none", ids(got))
	}
	// The renewed lease runs out (to the nanosecond): b takes the entry.
	at := now.Add(2 * time.Minute)
	got := claimEntries(t, st, ownerB, at.Add(time.Minute), at, 0)
	want := e
	want.Owner, want.LeaseUntil = ownerB, at.Add(time.Minute)
	if diff := cmp.Diff([]store.InboxEntry{want}, got); diff != "" {
		t.Fatalf("Claim after the lease ran out (-want +got):\n%s", diff)
	}
	// a has lost it: renewing and releasing fail, and change nothing.
	lost, err = st.Renew(t.Context(), store.Lease{Owner: ownerA, Until: at.Add(time.Hour)}, []string{e.ID})
	if err != nil {
		t.Fatalf("Renew: %v", err)
	}
	if diff := cmp.Diff([]string{e.ID}, lost); diff != "" {
		t.Errorf("Renew by the old owner lost (-want +got):\n%s", diff)
	}
	if err := st.Release(t.Context(), e.ID, ownerA, store.Release{Failed: true, Reason: "x"}); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Release by the old owner = %v, want ErrLeaseLost", err)
	}
	if diff := cmp.Diff([]store.InboxEntry{want}, entries(t, st, store.InboxPending)); diff != "" {
		t.Errorf("entry after the old owner's attempts (-want +got):\n%s", diff)
	}
}

// Claim hands out free entries oldest first, at most max, and each to one claimer.
func (s *suite) inboxClaimConcurrent(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	var all []store.InboxEntry
	for i := range 40 {
		all = append(all, appendBody(t, st, fmt.Sprintf("b%d", i), now))
	}
	free := now.Add(time.Minute) // every lease has run out
	first := claimEntries(t, st, "first", free.Add(time.Minute), free, 3)
	if diff := cmp.Diff(ids(all[:3]), ids(first)); diff != "" {
		t.Errorf("Claim(max 3) took (-want +got):\n%s", diff)
	}
	var mu sync.Mutex
	got := map[string][]string{}
	var errs []error
	race(50, func(i int) {
		owner := fmt.Sprintf("claimer-%d", i)
		es, err := st.Claim(t.Context(), store.Lease{Owner: owner, Until: free.Add(time.Minute)}, free, 1+i%3)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
		}
		for _, e := range es {
			got[e.ID] = append(got[e.ID], owner)
		}
	})
	if len(errs) > 0 {
		t.Fatalf("%d claims failed, first: %v", len(errs), errs[0])
	}
	var twice []string
	for id, owners := range got {
		if len(owners) > 1 {
			twice = append(twice, fmt.Sprintf("%s: %v", id, owners))
		}
	}
	if len(twice) > 0 {
		sort.Strings(twice)
		t.Errorf("entries claimed by more than one owner: %v", twice)
	}
	if len(got) != len(all)-3 {
		t.Errorf("concurrent claims took %d entries, want the %d free ones", len(got), len(all)-3)
	}
	if left := claimEntries(t, st, "late", free.Add(time.Minute), free, 0); len(left) != 0 {
		t.Errorf("Claim after every entry was taken = %v, want none", ids(left))
	}
}

// A failed run counts an attempt, keeps the reason and waits for its retry time; a
// release at shutdown counts nothing and frees the entry at once.
func (s *suite) inboxRelease(t *testing.T) {
	st := s.fresh(t)
	ctx := t.Context()
	now := s.now()
	e := appendBody(t, st, "fails", now)
	retry := now.Add(10 * time.Second)
	if err := st.Release(ctx, e.ID, ownerA, store.Release{Failed: true, Reason: "handler: boom", RetryAt: retry}); err != nil {
		t.Fatalf("Release: %v", err)
	}
	want := e
	want.Owner, want.LeaseUntil, want.Attempts, want.LastError, want.RetryAt = "", time.Time{}, 1, "handler: boom", retry
	if diff := cmp.Diff([]store.InboxEntry{want}, entries(t, st, store.InboxPending)); diff != "" {
		t.Errorf("entry after a failed run (-want +got):\n%s", diff)
	}
	if got := claimEntries(t, st, ownerB, retry.Add(time.Minute), retry.Add(-time.Nanosecond), 0); len(got) != 0 {
		t.Fatalf("Claim before the retry time = %v, want none", ids(got))
	}
	got := claimEntries(t, st, ownerB, retry.Add(time.Minute), retry, 0)
	if len(got) != 1 || got[0].Attempts != 1 || got[0].Owner != ownerB {
		t.Fatalf("Claim at the retry time = %+v, want the entry with 1 attempt, owned by b", got)
	}
	// b shuts down before running it: the entry is free at once, attempts unchanged.
	if err := st.Release(ctx, e.ID, ownerB, store.Release{}); err != nil {
		t.Fatalf("Release at shutdown: %v", err)
	}
	got = claimEntries(t, st, ownerA, retry.Add(time.Hour), retry, 0)
	if len(got) != 1 || got[0].Attempts != 1 {
		t.Fatalf("Claim after a shutdown release = %+v, want the entry, still 1 attempt", got)
	}
	if err := st.Release(ctx, e.ID, "", store.Release{}); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Release with no owner = %v, want ErrLeaseLost", err)
	}
	if err := st.Release(ctx, "unknown", ownerA, store.Release{}); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Release of an unknown id = %v, want ErrLeaseLost", err)
	}
}

// A dead entry is listed apart, never claimed, and runs again only after Redrive.
func (s *suite) inboxDeadLetter(t *testing.T) {
	st := s.fresh(t)
	ctx := t.Context()
	now := s.now()
	keep := appendBody(t, st, "fine", now)
	e := appendBody(t, st, "poison", now)
	if err := st.Release(ctx, e.ID, ownerA, store.Release{Failed: true, Reason: "bad", Dead: true}); err != nil {
		t.Fatalf("Release(dead): %v", err)
	}
	dead := e
	dead.State, dead.Attempts, dead.LastError, dead.Owner, dead.LeaseUntil = store.InboxDead, 1, "bad", "", time.Time{}
	if diff := cmp.Diff([]store.InboxEntry{dead}, entries(t, st, store.InboxDead)); diff != "" {
		t.Errorf("Entries(dead) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]store.InboxEntry{keep}, entries(t, st, store.InboxPending)); diff != "" {
		t.Errorf("Entries(pending) (-want +got):\n%s", diff)
	}
	later := now.Add(24 * time.Hour)
	got := claimEntries(t, st, ownerB, later.Add(time.Minute), later, 0)
	if diff := cmp.Diff([]string{keep.ID}, ids(got)); diff != "" {
		t.Errorf("Claim took (-want +got), the dead entry must stay:\n%s", diff)
	}
	if lost, err := st.Renew(ctx, store.Lease{Owner: ownerA, Until: later}, []string{e.ID}); err != nil || len(lost) != 1 {
		t.Errorf("Renew of a dead entry = %v, %v; want it lost", lost, err)
	}
	for _, id := range []string{"unknown", keep.ID} {
		if err := st.Redrive(ctx, id); !errors.Is(err, store.ErrNoEntry) {
			t.Errorf("Redrive(%q) = %v, want ErrNoEntry (not a dead entry)", id, err)
		}
	}
	if err := st.Redrive(ctx, e.ID); err != nil {
		t.Fatalf("Redrive: %v", err)
	}
	if got := entries(t, st, store.InboxDead); len(got) != 0 {
		t.Errorf("Entries(dead) after Redrive = %v, want none", ids(got))
	}
	got = claimEntries(t, st, ownerB, later.Add(time.Minute), later, 0)
	want := e
	want.Owner, want.LeaseUntil = ownerB, later.Add(time.Minute)
	if diff := cmp.Diff([]store.InboxEntry{want}, got); diff != "" {
		t.Errorf("Claim after Redrive (-want +got), a fresh entry:\n%s", diff)
	}
}

func (s *suite) inboxInvalid(t *testing.T) {
	st := s.fresh(t)
	ctx := t.Context()
	now := s.now()
	noOwner := store.Lease{Until: now.Add(time.Minute)}
	if _, err := st.Append(ctx, []byte("b"), now, noOwner); !errors.Is(err, store.ErrInvalidInput) {
		t.Errorf("Append with no owner = %v, want ErrInvalidInput", err)
	}
	if _, err := st.Claim(ctx, noOwner, now, 0); !errors.Is(err, store.ErrInvalidInput) {
		t.Errorf("Claim with no owner = %v, want ErrInvalidInput", err)
	}
	if _, err := st.Renew(ctx, noOwner, []string{"1"}); !errors.Is(err, store.ErrInvalidInput) {
		t.Errorf("Renew with no owner = %v, want ErrInvalidInput", err)
	}
	if got := entries(t, st, store.InboxPending); len(got) != 0 {
		t.Errorf("Entries after refused calls = %v, want none", ids(got))
	}
}
