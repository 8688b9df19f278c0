package messenger

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/gomessenger/messenger/store"
)

// How the webhook uses its inbox.
//
// Every body it acknowledges is appended leased to this instance (owner: a random
// name made at NewWebhook). A sweeper goroutine renews the leases of the entries whose
// events are running, every third of the lease, and looks for entries that are due:
// entries of instances that died (their lease ran out), failed entries whose retry
// time has come, entries handed back by a shutdown. It claims them, and they run like
// fresh deliveries, except that events the dedupe store knows as done are skipped.
//
// When all events of an entry were handled it is removed. When a handler failed, the
// entry is released with the attempt counted and a retry time, or, after the last
// attempt, to the dead letters. At shutdown, entries not finished are released
// without an attempt counted, so the next owner takes them at once.

// claimPage is how many entries one Claim takes.
const claimPage = 64

// maxReasonBytes caps the handler error an inbox entry keeps as its LastError.
const maxReasonBytes = 512

func newOwnerName() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "webhook-" + hex.EncodeToString(b[:])
}

// startInbox starts the sweeper. Called by NewWebhook when there is an inbox.
func (c *webhookCore) startInbox() {
	if in, ok := c.inbox.(store.Intake); ok && sameStore(in, c.dedupe) && (c.windows == nil || sameStore(in, c.windows)) {
		c.intake = in
	}
	if db, ok := c.inbox.(store.DeadlineBound); ok {
		c.inboxKeepsDeadlines = db.DeadlineBound()
	}
	c.owner = newOwnerName()
	c.held = make(map[string]struct{})
	c.sweepWake = make(chan struct{}, 1)
	c.sweepStop = make(chan struct{})
	c.wg.Add(1)
	go c.sweep()
	if c.intake != nil {
		c.complWake = make(chan struct{}, 1)
		c.wg.Add(1)
		go c.completer()
	}
}

// hold records that this instance runs b's inbox entry, so the sweeper renews it.
func (c *webhookCore) hold(b *batch) {
	c.heldMu.Lock()
	c.held[b.inboxID] = struct{}{}
	c.heldMu.Unlock()
}

func (c *webhookCore) unhold(b *batch) {
	c.heldMu.Lock()
	delete(c.held, b.inboxID)
	c.heldMu.Unlock()
}

// sweep renews leases and runs due entries until Shutdown has drained.
//
// A full queue is back-pressure, not a fault: due entries wait in the inbox, and
// the error handler hears nothing of it. The worker that frees half the queue
// wakes the sweeper for them (work).
func (c *webhookCore) sweep() {
	defer c.wg.Done()
	t := time.NewTimer(c.lease / 3)
	defer t.Stop()
	for {
		select {
		case <-c.sweepStop:
			return
		case <-t.C:
		case <-c.sweepWake:
		}
		c.renewHeld()
		c.mu.Lock()
		closed := c.closed
		c.mu.Unlock()
		if !closed {
			_, _, err := c.claimDue(c.storeCtx, false)
			if errors.Is(err, errNoRoom) {
				c.mu.Lock()
				c.sweepWaits = true
				c.mu.Unlock()
			} else if err != nil {
				c.report(c.storeCtx, nil, err)
			}
		}
		t.Reset(c.nextSweep())
	}
}

// nextSweep is how long the sweeper sleeps: a third of the lease, or less when a
// retry falls due sooner.
func (c *webhookCore) nextSweep() time.Duration {
	d := c.lease / 3
	c.heldMu.Lock()
	defer c.heldMu.Unlock()
	if c.nextRetry.IsZero() {
		return d
	}
	until := c.nextRetry.Sub(c.clock())
	if until <= 0 {
		// Due now: this sweep looked for it. If it was not claimable yet (another
		// instance's clock), the regular sweeps find it.
		c.nextRetry = time.Time{}
		return d
	}
	return min(d, until)
}

// retryAt makes the sweeper look for due entries at t (the webhook's clock).
func (c *webhookCore) retryAt(t time.Time) {
	c.heldMu.Lock()
	if c.nextRetry.IsZero() || t.Before(c.nextRetry) {
		c.nextRetry = t
	}
	c.heldMu.Unlock()
	c.pokeSweeper()
}

