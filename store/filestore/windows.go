package filestore

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storekit"
)

// windowRecord is a window and when it may be forgotten.
type windowRecord struct {
	Window    store.Window
	KeepUntil time.Time
}

// sweepBatch bounds how many expired records a write deletes in passing, so the
// file stays bounded without a goroutine and no single call pays for a backlog.
const sweepBatch = 16

// RecordAction implements [store.Windows].
func (s *Store) RecordAction(ctx context.Context, page, user string, a store.Action) error {
	if err := storekit.CheckAction(page, user, a); err != nil {
		return err
	}
	now := s.now()
	k := pageUserKey(page, user)
	return s.update(ctx, func(tx *bolt.Tx) error {
		changed, err := applyAction(tx, k, a, now)
		switch {
		case err != nil:
			return err
		case !changed:
			return errUnchanged
		}
		_, err = sweep(tx, bucketWindowExp, bucketWindows, now, sweepBatch)
		return err
	})
}

// applyAction records action a in the window under k, keeping the window for
// [store.WindowRetention] after a or now, whichever is later, and reports whether
// it wrote anything.
func applyAction(tx *bolt.Tx, k []byte, a store.Action, now time.Time) (bool, error) {
	b := tx.Bucket(bucketWindows)
	var rec windowRecord
	if v := b.Get(k); v != nil {
		if err := json.Unmarshal(v, &rec); err != nil {
			return false, err
		}
	}
	w, changed := rec.Window.Apply(a)
	keep := later(a.At, now).Add(store.WindowRetention)
	if !keep.After(rec.KeepUntil) {
		keep = rec.KeepUntil
	}
	if !changed && keep.Equal(rec.KeepUntil) {
		return false, nil
	}
	exp := tx.Bucket(bucketWindowExp)
	if !rec.KeepUntil.IsZero() {
		if err := exp.Delete(concat(timeKey(rec.KeepUntil), k)); err != nil {
			return false, err
		}
	}
	v, err := json.Marshal(windowRecord{Window: w, KeepUntil: keep})
	if err != nil {
		return false, err
	}
	if err := b.Put(k, v); err != nil {
		return false, err
	}
	return true, exp.Put(concat(timeKey(keep), k), nil)
}

// Window implements [store.Windows]. A window past its retention reads as zero even
// before a sweep deletes it.
func (s *Store) Window(ctx context.Context, page, user string) (store.Window, error) {
	if err := storekit.CheckWindowKey("Window", page, user); err != nil {
		return store.Window{}, err
	}
	now := s.now()
	var rec windowRecord
	err := s.view(ctx, func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketWindows).Get(pageUserKey(page, user))
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &rec)
	})
	if err != nil || !rec.KeepUntil.After(now) {
		return store.Window{}, err
	}
	return rec.Window, nil
}

// sweep deletes up to limit records whose expiry index entry (in bucket index:
// timeKey(expiry) + key) is at or before now, from index and from bucket data, and
// returns how many it deleted. limit < 0 means no limit.
func sweep(tx *bolt.Tx, index, data []byte, now time.Time, limit int) (int, error) {
	idx := tx.Bucket(index)
	end := timeKey(now)
	var gone [][]byte
	c := idx.Cursor()
	for k, _ := c.First(); k != nil && (limit < 0 || len(gone) < limit); k, _ = c.Next() {
		if bytes.Compare(k[:timeKeyLen], end) > 0 {
			break
		}
		gone = append(gone, bytes.Clone(k))
	}
	d := tx.Bucket(data)
	for _, k := range gone {
		if err := idx.Delete(k); err != nil {
			return 0, err
		}
		if err := d.Delete(k[timeKeyLen:]); err != nil {
			return 0, err
		}
	}
	return len(gone), nil
}

// PurgeExpired deletes every dedupe key and window that expired by the store's
// clock and returns how many it deleted. Writes already delete a few in passing;
// PurgeExpired is for a maintenance job after a quiet spell, or to shrink the
// working set before a backup.
func (s *Store) PurgeExpired(ctx context.Context) (int, error) {
	now := s.now()
	n := 0
	err := s.update(ctx, func(tx *bolt.Tx) error {
		n = 0
		w, err := sweep(tx, bucketWindowExp, bucketWindows, now, -1)
		if err != nil {
			return err
		}
		d, err := sweep(tx, bucketDedupeExp, bucketDedupe, now, -1)
		if err != nil {
			return err
		}
		n = w + d
		if n == 0 {
			return errUnchanged
		}
		return nil
	})
	return n, err
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
