package memstore

import (
	"context"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storekit"
)

var _ store.Intake = (*Store)(nil)

// Admit implements [store.Intake]. Every argument is checked first; after that nothing
// can fail, so recording the keys, the actions and the body in turn is all or
// nothing.
func (m *Store) Admit(ctx context.Context, d store.Delivery) (store.Admitted, error) {
	if err := m.check(ctx); err != nil {
		return store.Admitted{}, err
	}
	if err := storekit.CheckDelivery(d); err != nil {
		return store.Admitted{}, err
	}
	out := store.Admitted{New: make([]bool, len(d.Keys))}
	anyNew := false
	for i, k := range d.Keys {
		first, err := m.FirstSeen(ctx, k, d.TTL)
		if err != nil {
			return store.Admitted{}, err
		}
		out.New[i] = first
		anyNew = anyNew || first
	}
	for _, a := range d.Actions {
		if err := m.RecordAction(ctx, a.Page, a.User, a.Action); err != nil {
			return store.Admitted{}, err
		}
	}
	if anyNew {
		id, err := m.Append(ctx, d.Body, d.Received, d.Lease)
		if err != nil {
			return store.Admitted{}, err
		}
		out.ID = id
	}
	m.remove(d.Done)
	return out, nil
}

// Complete implements [store.Intake].
func (m *Store) Complete(ctx context.Context, ids []string) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	m.remove(ids)
	return nil
}

// remove deletes the inbox entries ids.
func (m *Store) remove(ids []string) {
	if len(ids) == 0 {
		return
	}
	m.inboxMu.Lock()
	defer m.inboxMu.Unlock()
	for _, id := range ids {
		delete(m.inbox, id)
	}
}