func (c *webhookCore) pokeSweeper() {
	select {
	case c.sweepWake <- struct{}{}:
	default:
	}
}

// renewHeld extends this instance's leases on the entries whose events run.
func (c *webhookCore) renewHeld() {
	c.heldMu.Lock()
	ids := make([]string, 0, len(c.held))
	for id := range c.held {
		ids = append(ids, id)
	}
	c.heldMu.Unlock()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(c.storeCtx, c.lease/3)
	defer cancel()
	lost, err := c.inbox.Renew(ctx, store.Lease{Owner: c.owner, Until: c.clock().Add(c.lease)}, ids)
	if err != nil {
		c.report(c.storeCtx, nil, fmt.Errorf("messenger: renewing inbox leases: %w", err))
		return
	}
	for _, id := range lost {
		c.heldMu.Lock()
		_, running := c.held[id]
		c.heldMu.Unlock()
		if running { // else it finished while the renewal ran
			c.leaseLost(id)
		}
	}
}

// claimDue claims free, due entries and queues their events. With wait (Replay) it
// waits for queue room and returns the channels closed when each entry is finished.
// Without (the sweeper) it claims no more entries than the queue has room for
// events now, none when it has no room (errNoRoom), and hands back what turns out
// not to fit (an entry may hold several events).
func (c *webhookCore) claimDue(ctx context.Context, wait bool) (int, []chan struct{}, error) {
	n := 0
	var dones []chan struct{}
	for {
		page := claimPage
		if !wait {
			// Every entry holds at least one event. Claiming more than fits
			// would only take leases to hand them back.
			room, closed := c.room()
			switch {
			case closed: // Shutdown: the entries are the next owner's
				return n, dones, nil
			case room == 0:
				return n, dones, errNoRoom
			}
			page = min(page, room)
		}
		now := c.clock()
		es, err := c.inbox.Claim(ctx, store.Lease{Owner: c.owner, Until: now.Add(c.lease)}, now, page)
		if err != nil {
			return n, dones, fmt.Errorf("messenger: claiming inbox entries: %w", err)
		}
		slices.SortStableFunc(es, func(a, b store.InboxEntry) int { return a.Received.Compare(b.Received) })
		for i, e := range es {
			done, queued, err := c.runEntry(ctx, e, wait)
			if err != nil {
				for _, rest := range es[i:] {
					c.releaseEntry(rest.ID, store.Release{})
				}
				return n, dones, err
			}
			n += queued
			if done != nil {
				dones = append(dones, done)
			}
		}
		if len(es) < page {
			return n, dones, nil
		}
	}
}

// errNoRoom stops a sweep when the queue is full; due entries stay in the inbox.
var errNoRoom = errors.New("messenger: webhook queue is full")

// runEntry queues the events of a claimed entry.
func (c *webhookCore) runEntry(ctx context.Context, e store.InboxEntry, wait bool) (chan struct{}, int, error) {
	evs, err := parseEnvelope(string(e.Body), nil)
	if err != nil || len(evs) == 0 {
		if err != nil {
			// It was verified and parsed before it was stored, so the store damaged
			// it; running it again would not help.
			c.report(ctx, nil, fmt.Errorf("messenger: inbox entry %q is not a webhook body any more, dropping it: %w", e.ID, err))
		}
		if err := c.inbox.Done(c.storeCtx, e.ID); err != nil {
			c.report(ctx, nil, fmt.Errorf("messenger: marking inbox entry %q done: %w", e.ID, err))
		}
		return nil, 0, nil
	}
	deadline := time.Time{}
	if !wait {
		deadline = time.Now() // no waiting: take it only if it fits now
	}
	if err := c.admit(ctx, len(evs), deadline); err != nil {
		if errors.Is(err, errQueueFull) {
			err = errNoRoom
		}
		return nil, 0, err
	}
	b := &batch{inboxID: e.ID, replay: true, attempts: e.Attempts}
	var done chan struct{}
	if wait {
		done = make(chan struct{})
		b.done = done
	}
	c.hold(b)
	// Once queued, b is the workers': they may finish it, and put it on the free
	// list for another delivery, before enqueue returns.
	if err := c.enqueue(evs, b); err != nil {
		c.unhold(b)
		return nil, 0, err
	}
	return done, len(evs), nil
}

