package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gomessenger/messenger/store"
)

// inboxBatch bounds the work of one inbox script: entries made free, claimed,
// listed or migrated per call, and ids renewed.
const inboxBatch = 256

// The inbox's keys carry "<prefix>:inbox", the name of the stream older versions
// kept, as their hash tag: in Redis Cluster they share the stream's slot, so one
// script can move the stream's entries.
func (s *Store) inboxTag() string    { return s.prefix + ":{" + s.prefix + ":inbox}:" }
func (s *Store) entryPrefix() string { return s.inboxTag() + "e:" }
func (s *Store) streamKey() string   { return s.prefix + ":inbox" }

// inboxKeys is the KEYS of every inbox script (see luaInbox).
func (s *Store) inboxKeys() []string {
	t := s.inboxTag()
	return []string{t + "pending", t + "ready", t + "waiting", t + "dead", s.streamKey(), t + "seq", t + "migrated"}
}

// Append implements [store.Inbox] in one script, in O(log N) for N entries. IDs
// are decimal sequence numbers that only grow.
func (s *Store) Append(ctx context.Context, body []byte, received time.Time, lease store.Lease) (string, error) {
	if err := s.check(ctx); err != nil {
		return "", err
	}
	if err := lease.Check("Append"); err != nil {
		return "", err
	}
	id, err := s.runAcked(ctx, inboxAppendScript, s.inboxKeys(),
		s.entryPrefix(), body, stamp(received), lease.Owner, stamp(lease.Until)).Text()
	if err != nil {
		return "", wrap("Append", err)
	}
	return id, nil
}

// Claim implements [store.Inbox]. Each script call makes at most inboxBatch
// entries free and claims at most inboxBatch, in O(inboxBatch·log N) for N
// entries, however many entries are leased; Claim calls again while there is more
// to do, so that entries are claimed oldest first. Of concurrent claimers each
// entry goes to one: every claim is one script. Should a later script fail, Claim
// returns the entries the earlier ones claimed with the error. An entry that a
// claimer with a later clock found free is not claimed by one whose clock is
// behind until that clock reaches the entry's time.
func (s *Store) Claim(ctx context.Context, lease store.Lease, now time.Time, max int) ([]store.InboxEntry, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if err := lease.Check("Claim"); err != nil {
		return nil, err
	}
	var out []store.InboxEntry
	for {
		n := inboxBatch
		if max > 0 {
			n = min(max-len(out), inboxBatch)
		}
		res, err := inboxClaimScript.Run(ctx, s.rdb, s.inboxKeys(),
			s.entryPrefix(), lease.Owner, stamp(lease.Until), stamp(now), n).Result()
		if err != nil {
			return out, wrap("Claim", err)
		}
		switch res := res.(type) {
		case int64: // -1: the old stream has entries; -2: more entries became free
			if res == -1 {
				if err := s.migrate(ctx); err != nil {
					return out, wrap("Claim", err)
				}
			}
			continue
		case []any:
			es, err := decodeEntries(res)
			if err != nil {
				return out, wrap("Claim", err)
			}
			out = append(out, es...)
			if len(es) < n || (max > 0 && len(out) >= max) {
				return out, nil
			}
		default:
			return out, wrap("Claim", fmt.Errorf("unexpected reply %T", res))
		}
	}
}

// Renew implements [store.Inbox], inboxBatch ids per script call.
func (s *Store) Renew(ctx context.Context, lease store.Lease, ids []string) ([]string, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if err := lease.Check("Renew"); err != nil {
		return nil, err
	}
	var lost []string
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), inboxBatch)]
		ids = ids[len(chunk):]
		args := make([]any, 0, 3+len(chunk))
		args = append(args, s.entryPrefix(), lease.Owner, stamp(lease.Until))
		for _, id := range chunk {
			args = append(args, id)
		}
		l, err := inboxRenewScript.Run(ctx, s.rdb, s.inboxKeys(), args...).StringSlice()
		if err != nil {
			return lost, wrap("Renew", err)
		}
		lost = append(lost, l...)
	}
	return lost, nil
}

// Release implements [store.Inbox] in one script.
func (s *Store) Release(ctx context.Context, id, owner string, r store.Release) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	retry := ""
	if !r.RetryAt.IsZero() {
		retry = stamp(r.RetryAt)
	}
	ok, err := inboxReleaseScript.Run(ctx, s.rdb, s.inboxKeys(),
		s.entryPrefix(), id, owner, flag(r.Failed), r.Reason, retry, flag(r.Dead)).Int()
	if err != nil {
		return wrap("Release", err)
	}
	if ok == 0 {
		return store.ErrLeaseLost
	}
	return nil
}

