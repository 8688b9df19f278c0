package redisstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gomessenger/messenger/redisstore"
)

// Pending reads the stream a page at a time: more entries than a page, in order,
// none lost or repeated at the page boundaries.
func TestPendingPagesThroughALongInbox(t *testing.T) {
	c := client(t)
	s := newStore(t, c, redisstore.WithPrefix(freshPrefix(t, c)))
	ctx := t.Context()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	const n = 1100 // more than two pages of 512
	for i := range n {
		if _, err := s.Append(ctx, fmt.Appendf(nil, "%d", i), now.Add(time.Duration(i))); err != nil {
			t.Fatal(err)
		}
	}
	es, err := s.Pending(ctx, now.Add(n))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != n {
		t.Fatalf("Pending = %d entries, want %d", len(es), n)
	}
	for i, e := range es {
		if string(e.Body) != fmt.Sprint(i) || !e.Received.Equal(now.Add(time.Duration(i))) {
			t.Fatalf("entry %d = %q at %v", i, e.Body, e.Received)
		}
	}
	for _, bad := range []string{"", "x", "1-x", "0-0"} {
		if err := s.Done(ctx, bad); err != nil {
			t.Errorf("Done(%q) = %v, want nil", bad, err)
		}
	}
}
