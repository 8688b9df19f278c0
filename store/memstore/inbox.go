package memstore

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/gomessenger/messenger/store"
)

// Append implements [store.Inbox]. IDs are decimal sequence numbers that only grow.
func (m *Store) Append(ctx context.Context, body []byte, received time.Time, lease store.Lease) (string, error) {
	if err := m.check(ctx); err != nil {
		return "", err
	}
	if err := lease.Check("Append"); err != nil {
		return "", err
	}
	m.inboxMu.Lock()
	defer m.inboxMu.Unlock()
	m.seq++
	id := strconv.FormatUint(m.seq, 10)
	m.inbox[id] = &memEntry{store.InboxEntry{
		ID: id, Body: slices.Clone(body), Received: received, State: store.InboxPending,
		Owner: lease.Owner, LeaseUntil: lease.Until,
	}, m.seq}
	return id, nil
}

// Claim implements [store.Inbox].
func (m *Store) Claim(ctx context.Context, lease store.Lease, now time.Time, max int) ([]store.InboxEntry, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	if err := lease.Check("Claim"); err != nil {
		return nil, err
	}
	m.inboxMu.Lock()
	defer m.inboxMu.Unlock()
	var free []*memEntry
	for _, e := range m.inbox {
		if e.Free(now) {
			free = append(free, e)
		}
	}
	slices.SortFunc(free, func(a, b *memEntry) int { return cmp.Compare(a.seq, b.seq) })
	if max > 0 && len(free) > max {
		free = free[:max]
	}
	out := make([]store.InboxEntry, len(free))
	for i, e := range free {
		e.Owner, e.LeaseUntil = lease.Owner, lease.Until
		out[i] = e.copy()
	}
	return out, nil
}

// Renew implements [store.Inbox].
func (m *Store) Renew(ctx context.Context, lease store.Lease, ids []string) ([]string, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	if err := lease.Check("Renew"); err != nil {
		return nil, err
	}
	m.inboxMu.Lock()
	defer m.inboxMu.Unlock()
	var lost []string
	for _, id := range ids {
		e := m.inbox[id]
		if e == nil || e.State != store.InboxPending || e.Owner != lease.Owner {
			lost = append(lost, id)
			continue
		}
		e.LeaseUntil = lease.Until
	}
	return lost, nil
}

// Release implements [store.Inbox].
func (m *Store) Release(ctx context.Context, id, owner string, r store.Release) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	m.inboxMu.Lock()
	defer m.inboxMu.Unlock()
	e := m.inbox[id]
	if e == nil || e.State != store.InboxPending || owner == "" || e.Owner != owner {
		return store.ErrLeaseLost
	}
	e.ApplyRelease(r)
	return nil
}

// Done implements [store.Inbox]; an unknown id is not an error, so Done may be repeated.
func (m *Store) Done(ctx context.Context, id string) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	m.inboxMu.Lock()
	defer m.inboxMu.Unlock()
	delete(m.inbox, id)
	return nil
}

// Entries implements [store.Inbox]: entries in the order they were appended.
func (m *Store) Entries(ctx context.Context, state store.InboxState) ([]store.InboxEntry, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	m.inboxMu.Lock()
	defer m.inboxMu.Unlock()
	var es []*memEntry
	for _, e := range m.inbox {
		if e.State == state {
			es = append(es, e)
		}
	}
	slices.SortFunc(es, func(a, b *memEntry) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]store.InboxEntry, len(es))
	for i, e := range es {
		out[i] = e.copy()
	}
	return out, nil
}

// Redrive implements [store.Inbox].
func (m *Store) Redrive(ctx context.Context, id string) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	m.inboxMu.Lock()
	defer m.inboxMu.Unlock()
	e := m.inbox[id]
	if e == nil || e.State != store.InboxDead {
		return store.ErrNoEntry
	}
	e.ApplyRedrive()
	return nil
}

func (e *memEntry) copy() store.InboxEntry {
	c := e.InboxEntry
	c.Body = slices.Clone(e.Body)
	return c
}
