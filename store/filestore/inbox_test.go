package filestore

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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
func appendOldLayout(tx *bolt.Tx, bodies ...string) error {
	b := tx.Bucket(bucketInbox)
	for i, body := range bodies {
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		if err := b.Put(seqKey(seq), concat(timeKey(inboxNow.Add(time.Duration(i))), []byte(body))); err != nil {
			return err
		}
	}
	return nil
}

// oldEntry is how an entry written by a version without leases reads: pending,
// unleased, no attempts.
func oldEntry(id, body string, i int) store.InboxEntry {
	return store.InboxEntry{ID: id, Body: []byte(body), Received: inboxNow.Add(time.Duration(i)), State: store.InboxPending}
}

// An upgrade loses no acknowledged body: entries written by a version that kept
// bodies only are pending, free and counted from zero attempts; and a file such a
// version ran on again (a rollback) opens consistent.
func TestInboxOpensBodiesOfOlderVersions(t *testing.T) {
	tests := []struct {
		name string
		// file writes a file as an older version left it, given a store path.
		file func(t *testing.T, path string)
		want []store.InboxEntry
	}{
		{"file written before leases", func(t *testing.T, path string) {
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			err = db.Update(func(tx *bolt.Tx) error {
				for _, name := range allBuckets {
					if _, err := tx.CreateBucket(name); err != nil {
						return err
					}
				}
				if err := tx.Bucket(bucketMeta).Put(keyVersion, []byte(formatVersion)); err != nil {
					return err
				}
				return appendOldLayout(tx, "one", "two")
			})
			if err != nil {
				t.Fatal(err)
			}
		}, []store.InboxEntry{oldEntry("1", "one", 0), oldEntry("2", "two", 1)}},
		{"body appended by an older version since", func(t *testing.T, path string) {
			s := openFile(t, path)
			if _, err := s.Append(t.Context(), []byte("new"), inboxNow, leaseTo("a", inboxNow.Add(time.Hour))); err != nil {
				t.Fatal(err)
			}
			_ = s.Close()
			rawUpdate(t, path, func(tx *bolt.Tx) error { return appendOldLayout(tx, "x", "old") })
		}, []store.InboxEntry{
			{ID: "1", Body: []byte("new"), Received: inboxNow, State: store.InboxPending, Owner: "a", LeaseUntil: inboxNow.Add(time.Hour)},
			oldEntry("2", "x", 0), oldEntry("3", "old", 1),
		}},
		{"entry done by an older version since", func(t *testing.T, path string) {
			s := openFile(t, path)
			for _, b := range []string{"gone", "kept"} {
				if _, err := s.Append(t.Context(), []byte(b), inboxNow, leaseTo("a", inboxNow)); err != nil {
					t.Fatal(err)
				}
			}
			_ = s.Close()
			// The older version deleted the body and knew nothing of its record.
			rawUpdate(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bucketInbox).Delete(seqKey(1)) })
		}, []store.InboxEntry{{ID: "2", Body: []byte("kept"), Received: inboxNow, State: store.InboxPending, Owner: "a", LeaseUntil: inboxNow}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			path := filepath.Join(t.TempDir(), "state.db")
			tc.file(t, path)
			s := openFile(t, path)
			got, err := s.Entries(ctx, store.InboxPending)
			if err != nil {
				t.Fatalf("Entries: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Entries after Open (-want +got):\n%s", diff)
			}
			// Every entry runs again once its lease (if any) is over, and the
			// handling records of the old entries work as for new ones.
			later := inboxNow.Add(2 * time.Hour)
			claimed, err := s.Claim(ctx, leaseTo("b", later.Add(time.Minute)), later, 0)
			if err != nil {
				t.Fatalf("Claim: %v", err)
			}
			if diff := cmp.Diff(ids(tc.want), ids(claimed)); diff != "" {
				t.Errorf("Claim took (-want +got):\n%s", diff)
			}
			first := claimed[0].ID
			if err := s.Release(ctx, first, "b", store.Release{Failed: true, Reason: "r", Dead: true}); err != nil {
				t.Fatalf("Release: %v", err)
			}
			dead, err := s.Entries(ctx, store.InboxDead)
			if err != nil || len(dead) != 1 || dead[0].ID != first || dead[0].Attempts != 1 {
				t.Errorf("Entries(dead) = %+v, %v; want %s with 1 attempt", dead, err, first)
			}
			for _, e := range claimed {
				if err := s.Done(ctx, e.ID); err != nil {
					t.Fatalf("Done(%s): %v", e.ID, err)
				}
			}
			if n := countBoth(t, s); n != [2]int{} {
				t.Errorf("bodies and state records after Done = %v, want none of either", n)
			}
		})
	}
}

