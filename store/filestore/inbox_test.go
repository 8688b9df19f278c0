package filestore

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gomessenger/messenger/store"
)

var inboxNow = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

// openFile opens the store at path and closes it when tb ends.
func openFile(tb testing.TB, path string) *Store {
	tb.Helper()
	s, err := Open(path)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func leaseTo(owner string, until time.Time) store.Lease {
	return store.Lease{Owner: owner, Until: until}
}

// IDs are sequence numbers that keep growing across a restart, even when every
// entry was done before it: a replayed ID never names a different body.
func TestInboxIDsGrowAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := openFile(t, path)
	ctx := t.Context()
	var last uint64
	for range 3 {
		id, err := s.Append(ctx, []byte("b"), inboxNow, leaseTo("a", inboxNow))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Done(ctx, id); err != nil {
			t.Fatal(err)
		}
		last, _ = strconv.ParseUint(id, 10, 64)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openFile(t, path)
	id, err := s.Append(ctx, []byte("after"), inboxNow, leaseTo("a", inboxNow))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.ParseUint(id, 10, 64); n <= last {
		t.Errorf("ID after reopen = %s, want more than %d", id, last)
	}
	// Strings that are not IDs of this store, including other spellings of one.
	for _, bad := range []string{"", "x", "-1", "+" + id, "0" + id, "18446744073709551616"} {
		if err := s.Done(ctx, bad); err != nil {
			t.Errorf("Done(%q) = %v, want nil", bad, err)
		}
		if err := s.Release(ctx, bad, "a", store.Release{}); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("Release(%q) = %v, want ErrLeaseLost", bad, err)
		}
	}
	if es, err := s.Entries(ctx, store.InboxPending); err != nil || len(es) != 1 {
		t.Errorf("Entries = %d entries, %v; want the one appended after reopen", len(es), err)
	}
}

// appendOldLayout writes bodies as a version without leases did: the body bucket
// only, each value timeKey(received) + body, under the bucket's own sequence.
// A damaged state record fails the calls that read it, naming the entry, and
// never panics.
func TestInboxDamagedRecordIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := openFile(t, path)
	ctx := t.Context()
	id, err := s.Append(ctx, []byte("b"), inboxNow, leaseTo("a", inboxNow))
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketInboxState).Put(seqKey(1), []byte{inboxStateLayout}) })
	if err != nil {
		t.Fatal(err)
	}
	want := "inbox entry " + id + ": malformed inbox record"
	_, err = s.Claim(ctx, leaseTo("b", inboxNow), inboxNow, 0)
	if !errors.Is(err, errBadInboxRecord) || !contains(err, want) {
		t.Errorf("Claim = %v, want an error containing %q", err, want)
	}
	_, err = s.Entries(ctx, store.InboxPending)
	if !errors.Is(err, errBadInboxRecord) || !contains(err, want) {
		t.Errorf("Entries = %v, want an error containing %q", err, want)
	}
	// Done removes it all the same.
	if err := s.Done(ctx, id); err != nil {
		t.Errorf("Done = %v", err)
	}
}

func contains(err error, s string) bool { return err != nil && strings.Contains(err.Error(), s) }
