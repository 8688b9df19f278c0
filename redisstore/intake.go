package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storekit"
)

var _ store.Intake = (*Store)(nil)

// Admit implements [store.Intake]: on one Redis (or a replicated one), the dedupe
// keys, the window actions, the inbox append and the removal of the finished
// entries d.Done are one script, so a webhook delivery costs one round trip
// whatever its number of events, and a failed Admit has changed nothing. More than
// 256 ids in d.Done are removed first, by Complete's scripts, so that no script's
// work grows with them.
//
// On Redis Cluster those keys live in different slots, which no one script may
// touch; Admit then takes a round trip a step: the removals, the windows, the body
// and the dedupe keys last, so that a failure between the steps cannot make
// Meta's redelivery a duplicate of an event that was never stored. Once the body
// is stored, a key whose claim fails counts as new: its event runs, at least once.
func (s *Store) Admit(ctx context.Context, d store.Delivery) (store.Admitted, error) {
	if err := s.check(ctx); err != nil {
		return store.Admitted{}, err
	}
	if err := storekit.CheckDelivery(d); err != nil {
		return store.Admitted{}, err
	}
	for _, a := range d.Actions {
		if err := checkPage("Admit", "Delivery.Actions.Page", a.Page); err != nil {
			return store.Admitted{}, err
		}
	}
	if _, cluster := s.rdb.(*redis.ClusterClient); cluster {
		return s.admitInSteps(ctx, d)
	}
	if len(d.Done) > inboxBatch {
		// One script's work stays bounded: many removals go first, by Complete.
		if err := s.Complete(ctx, d.Done); err != nil {
			return store.Admitted{}, err
		}
		d.Done = nil
	}
	now := s.now()
	exp := now.Add(d.TTL)
	keys := append(s.inboxKeys(), make([]string, 0, len(d.Keys)+len(d.Actions))...)
	args := make([]any, 0, 10+6*len(d.Actions)+len(d.Done))
	args = append(args, s.entryPrefix(), d.Body, stamp(d.Received), d.Lease.Owner, stamp(d.Lease.Until),
		clockPair(now), clockPair(exp), ttlMillis(d.TTL), len(d.Keys), len(d.Done))
	for _, k := range d.Keys {
		keys = append(keys, s.dedupeKey(k))
	}
	for _, a := range d.Actions {
		keys = append(keys, s.windowKey(a.Page, a.User))
		args = appendActionArgs(args, a.Action, now)
	}
	for _, id := range d.Done {
		args = append(args, id)
	}
	res, err := s.runAcked(ctx, admitScript, keys, args...).Slice()
	if err != nil {
		return store.Admitted{}, wrap("Admit", err)
	}
	if len(res) != 1+len(d.Keys) {
		return store.Admitted{}, fmt.Errorf("redisstore: Admit: script answered %d values for %d keys", len(res), len(d.Keys))
	}
	out := store.Admitted{New: make([]bool, len(d.Keys))}
	out.ID, _ = res[0].(string)
	for i := range d.Keys {
		n, _ := res[1+i].(int64)
		out.New[i] = n == 1
	}
	return out, nil
}

// admitInSteps is Admit for Redis Cluster: a round trip a step, in the order that
// lets no failure between them lose an event.
//
//  1. The removals of d.Done.
//  2. The windows. Recording an action again changes nothing, so a failure is an
//     error and Meta's redelivery records them again.
//  3. The body, leased to d.Lease.Owner. A failure is an error, and no key has
//     been claimed, so the redelivery is new. (Should the append have taken effect
//     although its answer was lost, the entry also runs when its lease ends: at
//     least once.)
//  4. The dedupe keys, last. The body is stored now, so a key whose claim fails
//     counts as new and its event runs: claimed first, a key whose answer was lost
//     would have made the redelivery a duplicate of an event no one ran.
//
// A delivery whose every key is already claimed (Meta's redelivery of a body taken
// in before) is told so by one read of its keys, before step 3: storing its body
// would leave an entry that, should its removal fail, runs events that already
// ran. When the claims of step 4 still find no key new (a copy taken in
// meanwhile), the body is removed again.
func (s *Store) admitInSteps(ctx context.Context, d store.Delivery) (store.Admitted, error) {
	if err := s.Complete(ctx, d.Done); err != nil {
		return store.Admitted{}, err
	}
	for _, a := range d.Actions {
		if err := s.RecordAction(ctx, a.Page, a.User, a.Action); err != nil {
			return store.Admitted{}, err
		}
	}
	if s.allSeen(ctx, d.Keys) {
		return store.Admitted{New: make([]bool, len(d.Keys))}, nil
	}
	id, err := s.Append(ctx, d.Body, d.Received, d.Lease)
	if err != nil {
		return store.Admitted{}, err
	}
	out := store.Admitted{ID: id, New: make([]bool, len(d.Keys))}
	anyNew := false
	for i, k := range d.Keys {
		first, err := s.FirstSeen(ctx, k, d.TTL)
		out.New[i] = first || err != nil
		anyNew = anyNew || out.New[i]
	}
	if !anyNew {
		if err := s.Done(ctx, id); err != nil {
			// Once more, past the caller's deadline should that be what ended it.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			err = s.Done(rctx, id)
			cancel()
			if err != nil {
				return store.Admitted{}, fmt.Errorf("redisstore: Admit: removing entry %s, whose events were all seen before: %w", id, err)
			}
		}
		out.ID = ""
	}
	return out, nil
}

// allSeen reports whether every key is claimed and unexpired in the dedupe store,
// as FirstSeen would find it, by one read (a pipeline, one round trip per master
// on a cluster). Any failure, or no keys, is false. So is a client that may read
// from replicas (ReadOnly, RouteByLatency, RouteRandomly): a replica may not have
// the removal of a key yet, and a key seen there but gone from its master would
// drop an event no one ran.
func (s *Store) allSeen(ctx context.Context, keys []string) bool {
	if len(keys) == 0 {
		return false
	}
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		if o := cc.Options(); o.ReadOnly || o.RouteByLatency || o.RouteRandomly {
			return false
		}
	}
	pipe := s.rdb.Pipeline()
	gets := make([]*redis.StringCmd, len(keys))
	for i, k := range keys {
		gets[i] = pipe.Get(ctx, s.dedupeKey(k))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return false
	}
	now := s.now()
	for _, g := range gets {
		exp, ok := parseClockPair(g.Val())
		if !ok || !now.Before(exp) {
			return false
		}
	}
	return true
}

// Complete implements [store.Intake]: the entries are removed by one script per
// inboxBatch ids.
func (s *Store) Complete(ctx context.Context, ids []string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	for len(ids) > 0 {
		n := min(len(ids), inboxBatch)
		args := make([]any, 0, 1+n)
		args = append(args, s.entryPrefix())
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		if err := inboxDoneScript.Run(ctx, s.rdb, s.inboxKeys(), args...).Err(); err != nil {
			return wrap("Complete", err)
		}
		ids = ids[n:]
	}
	return nil
}