// Done implements [store.Inbox]; an unknown id is not an error, so Done may be
// repeated.
func (s *Store) Done(ctx context.Context, id string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return wrap("Done", inboxDoneScript.Run(ctx, s.rdb, s.inboxKeys(), s.entryPrefix(), id).Err())
}

// Entries implements [store.Inbox]: entries in the order they were appended, read
// inboxBatch at a time. Entries that older versions kept in a stream are moved
// into the inbox first.
func (s *Store) Entries(ctx context.Context, state store.InboxState) ([]store.InboxEntry, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	set := "1" // KEYS[1], pending
	switch state {
	case store.InboxPending:
	case store.InboxDead:
		set = "4"
	default:
		return nil, nil
	}
	if err := s.migrate(ctx); err != nil {
		return nil, wrap("Entries", err)
	}
	var out []store.InboxEntry
	after := "-inf"
	for {
		res, err := inboxListScript.Run(ctx, s.rdb, s.inboxKeys(), s.entryPrefix(), set, after).Slice()
		if err != nil {
			return nil, wrap("Entries", err)
		}
		if len(res) == 0 {
			return nil, wrap("Entries", fmt.Errorf("empty reply"))
		}
		last, _ := res[0].(string)
		es, err := decodeEntries(res[1:])
		if err != nil {
			return nil, wrap("Entries", err)
		}
		out = append(out, es...)
		if len(es) < inboxBatch {
			return out, nil
		}
		after = "(" + last
	}
}

// Redrive implements [store.Inbox] in one script.
func (s *Store) Redrive(ctx context.Context, id string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	ok, err := inboxRedriveScript.Run(ctx, s.rdb, s.inboxKeys(), s.entryPrefix(), id).Int()
	if err != nil {
		return wrap("Redrive", err)
	}
	if ok == 0 {
		return store.ErrNoEntry
	}
	return nil
}

// migrate moves every entry of the stream older versions kept into the inbox,
// inboxBatch per script call.
func (s *Store) migrate(ctx context.Context) error {
	for {
		more, err := inboxMigrateScript.Run(ctx, s.rdb, s.inboxKeys(), s.entryPrefix()).Int()
		if err != nil || more == 0 {
			return err
		}
	}
}

// decodeEntries reads the scripts' entries: each an id, then its hash's fields and
// values.
func decodeEntries(raw []any) ([]store.InboxEntry, error) {
	out := make([]store.InboxEntry, 0, len(raw))
	for _, r := range raw {
		f, ok := r.([]any)
		if !ok || len(f)%2 != 1 {
			return nil, fmt.Errorf("malformed inbox entry %v", r)
		}
		h := make(map[string]string, len(f)/2)
		for i := 1; i < len(f); i += 2 {
			k, _ := f[i].(string)
			h[k], _ = f[i+1].(string)
		}
		id, _ := f[0].(string)
		attempts, _ := strconv.Atoi(h["attempts"])
		out = append(out, store.InboxEntry{
			ID:         id,
			Body:       []byte(h["body"]),
			Received:   unstamp(h["received"]),
			State:      store.InboxState(h["state"]),
			Attempts:   attempts,
			RetryAt:    unstamp(h["retry_at"]),
			LastError:  h["last_error"],
			Owner:      h["owner"],
			LeaseUntil: unstamp(h["lease_until"]),
		})
	}
	return out, nil
}

// yearOne is the Unix time of January 1 of year 1, the zero time.Time.
const yearOne = -62135596800

// zeroStamp is the stamp of the zero time.Time.
const zeroStamp = "000000000000000.000000000"

// stamp writes t to the nanosecond as seconds since the zero time.Time and
// nanoseconds, fixed-width, so that stamps compare as strings as the times do
// (for years 1 to 31 million): Lua's numbers are doubles, which nanoseconds since
// 1970 overflow, and a sorted set's lexical order needs no numbers at all.
func stamp(t time.Time) string {
	return fmt.Sprintf("%015d.%09d", t.Unix()-yearOne, t.Nanosecond())
}

// unstamp reads a stamp; "" or a malformed stamp is the zero time.
func unstamp(v string) time.Time {
	sec, nsec, ok := parseIntPair(v, ".")
	if !ok {
		return time.Time{}
	}
	return time.Unix(sec+yearOne, nsec).UTC()
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return ""
}

// itoa is strconv.FormatInt for the scripts' integer arguments.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
