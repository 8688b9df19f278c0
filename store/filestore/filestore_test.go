package filestore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/filestore"
	"github.com/gomessenger/messenger/store/storetest"
)

func TestConformance(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC))
	open := func(t *testing.T, path string) store.Store {
		s, err := filestore.Open(path, filestore.WithClock(clock.Now))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	}
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), "state.db"))
	},
		storetest.WithClock(clock),
		storetest.WithReopen(func(t *testing.T, closed store.Store) store.Store {
			return open(t, closed.(*filestore.Store).Path())
		}),
	)
}

func openTemp(t *testing.T, opts ...filestore.Option) *filestore.Store {
	t.Helper()
	s, err := filestore.Open(filepath.Join(t.TempDir(), "state.db"), opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestOpenLockedFileFails(t *testing.T) {
	s := openTemp(t)
	_, err := filestore.Open(s.Path(), filestore.WithLockTimeout(0))
	if err == nil || !strings.Contains(err.Error(), "locked by another process") {
		t.Errorf("second Open = %v, want a lock error", err)
	}
}

func TestOpenEmptyPath(t *testing.T) {
	_, err := filestore.Open("")
	if !errors.Is(err, store.ErrInvalidInput) {
		t.Errorf("Open(\"\") = %v, want ErrInvalidInput", err)
	}
}

func TestFileIsPrivate(t *testing.T) {
	s := openTemp(t)
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("file mode %v: tokens and bodies must not be readable by others", perm)
	}
}

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

func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "bot")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "messenger.db")
	ctx := context.Background()

	s, err := filestore.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The webhook appends each verified body before answering 200.
	id, _ := s.Append(ctx, []byte(`{"object":"page","entry":[]}`), time.Now())
	_ = s.Close() // or a crash: the entry is on disk already

	s, _ = filestore.Open(path)
	defer s.Close()
	pending, _ := s.Pending(ctx, time.Now())
	for _, e := range pending {
		fmt.Println(e.ID == id, string(e.Body))
	}
	// Output:
	// true {"object":"page","entry":[]}
}

func BenchmarkFileStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store {
		s, err := filestore.Open(filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		return s
	})
}
