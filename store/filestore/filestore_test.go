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
	// The webhook appends each verified body, leased to the instance that received
	// it, before answering 200.
	received := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	lease := store.Lease{Owner: "instance-1", Until: received.Add(time.Minute)}
	id, _ := s.Append(ctx, []byte(`{"object":"page","entry":[]}`), received, lease)
	_ = s.Close() // or a crash: the entry is on disk already

	s, _ = filestore.Open(path)
	defer s.Close()
	// Once the lease has run out, another instance takes the entry over.
	later := received.Add(time.Minute)
	taken, _ := s.Claim(ctx, store.Lease{Owner: "instance-2", Until: later.Add(time.Minute)}, later, 0)
	for _, e := range taken {
		fmt.Println(e.ID == id, e.Owner, string(e.Body))
		_ = s.Done(ctx, e.ID) // its events handled
	}
	// Output:
	// true instance-2 {"object":"page","entry":[]}
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

func TestOpenRejectsBadOptions(t *testing.T) {
	for _, tt := range []struct {
		name string
		opt  filestore.Option
		want []string // the option, the limit and the value, in the error
	}{
		{"nil clock", filestore.WithClock(nil), []string{"WithClock", "must not be nil"}},
		{"negative lock timeout", filestore.WithLockTimeout(-time.Second), []string{"WithLockTimeout", "at least 0", "got -1s"}},
		{"mode with type bits", filestore.WithFileMode(os.ModeDir | 0o600), []string{"WithFileMode", "within 0777", "got 020000000600"}},
		{"mode the owner cannot write", filestore.WithFileMode(0o400), []string{"WithFileMode", "owner read and write", "got 0400"}},
		{"nil option", nil, []string{"nil Option"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "store.db")
			s, err := filestore.Open(path, tt.opt)
			if err == nil {
				s.Close()
				t.Fatal("Open accepted the option")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if _, statErr := os.Stat(path); !errors.Is(statErr, os.ErrNotExist) {
				t.Errorf("Open with a refused option created the file (stat: %v)", statErr)
			}
		})
	}
}
