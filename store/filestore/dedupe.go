package filestore

import (
	"context"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gomessenger/messenger/store/storekit"
)

// FirstSeen implements [store.Dedupe]: the check and the record are one write
// transaction; a duplicate rolls back without touching the disk. ttl counts from
// the store's clock.
func (s *Store) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := storekit.CheckDedupe(key, ttl); err != nil {
		return false, err
	}
	now := s.now()
	k := []byte(key)
	first := false
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var err error
		first, err = markSeen(tx, k, ttl, now)
		switch {
		case err != nil:
			return err
		case !first:
			return errUnchanged
		}
		_, err = sweep(tx, bucketDedupeExp, bucketDedupe, now, sweepBatch)
		return err
	})
	return first, err
}

// markSeen records key k as seen until now+ttl unless it is remembered already
// (until after now), and reports whether it was new. A remembered key is left as
// it is: its TTL counts from when it was first seen.
func markSeen(tx *bolt.Tx, k []byte, ttl time.Duration, now time.Time) (bool, error) {
	b := tx.Bucket(bucketDedupe)
	exp := tx.Bucket(bucketDedupeExp)
	if v := b.Get(k); v != nil {
		if parseTimeKey(v).After(now) {
			return false, nil
		}
		if err := exp.Delete(concat(v, k)); err != nil {
			return false, err
		}
	}
	until := timeKey(now.Add(ttl))
	if err := b.Put(k, until); err != nil {
		return false, err
	}
	if err := exp.Put(concat(until, k), nil); err != nil {
		return false, err
	}
	return true, nil
}

// Forget implements [store.Dedupe].
func (s *Store) Forget(ctx context.Context, key string) error {
	k := []byte(key)
	return s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDedupe)
		v := b.Get(k)
		if v == nil {
			return errUnchanged
		}
		if err := tx.Bucket(bucketDedupeExp).Delete(concat(v, k)); err != nil {
			return err
		}
		return b.Delete(k)
	})
}
