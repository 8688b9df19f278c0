package filestore

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gomessenger/messenger/store"
)

// Every inbox call below that changes something is one write transaction (shared
// with concurrent calls by the group commit, see groupcommit.go), synced to disk
// before the call returns; one that finds nothing to change writes nothing. The
// body and the state record of an entry are laid out in inboxstate.go.

// Append implements [store.Inbox]: the body and its state record, leased to lease,
// are written in one transaction, synced to disk before Append returns. IDs are
// decimal sequence numbers from the body bucket's own counter, committed in the
// same transaction, so they only grow, across restarts and crashes.
func (s *Store) Append(ctx context.Context, body []byte, received time.Time, lease store.Lease) (string, error) {
	if err := lease.Check("Append"); err != nil {
		return "", err
	}
	var id string
	err := s.update(ctx, func(tx *bolt.Tx) (err error) {
		id, err = appendEntry(tx, body, received, lease)
		return err
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// appendEntry writes a new pending entry of body, leased to lease, under the next
// sequence number, and returns its ID.
func appendEntry(tx *bolt.Tx, body []byte, received time.Time, lease store.Lease) (string, error) {
	bodies := tx.Bucket(bucketInbox)
	seq, err := bodies.NextSequence()
	if err != nil {
		return "", err
	}
	k := seqKey(seq)
	if err := bodies.Put(k, concat(timeKey(received), body)); err != nil {
		return "", err
	}
	state := encodeInboxState(&store.InboxEntry{State: store.InboxPending, Owner: lease.Owner, LeaseUntil: lease.Until})
	if err := tx.Bucket(bucketInboxState).Put(k, state); err != nil {
		return "", err
	}
	return strconv.FormatUint(seq, 10), nil
}

// Claim implements [store.Inbox] in one write transaction, so of concurrent
// claimers at most one gets each entry. It walks the state record of every entry
// in append order, held and dead ones too: an inbox is small, and a state record is
// a few dozen bytes, read without decoding; only the bodies of the entries it
// claims are read.
func (s *Store) Claim(ctx context.Context, lease store.Lease, now time.Time, max int) ([]store.InboxEntry, error) {
	if err := lease.Check("Claim"); err != nil {
		return nil, err
	}
	nowKey := timeKey(now)
	var out []store.InboxEntry
	err := s.update(ctx, func(tx *bolt.Tx) error {
		out = nil
		states := tx.Bucket(bucketInboxState)
		var free [][]byte
		c := states.Cursor()
		for k, v := c.First(); k != nil && (max < 1 || len(free) < max); k, v = c.Next() {
			ok, err := freeAt(v, nowKey)
			if err != nil {
				return fmt.Errorf("inbox entry %s: %w", inboxID(k), err)
			}
			if ok {
				free = append(free, bytes.Clone(k)) // keep no bbolt bytes across the Puts below
			}
		}
		if len(free) == 0 {
			return errUnchanged
		}
		bodies := tx.Bucket(bucketInbox)
		for _, k := range free {
			e, err := getInboxState(states, k)
			if err != nil {
				return err
			}
			ok, err := readBody(bodies, k, e)
			if err != nil {
				return err
			}
			if !ok {
				continue // Open pairs every record with a body; never claim a record alone
			}
			e.Owner, e.LeaseUntil = lease.Owner, lease.Until
			if err := states.Put(k, encodeInboxState(e)); err != nil {
				return err
			}
			out = append(out, *e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Renew implements [store.Inbox] in one write transaction for all of ids.
func (s *Store) Renew(ctx context.Context, lease store.Lease, ids []string) ([]string, error) {
	if err := lease.Check("Renew"); err != nil {
		return nil, err
	}
	var lost []string
	err := s.update(ctx, func(tx *bolt.Tx) error {
		lost = nil
		states := tx.Bucket(bucketInboxState)
		renewed := false
		for _, id := range ids {
			k, e, err := heldBy(states, id, lease.Owner)
			if err != nil {
				return err
			}
			if e == nil {
				lost = append(lost, id)
				continue
			}
			e.LeaseUntil = lease.Until
			if err := states.Put(k, encodeInboxState(e)); err != nil {
				return err
			}
			renewed = true
		}
		if !renewed {
			return errUnchanged
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return lost, nil
}

// Release implements [store.Inbox] in one write transaction; when owner no longer
// holds the entry it writes nothing.
func (s *Store) Release(ctx context.Context, id, owner string, r store.Release) error {
	lost := false
	err := s.update(ctx, func(tx *bolt.Tx) error {
		lost = false
		states := tx.Bucket(bucketInboxState)
		k, e, err := heldBy(states, id, owner)
		if err != nil {
			return err
		}
		if e == nil {
			lost = true
			return errUnchanged // not ErrLeaseLost: the batch it shares must commit
		}
		e.ApplyRelease(r)
		return states.Put(k, encodeInboxState(e))
	})
	if err == nil && lost {
		return store.ErrLeaseLost
	}
	return err
}

// heldBy returns the key and state of entry id when owner holds it: it is pending
// and owner is its owner (whether or not the lease has run out, as
// [store.Inbox.Renew] says). e is nil when owner does not hold it.
func heldBy(states *bolt.Bucket, id, owner string) (k []byte, e *store.InboxEntry, err error) {
	k, ok := inboxKey(id)
	if !ok || owner == "" {
		return nil, nil, nil
	}
	e, err = getInboxState(states, k)
	if err != nil || e == nil || e.State != store.InboxPending || e.Owner != owner {
		return nil, nil, err
	}
	return k, e, nil
}

// Done implements [store.Inbox]; an unknown id is not an error, so Done may be
// repeated.
func (s *Store) Done(ctx context.Context, id string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	k, ok := inboxKey(id)
	if !ok {
		return nil // never an ID of this store, so nothing to remove
	}
	return s.update(ctx, func(tx *bolt.Tx) error {
		removed, err := removeEntry(tx, k)
		if err == nil && !removed {
			return errUnchanged
		}
		return err
	})
}

// removeEntry deletes the body and the state record under k, and reports whether
// there was a body to delete.
func removeEntry(tx *bolt.Tx, k []byte) (bool, error) {
	bodies := tx.Bucket(bucketInbox)
	if bodies.Get(k) == nil {
		return false, nil
	}
	if err := bodies.Delete(k); err != nil {
		return false, err
	}
	return true, tx.Bucket(bucketInboxState).Delete(k)
}

// Entries implements [store.Inbox]: entries in the order they were appended. It
// reads the bodies of the entries in state only.
func (s *Store) Entries(ctx context.Context, state store.InboxState) ([]store.InboxEntry, error) {
	var out []store.InboxEntry
	err := s.view(ctx, func(tx *bolt.Tx) error {
		bodies := tx.Bucket(bucketInbox)
		c := tx.Bucket(bucketInboxState).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			e := store.InboxEntry{ID: inboxID(k)}
			if err := decodeInboxState(v, &e); err != nil {
				return fmt.Errorf("inbox entry %s: %w", e.ID, err)
			}
			if e.State != state {
				continue
			}
			ok, err := readBody(bodies, k, &e)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

// Redrive implements [store.Inbox] in one write transaction; when id is not a dead
// entry it writes nothing.
func (s *Store) Redrive(ctx context.Context, id string) error {
	missing := false
	err := s.update(ctx, func(tx *bolt.Tx) error {
		missing = false
		states := tx.Bucket(bucketInboxState)
		var e *store.InboxEntry
		k, ok := inboxKey(id)
		if ok {
			var err error
			if e, err = getInboxState(states, k); err != nil {
				return err
			}
		}
		if e == nil || e.State != store.InboxDead {
			missing = true
			return errUnchanged
		}
		e.ApplyRedrive()
		return states.Put(k, encodeInboxState(e))
	})
	if err == nil && missing {
		return store.ErrNoEntry
	}
	return err
}