func ids(es []store.InboxEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func rawUpdate(t *testing.T, path string, fn func(*bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func countBoth(t testing.TB, s *Store) (n [2]int) {
	t.Helper()
	_ = s.db.View(func(tx *bolt.Tx) error {
		n = [2]int{countKeys(tx.Bucket(bucketInbox)), countKeys(tx.Bucket(bucketInboxState))}
		return nil
	})
	return n
}

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

// A webhook delivery costs one synced transaction to acknowledge (Append, already
// leased to the instance that received it) and one to finish (Done); calls that
// change nothing commit nothing.
func TestInboxTransactionsPerCall(t *testing.T) {
	s := openFile(t, filepath.Join(t.TempDir(), "state.db"))
	ctx := t.Context()
	var id string
	steps := []txStep{
		{"Append", func() (err error) {
			id, err = s.Append(ctx, []byte("b"), inboxNow, leaseTo("a", inboxNow.Add(time.Minute)))
			return err
		}, 1},
		{"Claim of a held entry", func() error {
			_, err := s.Claim(ctx, leaseTo("b", inboxNow.Add(time.Hour)), inboxNow, 0)
			return err
		}, 0},
		{"Renew", func() error {
			_, err := s.Renew(ctx, leaseTo("a", inboxNow.Add(2*time.Minute)), []string{id, "99"})
			return err
		}, 1},
		{"Renew by another owner", func() error {
			_, err := s.Renew(ctx, leaseTo("b", inboxNow.Add(2*time.Minute)), []string{id})
			return err
		}, 0},
		{"Release by another owner", func() error {
			if err := s.Release(ctx, id, "b", store.Release{}); !errors.Is(err, store.ErrLeaseLost) {
				return fmt.Errorf("got %v, want ErrLeaseLost", err)
			}
			return nil
		}, 0},
		{"Release", func() error { return s.Release(ctx, id, "a", store.Release{Failed: true, Dead: true}) }, 1},
		{"Redrive", func() error { return s.Redrive(ctx, id) }, 1},
		{"Redrive of a pending entry", func() error {
			if err := s.Redrive(ctx, id); !errors.Is(err, store.ErrNoEntry) {
				return fmt.Errorf("got %v, want ErrNoEntry", err)
			}
			return nil
		}, 0},
		{"Claim", func() error {
			es, err := s.Claim(ctx, leaseTo("b", inboxNow.Add(time.Hour)), inboxNow, 0)
			if err == nil && len(es) != 1 {
				err = fmt.Errorf("claimed %d entries, want 1", len(es))
			}
			return err
		}, 1},
		{"Done", func() error { return s.Done(ctx, id) }, 1},
		{"Done again", func() error { return s.Done(ctx, id) }, 0},
	}
	checkTransactions(t, s, steps)
}

// txStep is a call and how many transactions it must commit.
type txStep struct {
	name string
	call func() error
	want int
}

// checkTransactions runs steps in order, stopping at the first call that fails,
// and reports each that committed another number of transactions than it must.
func checkTransactions(t *testing.T, s *Store, steps []txStep) {
	t.Helper()
	for _, st := range steps {
		before := txID(s.db)
		if err := st.call(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := txID(s.db) - before; got != st.want {
			t.Errorf("%s committed %d transactions, want %d", st.name, got, st.want)
		}
	}
}

// fillInbox appends n free entries (leases already run out) in one transaction,
// as Append writes them, so a benchmark has entries to claim.
func fillInbox(b *testing.B, s *Store, n int) {
	b.Helper()
	state := encodeInboxState(&store.InboxEntry{State: store.InboxPending, Owner: "receiver"})
	err := s.db.Update(func(tx *bolt.Tx) error {
		bodies := tx.Bucket(bucketInbox)
		for range n {
			seq, err := bodies.NextSequence()
			if err != nil {
				return err
			}
			if err := bodies.Put(seqKey(seq), concat(timeKey(inboxNow), benchBody)); err != nil {
				return err
			}
			if err := tx.Bucket(bucketInboxState).Put(seqKey(seq), state); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// benchBody is the size of a typical webhook delivery of one message.
var benchBody = []byte(`{"object":"page","entry":[{"id":"1234567890","time":1772366400000,"messaging":[{"sender":{"id":"6789012345"},"recipient":{"id":"1234567890"},"timestamp":1772366400000,"message":{"mid":"m_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789","text":"Where is my order?"}}]}]}`)

// reportTx reports the transactions committed per entry since the tx ID before.
func reportTx(b *testing.B, s *Store, before, entries int) {
	b.ReportMetric(float64(txID(s.db)-before)/float64(entries), "tx/entry")
	b.ReportMetric(float64(entries)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkInbox measures an acknowledgement (Append) from one caller and from 100
// at once, and handling (Claim, then Done of each entry claimed) one entry per
// Claim, and 100 per Claim with their Dones concurrent. tx/entry shows how many
// synced transactions each entry cost: the group commit lets concurrent calls
// share one.
func BenchmarkInbox(b *testing.B) {
	b.Run("Append", func(b *testing.B) { benchAppend(b, 1) })
	b.Run("Append/concurrent=100", func(b *testing.B) { benchAppend(b, 100) })
	b.Run("ClaimDone/batch=1", func(b *testing.B) { benchClaimDone(b, 1) })
	b.Run("ClaimDone/batch=100", func(b *testing.B) { benchClaimDone(b, 100) })
}

func benchAppend(b *testing.B, callers int) {
	s := openFile(b, filepath.Join(b.TempDir(), "bench.db"))
	lease := leaseTo("receiver", inboxNow.Add(time.Minute))
	before := txID(s.db)
	b.ResetTimer()
	if callers == 1 {
		for b.Loop() {
			if _, err := s.Append(b.Context(), benchBody, inboxNow, lease); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		procs := runtime.GOMAXPROCS(0)
		b.SetParallelism((callers + procs - 1) / procs) // RunParallel starts this times GOMAXPROCS goroutines
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.Append(b.Context(), benchBody, inboxNow, lease); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.StopTimer()
	reportTx(b, s, before, b.N)
}

func benchClaimDone(b *testing.B, batch int) {
	s := openFile(b, filepath.Join(b.TempDir(), "bench.db"))
	ctx := b.Context()
	fillInbox(b, s, b.N)
	lease := leaseTo("worker", inboxNow.Add(time.Hour))
	before := txID(s.db)
	b.ResetTimer()
	for done := 0; done < b.N; {
		es, err := s.Claim(ctx, lease, inboxNow, batch)
		if err != nil || len(es) == 0 {
			b.Fatalf("Claim = %d entries, %v", len(es), err)
		}
		var wg sync.WaitGroup
		for _, e := range es {
			wg.Go(func() {
				if err := s.Done(ctx, e.ID); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
		done += len(es)
	}
	b.StopTimer()
	reportTx(b, s, before, b.N)
}
