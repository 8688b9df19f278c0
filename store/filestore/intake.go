package filestore

import (
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storekit"
)

var _ store.Intake = (*Store)(nil)

// Admit implements [store.Intake] in one write transaction (shared with
// concurrent calls by the group commit, see groupcommit.go), synced to disk before
// Admit returns: the dedupe keys as FirstSeen records them, the window actions as
// RecordAction does, when at least one key is new, the body as Append does, and
// the removal of the entries d.Done as Complete does.
// Every argument is checked before anything is written, and a transaction commits
// whole or not at all, so a refused or failed Admit has recorded nothing. A
// delivery whose keys were all seen and whose actions change no window writes
// nothing. TTLs and window retention count from the store's clock.
func (s *Store) Admit(ctx context.Context, d store.Delivery) (store.Admitted, error) {
	if err := storekit.CheckDelivery(d); err != nil {
		return store.Admitted{}, err
	}
	windows := make([][]byte, len(d.Actions))
	for i, a := range d.Actions {
		windows[i] = pageUserKey(a.Page, a.User)
	}
	done := entryKeys(d.Done)
	now := s.now()
	var out store.Admitted
	err := s.update(ctx, func(tx *bolt.Tx) error {
		// The group commit runs fn again on its own when the shared transaction
		// fails, so out starts afresh each time.
		out = store.Admitted{New: make([]bool, len(d.Keys))}
		anyNew := false
		for i, k := range d.Keys {
			first, err := markSeen(tx, []byte(k), d.TTL, now)
			if err != nil {
				return err
			}
			out.New[i] = first
			anyNew = anyNew || first
		}
		anyWindow := false
		for i, a := range d.Actions {
			changed, err := applyAction(tx, windows[i], a.Action, now)
			if err != nil {
				return err
			}
			anyWindow = anyWindow || changed
		}
		removed, err := removeEntries(tx, done)
		if err != nil {
			return err
		}
		if !anyNew && !anyWindow && !removed {
			return errUnchanged
		}
		if anyNew {
			id, err := appendEntry(tx, d.Body, d.Received, d.Lease)
			if err != nil {
				return err
			}
			out.ID = id
			if _, err := sweep(tx, bucketDedupeExp, bucketDedupe, now, sweepBatch); err != nil {
				return err
			}
		}
		if anyWindow {
			if _, err := sweep(tx, bucketWindowExp, bucketWindows, now, sweepBatch); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return store.Admitted{}, err
	}
	return out, nil
}

// Complete implements [store.Intake]: the entries ids are removed in one write
// transaction, however many there are. Unknown ids are skipped, as Done skips
// them; when none of ids is in the inbox, Complete writes nothing.
func (s *Store) Complete(ctx context.Context, ids []string) error {
	keys := entryKeys(ids)
	if len(keys) == 0 {
		return s.check(ctx)
	}
	return s.update(ctx, func(tx *bolt.Tx) error {
		removed, err := removeEntries(tx, keys)
		if err != nil {
			return err
		}
		if !removed {
			return errUnchanged
		}
		return nil
	})
}

// entryKeys are the keys of the inbox entries ids; ids that cannot be entries of
// this store are skipped.
func entryKeys(ids []string) [][]byte {
	if len(ids) == 0 {
		return nil
	}
	keys := make([][]byte, 0, len(ids))
	for _, id := range ids {
		if k, ok := inboxKey(id); ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// removeEntries removes the entries under keys and reports whether any was there.
func removeEntries(tx *bolt.Tx, keys [][]byte) (bool, error) {
	removed := false
	for _, k := range keys {
		ok, err := removeEntry(tx, k)
		if err != nil {
			return false, err
		}
		removed = removed || ok
	}
	return removed, nil
}