// settleEntry tells the inbox how the events of b's entry went.
func (c *webhookCore) settleEntry(b *batch) {
	c.unhold(b)
	c.mu.Lock()
	forced := c.forced
	c.mu.Unlock()
	if len(b.failures) == 0 && !b.dropped {
		if c.intake != nil {
			b.completing = b.done != nil
			c.complete(b.inboxID, b.done)
		} else if err := c.inbox.Done(c.storeCtx, b.inboxID); err != nil {
			c.report(c.storeCtx, nil, fmt.Errorf("messenger: marking inbox entry %q done: %w", b.inboxID, err))
		}
		return
	}
	// The entry outlives this run: its events that succeeded must not run again.
	for _, k := range b.keys {
		if k != "" {
			c.markDone(c.storeCtx, nil, k)
		}
	}
	if b.dropped || forced {
		// Shutdown: not the events' fault. The next owner takes the entry at once.
		c.releaseEntry(b.inboxID, store.Release{})
		return
	}
	attempt := b.attempts + 1
	reason := cutUTF8(b.failures[0].err.Error(), maxReasonBytes)
	if attempt >= c.retry.Attempts {
		if c.releaseEntry(b.inboxID, store.Release{Failed: true, Reason: reason, Dead: true}) {
			c.stats.deadLettered.Add(1)
			for _, f := range b.failures {
				c.report(c.storeCtx, f.ev, &DeadLetterError{EntryID: b.inboxID, Attempts: attempt, Err: f.err})
			}
		}
		return
	}
	at := c.clock().Add(c.retry.wait(attempt))
	if c.releaseEntry(b.inboxID, store.Release{Failed: true, Reason: reason, RetryAt: at}) {
		c.stats.retried.Add(1)
		c.retryAt(at)
	}
}

// How long a finished entry waits to be removed together with others, and how
// many go in one call at most: removal is bookkeeping nobody waits for. Under
// load the removals ride on the next delivery's Admit (takeFinished), so a busy
// webhook costs one store round trip per delivery; the completer removes what no
// delivery took within completeDelay. An entry whose process dies in between
// runs again elsewhere: this delay widens the at-least-once window by as much.
const (
	completeDelay = 2 * time.Millisecond
	completeBatch = 256
)

// removal is a finished entry waiting to be removed.
type removal struct {
	id   string
	done chan struct{} // closed once it is removed; nil when nobody waits
	seq  uint64        // its place in the order entries were queued
}

// complete queues a finished entry for removal, which closes done (if not nil)
// once the entry is removed.
func (c *webhookCore) complete(id string, done chan struct{}) {
	c.mu.Lock()
	c.unsettled++
	c.mu.Unlock()
	c.complMu.Lock()
	c.complSeq++
	c.compl = append(c.compl, removal{id: id, done: done, seq: c.complSeq})
	first := len(c.compl) == 1
	c.complMu.Unlock()
	if first {
		c.wakeCompleter()
	}
}

func (c *webhookCore) wakeCompleter() {
	select {
	case c.complWake <- struct{}{}:
	default:
	}
}

// finished is a run of finished entries taken for removal, and their ids.
type finished struct {
	rs  []removal
	ids []string
}

// takeFinished takes up to completeBatch finished entries for removal, oldest
// first, those queued as maxSeq or before only (^uint64(0): all).
func (c *webhookCore) takeFinished(maxSeq uint64) finished {
	c.complMu.Lock()
	defer c.complMu.Unlock()
	n := 0
	for n < len(c.compl) && n < completeBatch && c.compl[n].seq <= maxSeq {
		n++
	}
	if n == 0 {
		return finished{}
	}
	// The caller owns what it took; complete appends to a list it no longer reads.
	f := finished{rs: c.compl[:n:n], ids: make([]string, n)}
	for i, r := range f.rs {
		f.ids[i] = r.id
	}
	c.compl = c.compl[n:]
	if len(c.compl) == 0 {
		c.compl = nil
	}
	return f
}

