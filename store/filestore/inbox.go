package filestore

import (
	"context"
	"encoding/binary"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gomessenger/messenger/store"
)

// Append implements [store.Inbox]: the entry is synced to disk before Append
// returns. IDs are decimal sequence numbers from the bucket's own counter, which is
// committed in the same transaction, so they only grow, across restarts and crashes.
func (s *Store) Append(ctx context.Context, body []byte, received time.Time) (string, error) {
	var id string
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInbox)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		id = strconv.FormatUint(seq, 10)
		return b.Put(seqKey(seq), concat(timeKey(received), body))
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// Done implements [store.Inbox]; an unknown id is not an error, so Done may be
// repeated.
func (s *Store) Done(ctx context.Context, id string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	seq, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return nil // never an ID of this store, so nothing to remove
	}
	k := seqKey(seq)
	return s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInbox)
		if b.Get(k) == nil {
			return errUnchanged
		}
		return b.Delete(k)
	})
}

// Pending implements [store.Inbox]: entries in the order they were appended.
func (s *Store) Pending(ctx context.Context, receivedBefore time.Time) ([]store.InboxEntry, error) {
	var out []store.InboxEntry
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketInbox).ForEach(func(k, v []byte) error {
			received := parseTimeKey(v)
			if !received.Before(receivedBefore) {
				return nil
			}
			out = append(out, store.InboxEntry{
				ID:       strconv.FormatUint(binary.BigEndian.Uint64(k), 10),
				Body:     append([]byte{}, v[timeKeyLen:]...), // bbolt's bytes die with the transaction
				Received: received,
			})
			return nil
		})
	})
	return out, err
}
