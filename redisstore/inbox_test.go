package redisstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger/redisstore"
	"github.com/gomessenger/messenger/store"
)

var inboxNow = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

func entryIDs(es []store.InboxEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// oldAppend writes an entry as the versions that kept the inbox in a stream did.
func oldAppend(t *testing.T, c *redis.Client, prefix, body string, received time.Time) string {
	t.Helper()
	id, err := c.XAdd(t.Context(), &redis.XAddArgs{Stream: prefix + ":inbox",
		Values: []any{"body", body, "rs", fmt.Sprint(received.Unix()), "rn", fmt.Sprint(received.Nanosecond())}}).Result()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Entries an older version acknowledged and left in its stream are neither lost nor
// reordered on upgrade: they keep their ids and received times, come before every
// entry appended since, are free at once, and the stream is gone afterwards. More
// than one script's batch is moved.
func TestInboxMovesTheOldStream(t *testing.T) {
	for _, first := range []string{"Entries", "Claim"} {
		t.Run(first, func(t *testing.T) {
			c := client(t)
			prefix := freshPrefix(t, c)
			s := newStore(t, c, redisstore.WithPrefix(prefix))
			ctx := t.Context()
			var want []store.InboxEntry
			for i := range 600 {
				at := inboxNow.Add(time.Duration(i) * time.Nanosecond)
				id := oldAppend(t, c, prefix, fmt.Sprintf("old-%d", i), at)
				want = append(want, store.InboxEntry{ID: id, Body: fmt.Appendf(nil, "old-%d", i), Received: at, State: store.InboxPending})
			}
			gone := oldAppend(t, c, prefix, "handled before the upgrade", inboxNow)
			if err := c.XDel(ctx, prefix+":inbox", gone).Err(); err != nil {
				t.Fatal(err)
			}
			// A new instance appends before anything reads the old entries.
			lease := store.Lease{Owner: "new", Until: inboxNow.Add(time.Minute)}
			id, err := s.Append(ctx, []byte("new"), inboxNow, lease)
			if err != nil {
				t.Fatal(err)
			}
			newest := store.InboxEntry{ID: id, Body: []byte("new"), Received: inboxNow, State: store.InboxPending, Owner: "new", LeaseUntil: lease.Until}

			var got []store.InboxEntry
			if first == "Claim" {
				got, err = s.Claim(ctx, store.Lease{Owner: "b", Until: inboxNow.Add(time.Hour)}, inboxNow, 0)
				for i := range want {
					want[i].Owner, want[i].LeaseUntil = "b", inboxNow.Add(time.Hour)
				}
			} else {
				got, err = s.Entries(ctx, store.InboxPending)
				want = append(want, newest)
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s after the upgrade (-want +got):\n%s", first, diff)
			}
			if n := c.Exists(ctx, prefix+":inbox").Val(); n != 0 {
				t.Errorf("the old stream still exists")
			}
			// The old ids still name their entries.
			if err := s.Done(ctx, want[0].ID); err != nil {
				t.Fatal(err)
			}
			es, err := s.Entries(ctx, store.InboxPending)
			if err != nil {
				t.Fatal(err)
			}
			wantIDs := append(entryIDs(want[1:600]), id)
			if diff := cmp.Diff(wantIDs, entryIDs(es)); diff != "" {
				t.Errorf("Entries after Done(%s) (-want +got):\n%s", want[0].ID, diff)
			}
		})
	}
}

// Claim hands out the oldest free entries first even when more entries become
// free at once than one script moves, and when they became free in the reverse
// order; and it finds free entries behind many that are still leased.
func TestInboxClaimOrderInALargeInbox(t *testing.T) {
	c := client(t)
	s := newStore(t, c, redisstore.WithPrefix(freshPrefix(t, c)))
	ctx := t.Context()
	const leased, free = 700, 600
	later := inboxNow.Add(time.Hour)
	for i := range leased {
		if _, err := s.Append(ctx, fmt.Appendf(nil, "held-%d", i), inboxNow, store.Lease{Owner: "a", Until: later}); err != nil {
			t.Fatal(err)
		}
	}
	var want []string
	for i := range free {
		// Each lease runs out a nanosecond before the one appended before it.
		until := inboxNow.Add(time.Duration(free-i) * time.Nanosecond)
		id, err := s.Append(ctx, fmt.Appendf(nil, "free-%d", i), inboxNow, store.Lease{Owner: "a", Until: until})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	at := inboxNow.Add(free * time.Nanosecond)
	lease := store.Lease{Owner: "b", Until: at.Add(time.Minute)}
	got, err := s.Claim(ctx, lease, at, 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[:1], entryIDs(got)); diff != "" {
		t.Errorf("Claim(max 1) (-want +got):\n%s", diff)
	}
	got, err = s.Claim(ctx, lease, at, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[1:], entryIDs(got)); diff != "" {
		t.Errorf("Claim(no limit) (-want +got):\n%s", diff)
	}
	if got, err = s.Claim(ctx, lease, at, 0); err != nil || len(got) != 0 {
		t.Errorf("Claim with every free entry taken = %v, %v; want none", entryIDs(got), err)
	}
}

// Renew holds more ids than one script takes, and Entries reads more entries than
// one script lists: in order, none lost or repeated at the boundaries.
func TestInboxManyEntries(t *testing.T) {
	c := client(t)
	s := newStore(t, c, redisstore.WithPrefix(freshPrefix(t, c)))
	ctx := t.Context()
	const n = 600
	lease := store.Lease{Owner: "a", Until: inboxNow.Add(time.Minute)}
	var ids []string
	for i := range n {
		id, err := s.Append(ctx, fmt.Appendf(nil, "%d", i), inboxNow.Add(time.Duration(i)), lease)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	renewed := store.Lease{Owner: "a", Until: inboxNow.Add(time.Hour)}
	lost, err := s.Renew(ctx, renewed, append(ids, "unknown"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"unknown"}, lost); diff != "" {
		t.Errorf("Renew lost (-want +got):\n%s", diff)
	}
	if got, err := s.Claim(ctx, store.Lease{Owner: "b", Until: inboxNow.Add(2 * time.Hour)}, lease.Until, 0); err != nil || len(got) != 0 {
		t.Errorf("Claim after the first lease ran out = %d entries, %v; want none: every lease was renewed", len(got), err)
	}
	es, err := s.Entries(ctx, store.InboxPending)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids, entryIDs(es)); diff != "" {
		t.Fatalf("Entries (-want +got):\n%s", diff)
	}
	for i, e := range es {
		if string(e.Body) != fmt.Sprint(i) || !e.Received.Equal(inboxNow.Add(time.Duration(i))) || !e.LeaseUntil.Equal(renewed.Until) {
			t.Fatalf("entry %d = %q received %v leased until %v", i, e.Body, e.Received, e.LeaseUntil)
		}
	}
	for _, bad := range []string{"", "x", "1-x", "0-0", "99999999999999999999999-0"} {
		if err := s.Done(ctx, bad); err != nil {
			t.Errorf("Done(%q) = %v, want nil", bad, err)
		}
	}
}

// Append, and a claim of the one free entry behind many leased ones: the claim's
// cost must not grow with the number of leased entries.
func BenchmarkInbox(b *testing.B) {
	c := client(b)
	for _, leased := range []int{0, 10000} {
		s := newStore(b, c, redisstore.WithPrefix(freshPrefix(b, c)))
		b.Cleanup(func() { _ = s.Close() })
		ctx := b.Context()
		held := store.Lease{Owner: "a", Until: inboxNow.Add(time.Hour)}
		for range leased {
			if _, err := s.Append(ctx, []byte("held"), inboxNow, held); err != nil {
				b.Fatal(err)
			}
		}
		expired := store.Lease{Owner: "a", Until: inboxNow}
		taker := store.Lease{Owner: "b", Until: inboxNow.Add(time.Hour)}
		b.Run(fmt.Sprintf("Append/leased=%d", leased), func(b *testing.B) {
			for b.Loop() {
				id, err := s.Append(ctx, []byte(`{"object":"page"}`), inboxNow, expired)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := s.Done(ctx, id); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
		b.Run(fmt.Sprintf("Claim/leased=%d", leased), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				if _, err := s.Append(ctx, []byte(`{"object":"page"}`), inboxNow, expired); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				es, err := s.Claim(ctx, taker, inboxNow, 1)
				if err != nil || len(es) != 1 {
					b.Fatalf("Claim = %d entries, %v; want the free one", len(es), err)
				}
				b.StopTimer()
				if err := s.Done(ctx, es[0].ID); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
