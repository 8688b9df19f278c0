package filestore_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/gomessenger/messenger/store/filestore"
)

// IDs are sequence numbers that keep growing across a restart, even when every
// entry was done before it: a replayed ID never names a different body.
func TestInboxIDsGrowAcrossReopen(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	now := time.Now()
	var last uint64
	for range 3 {
		id, err := s.Append(ctx, []byte("b"), now)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Done(ctx, id); err != nil {
			t.Fatal(err)
		}
		last, _ = strconv.ParseUint(id, 10, 64)
	}
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := filestore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id, err := s.Append(ctx, []byte("after"), now)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.ParseUint(id, 10, 64); n <= last {
		t.Errorf("ID after reopen = %s, want more than %d", id, last)
	}
	for _, bad := range []string{"", "x", "-1", "18446744073709551616"} {
		if err := s.Done(ctx, bad); err != nil {
			t.Errorf("Done(%q) = %v, want nil", bad, err)
		}
	}
}