// removed settles entries the store removed: their done channels are closed and
// Shutdown no longer waits for them.
func (c *webhookCore) removed(f finished) {
	if len(f.rs) == 0 {
		return
	}
	for _, r := range f.rs {
		if r.done != nil {
			close(r.done)
		}
	}
	c.mu.Lock()
	c.unsettled -= len(f.rs)
	c.broadcast()
	c.mu.Unlock()
}

// giveBack returns entries whose removal failed, or may have, to the completer.
// Removing an entry twice is harmless. They keep their place in the queue order,
// so the completer takes them at its next look.
func (c *webhookCore) giveBack(f finished) {
	if len(f.rs) == 0 {
		return
	}
	c.complMu.Lock()
	c.compl = append(f.rs, c.compl...)
	c.complMu.Unlock()
	c.wakeCompleter()
}

// completer removes the finished entries no delivery took within completeDelay,
// in batches, until Shutdown has drained (which waits for every queued removal).
// An entry queued while deliveries keep coming is taken by the next one's Admit
// long before that, so a busy webhook makes no removal calls of its own.
func (c *webhookCore) completer() {
	defer c.wg.Done()
	t := time.NewTimer(completeDelay)
	defer t.Stop()
	for {
		select {
		case <-c.sweepStop:
			return
		case <-c.complWake:
		}
		for {
			// Entries queued by now have waited completeDelay when the timer
			// fires; those a delivery took meanwhile are gone.
			c.complMu.Lock()
			old, pending := c.complSeq, len(c.compl) > 0
			c.complMu.Unlock()
			if !pending {
				break
			}
			t.Reset(completeDelay)
			<-t.C
			for {
				f := c.takeFinished(old)
				if len(f.rs) == 0 {
					break
				}
				if err := c.intake.Complete(c.storeCtx, f.ids); err != nil {
					c.report(c.storeCtx, nil, fmt.Errorf("messenger: removing %d finished inbox entries: %w", len(f.ids), err))
				}
				c.removed(f)
			}
		}
	}
}

// sameStore reports whether a and b are the same store object.
func sameStore(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	return va.Kind() == reflect.Pointer && va.Type() == vb.Type() && va.Pointer() == vb.Pointer()
}

// releaseEntry gives an entry back to the inbox and reports whether it could.
func (c *webhookCore) releaseEntry(id string, r store.Release) bool {
	err := c.inbox.Release(c.storeCtx, id, c.owner, r)
	switch {
	case err == nil:
		return true
	case errors.Is(err, store.ErrLeaseLost):
		c.leaseLost(id)
	default:
		c.report(c.storeCtx, nil, fmt.Errorf("messenger: releasing inbox entry %q: %w", id, err))
	}
	return false
}

// leaseLost reports that another instance took entry id over while its events ran
// here: the at-least-once window, counted in Stats.
func (c *webhookCore) leaseLost(id string) {
	c.stats.leasesLost.Add(1)
	c.report(c.storeCtx, nil, fmt.Errorf("messenger: inbox entry %q was taken over by another instance while its events ran here (lease lost); some may run twice", id))
}

func (c *webhookCore) replay(ctx context.Context) (int, error) {
	if c.inbox == nil {
		return 0, errors.New("messenger: Replay needs an inbox (WithInbox)")
	}
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return 0, ErrWebhookClosed
	}
	n, dones, err := c.claimDue(ctx, true)
	for _, d := range dones {
		select {
		case <-d:
		case <-ctx.Done():
			return n, ctx.Err()
		}
	}
	return n, err
}

func (c *webhookCore) deadLetters(ctx context.Context) ([]store.InboxEntry, error) {
	if c.inbox == nil {
		return nil, errors.New("messenger: DeadLetters needs an inbox (WithInbox)")
	}
	es, err := c.inbox.Entries(ctx, store.InboxDead)
	if err != nil {
		return nil, fmt.Errorf("messenger: listing dead letters: %w", err)
	}
	return es, nil
}

func (c *webhookCore) redrive(ctx context.Context, id string) error {
	if c.inbox == nil {
		return errors.New("messenger: Redrive needs an inbox (WithInbox)")
	}
	if err := c.inbox.Redrive(ctx, id); err != nil {
		return fmt.Errorf("messenger: redriving inbox entry %q: %w", id, err)
	}
	c.pokeSweeper()
	return nil
}
