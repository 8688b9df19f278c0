package filestore

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"github.com/gomessenger/messenger/store"
)

func testDB(t *testing.T) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "g.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err }); err != nil {
		t.Fatal(err)
	}
	return db
}

func putCall(k string) *commitCall {
	return &commitCall{fn: func(tx *bolt.Tx) error { return tx.Bucket([]byte("b")).Put([]byte(k), []byte(k)) }}
}

func keys(t *testing.T, db *bolt.DB) []string {
	t.Helper()
	var ks []string
	_ = db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("b")).ForEach(func(k, _ []byte) error { ks = append(ks, string(k)); return nil })
	})
	return ks
}

func txID(db *bolt.DB) int {
	var id int
	_ = db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil })
	return id
}

func TestGroupCommitFailingCallDoesNotFailOthers(t *testing.T) {
	db := testDB(t)
	boom := errors.New("boom")
	bad := &commitCall{fn: func(tx *bolt.Tx) error {
		_ = tx.Bucket([]byte("b")).Put([]byte("bad"), nil)
		return boom
	}}
	noTok := &commitCall{fn: func(*bolt.Tx) error { return store.ErrNoToken }}
	batch := []*commitCall{putCall("a"), noTok, bad, putCall("c")}
	run(db, batch)
	for i, want := range []error{nil, store.ErrNoToken, boom, nil} {
		if !errors.Is(batch[i].err, want) || (want == nil && batch[i].err != nil) {
			t.Errorf("call %d: err = %v, want %v", i, batch[i].err, want)
		}
	}
	if diff := cmp.Diff([]string{"a", "c"}, keys(t, db)); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

func TestGroupCommitNothingWrittenNoCommit(t *testing.T) {
	db := testDB(t)
	before := txID(db)
	run(db, []*commitCall{
		{fn: func(*bolt.Tx) error { return errUnchanged }},
		{fn: func(*bolt.Tx) error { return store.ErrNoToken }},
	})
	if after := txID(db); after != before {
		t.Errorf("a batch that wrote nothing committed (tx %d → %d)", before, after)
	}
}

func TestGroupCommitConcurrentCallers(t *testing.T) {
	db := testDB(t)
	var g groupCommit
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = g.do(db, putCall(fmt.Sprintf("k%03d", i)).fn)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if got := len(keys(t, db)); got != n {
		t.Errorf("%d keys written, want %d", got, n)
	}
	if g.leading || len(g.queue) != 0 {
		t.Errorf("after all calls returned: leading %v, %d queued; want idle", g.leading, len(g.queue))
	}
}
