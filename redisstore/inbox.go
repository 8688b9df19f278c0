package redisstore

import (
	"context"
	"regexp"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger/store"
)

// pendingPage is how many entries Pending reads per round trip.
const pendingPage = 512

// Append implements [store.Inbox] with XADD: the ID is the stream's, so entries
// from every instance form one queue in the order Redis received them.
func (s *Store) Append(ctx context.Context, body []byte, received time.Time) (string, error) {
	if err := s.check(ctx); err != nil {
		return "", err
	}
	id, err := s.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: s.inboxKey(),
		Values: []any{"body", body, "rs", secs(received), "rn", nanos(received)},
	}).Result()
	if err != nil {
		return "", wrap("Append", err)
	}
	return id, nil
}

var streamID = regexp.MustCompile(`^[0-9]+-[0-9]+$`)

// Done implements [store.Inbox] with XDEL; an unknown id is not an error, so Done
// may be repeated.
func (s *Store) Done(ctx context.Context, id string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !streamID.MatchString(id) {
		return nil // never an ID of this store, so nothing to remove
	}
	return wrap("Done", s.rdb.XDel(ctx, s.inboxKey(), id).Err())
}

// Pending implements [store.Inbox]: the stream read in order, a page at a time.
func (s *Store) Pending(ctx context.Context, receivedBefore time.Time) ([]store.InboxEntry, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	var out []store.InboxEntry
	start := "-"
	for {
		msgs, err := s.rdb.XRangeN(ctx, s.inboxKey(), start, "+", pendingPage).Result()
		if err != nil {
			return nil, wrap("Pending", err)
		}
		for _, m := range msgs {
			body, _ := m.Values["body"].(string)
			rs, _ := m.Values["rs"].(string)
			rn, _ := m.Values["rn"].(string)
			received := pairTime(map[string]string{"r_s": rs, "r_n": rn}, "r")
			if received.Before(receivedBefore) {
				out = append(out, store.InboxEntry{ID: m.ID, Body: []byte(body), Received: received})
			}
		}
		if len(msgs) < pendingPage {
			return out, nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
}

// itoa is strconv.FormatInt for the scripts' integer arguments.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
