package messenger

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// How the webhook schedules work.
//
// A POST is acknowledged once its events are queued (and, with an inbox, persisted);
// handlers run afterwards on worker goroutines, so a slow handler never makes Meta
// wait past its 5-second budget.
//
// Events are grouped by conversation: a Page and a person (the sender, or the recipient
// of an echo). Within a conversation one event runs at a time, in timestamp order among
// the events queued together, so a batch Meta delivered out of order is handled in
// order; different conversations run in parallel on at most WithConcurrency workers.
// Workers exist only while there is work: an idle worker lingers a second for more,
// then exits, and Shutdown ends them all.
//
// The queue holds at most WithQueueLimit events (queued or running). A POST that does
// not fit waits for room until its ack budget runs out and then gets 503, which makes
// Meta deliver it again later: back-pressure instead of unbounded memory, and never an
// acknowledged event dropped for want of room.

// ErrWebhookClosed is returned by [Webhook.Replay] after [Webhook.Shutdown]; a closed
// webhook answers every request with 503.
var ErrWebhookClosed = errors.New("messenger: webhook is shut down")

// ErrEventDropped is reported to the error handler for each queued event that had not
// started when [Webhook.Shutdown]'s context ended. Without an inbox the event is lost
// (Meta was told it arrived); with one its entry is handed back to the inbox, and
// another instance, or [Webhook.Replay] after the restart, handles it.
var ErrEventDropped = errors.New("messenger: webhook event dropped at shutdown before it was handled")

// errQueueFull makes a POST answer 503 when no room freed up within the ack budget.
var errQueueFull = errors.New("messenger: webhook queue is full")

type route struct {
	page string // "" for every Page
	fn   func(context.Context, Event) error
}

// batch is the events of one body: an inbox entry is settled when all of them are.
type batch struct {
	left       int
	inboxID    string
	replay     bool          // claimed from the inbox: skip events already done
	admitted   bool          // taken in by store.Intake: keys claimed, windows recorded
	completing bool          // handed to the completer, which closes done
	attempts   int           // failed runs of the inbox entry before this one
	dropped    bool          // some event was dropped at shutdown: hand the entry back
	done       chan struct{} // Replay waits on it; nil for POSTs
	// The events of an inbox entry whose handlers failed, each with its first error.
	failures []eventFailure
	// With admitted, the events' dedupe keys, in order. The key of an event that
	// failed or was dropped is blanked then (job.notOK), so if the entry outlives
	// this run, the keys left are those of the events that succeeded: they get done
	// marks so a later run skips them (settleEntry). The usual run, in which all
	// succeed and the entry is completed, costs nothing for them.
	keys []string
}

type eventFailure struct {
	ev  Event
	err error
}

type job struct {
	ev  Event
	b   *batch
	key string // the event's dedupe key when the intake already made it
	i   int    // the event's place in its batch
	at  int64  // order within the conversation: event time, else entry time (ms)
	seq uint64 // arrival order, so equal times are handled first come, first served
}

// notOK blanks the key of an admitted event that failed or was dropped (batch.keys).
// Callers hold mu.
func (j *job) notOK() {
	if j.b.admitted {
		j.b.keys[j.i] = ""
	}
}

type convKey struct{ page, user string }

// conv is one conversation's queue; it runs one job at a time.
type conv struct {
	key     convKey
	jobs    []job // a min-heap on (at, seq)
	seq     uint64
	running bool
	inReady bool
}

func (cv *conv) len() int { return len(cv.jobs) }

func (a *job) before(b *job) bool { return a.at < b.at || a.at == b.at && a.seq < b.seq }

// insert adds j in O(log n): a redelivered or out-of-order event older than a long
// backlog must not shift the whole backlog.
func (cv *conv) insert(j job) {
	j.seq = cv.seq
	cv.seq++
	cv.jobs = append(cv.jobs, j)
	for i := len(cv.jobs) - 1; i > 0; {
		p := (i - 1) / 2
		if !cv.jobs[i].before(&cv.jobs[p]) {
			break
		}
		cv.jobs[i], cv.jobs[p] = cv.jobs[p], cv.jobs[i]
		i = p
	}
}

// pop removes the earliest job.
func (cv *conv) pop() job {
	j := cv.jobs[0]
	last := len(cv.jobs) - 1
	cv.jobs[0] = cv.jobs[last]
	cv.jobs[last] = job{}
	cv.jobs = cv.jobs[:last]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < last && cv.jobs[l].before(&cv.jobs[m]) {
			m = l
		}
		if r := l + 1; r < last && cv.jobs[r].before(&cv.jobs[m]) {
			m = r
		}
		if m == i {
			break
		}
		cv.jobs[i], cv.jobs[m] = cv.jobs[m], cv.jobs[i]
		i = m
	}
	return j
}

// convRing is a FIFO of conversations ready to run.
type convRing struct {
	buf     []*conv
	head, n int
}

func (q *convRing) push(c *conv) {
	if q.n == len(q.buf) {
		nb := make([]*conv, max(8, 2*len(q.buf)))
		for i := range q.n {
			nb[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = nb, 0
	}
	q.buf[(q.head+q.n)%len(q.buf)] = c
	q.n++
}

func (q *convRing) pop() *conv {
	if q.n == 0 {
		return nil
	}
	c := q.buf[q.head]
	q.buf[q.head] = nil
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	return c
}

// waitCh returns the channel closed at the next state change. Callers hold mu.
func (c *webhookCore) waitCh() chan struct{} {
	if c.changed == nil {
		c.changed = make(chan struct{})
	}
	return c.changed
}

// broadcast wakes everything waiting for a state change. Callers hold mu.
func (c *webhookCore) broadcast() {
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
}

// waitFor blocks until cond (evaluated under mu) holds or ctx ends.
func (c *webhookCore) waitFor(ctx context.Context, cond func() bool) error {
	for {
		c.mu.Lock()
		if cond() {
			c.mu.Unlock()
			return nil
		}
		ch := c.waitCh()
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// admit reserves room for n events, waiting for room until deadline (zero: no limit)
// or until ctx ends. A batch larger than the whole queue is admitted when the queue is
// empty, so it cannot wait forever.
func (c *webhookCore) admit(ctx context.Context, n int, deadline time.Time) error {
	c.mu.Lock()
	if !c.closed && (c.queued == 0 || c.queued+n <= c.queueLimit) {
		c.queued += n
		c.admitting++
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		d := time.Until(deadline)
		if d <= 0 {
			return errQueueFull
		}
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return ErrWebhookClosed
		}
		if c.queued == 0 || c.queued+n <= c.queueLimit {
			c.queued += n
			c.admitting++
			c.mu.Unlock()
			return nil
		}
		ch := c.waitCh()
		c.mu.Unlock()
		select {
		case <-ch:
		case <-timeout:
			return errQueueFull
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// room is how many events admit takes now without waiting, at least one while the
// queue is empty (admit takes a batch of any size then), and whether the webhook is
// closed (admit takes nothing).
func (c *webhookCore) room() (n int, closed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.queued == 0 {
		return max(c.queueLimit, 1), c.closed
	}
	return max(c.queueLimit-c.queued, 0), c.closed
}

// release gives back room admitted for events that will not be enqueued.
func (c *webhookCore) release(n int) {
	c.mu.Lock()
	c.queued -= n
	c.admitting--
	c.broadcast()
	c.mu.Unlock()
}

// unadmit gives back room admitted for n events that turned out to be duplicates.
func (c *webhookCore) unadmit(n int) {
	c.mu.Lock()
	c.queued -= n
	c.broadcast()
	c.mu.Unlock()
}

// enqueue queues admitted events and starts workers. It fails only after a forced
// shutdown, when the events are released instead.
func (c *webhookCore) enqueue(evs []Event, b *batch) error {
	c.mu.Lock()
	c.admitting--
	if c.forced {
		c.queued -= len(evs)
		c.broadcast()
		c.mu.Unlock()
		return ErrWebhookClosed
	}
	c.queueLocked(evs, b)
	c.mu.Unlock()
	return nil
}

// enqueueNow is admit and enqueue in one critical section, for a batch of its own
// with no inbox entry: it queues evs and reports true when the queue has room now,
// and does nothing and reports false otherwise (closed, full, or forced).
func (c *webhookCore) enqueueNow(evs []Event) bool {
	c.mu.Lock()
	if c.closed || c.forced || c.queued != 0 && c.queued+len(evs) > c.queueLimit {
		c.mu.Unlock()
		return false
	}
	c.queued += len(evs)
	c.queueLocked(evs, c.batchLocked())
	c.mu.Unlock()
	return true
}

// queueLocked queues admitted events as batch b and starts or wakes the workers
// they need. Callers hold mu.
func (c *webhookCore) queueLocked(evs []Event, b *batch) {
	b.left = len(evs)
	for i, ev := range evs {
		in := ev.Info()
		at := in.entryMs
		if !in.Time.IsZero() {
			at = in.Time.UnixMilli()
		}
		k := convKey{in.PageID, conversationUser(ev)}
		cv := c.convs[k]
		if cv == nil {
			cv = c.newConv(k)
			c.convs[k] = cv
		}
		j := job{ev: ev, b: b, i: i, at: at}
		if b.keys != nil {
			j.key = b.keys[i]
		}
		cv.insert(j)
		if !cv.running && !cv.inReady {
			cv.inReady = true
			c.ready.push(cv)
		}
	}
	need := c.ready.n - c.wakeLingering(c.ready.n)
	for spawn := min(need, c.concurrency-c.workers); spawn > 0; spawn-- {
		c.workers++
		c.wg.Add(1)
		go c.work()
	}
}

// conversationUser is the person an event is about: the recipient of an echo, the
// sender otherwise ("" for Page-wide events such as app_roles).
func conversationUser(ev Event) string {
	if e, ok := ev.(*EchoEvent); ok {
		return e.Recipient.key()
	}
	return ev.Info().Sender.key()
}

func (c *webhookCore) newConv(k convKey) *conv {
	if n := len(c.freeConvs); n > 0 {
		cv := c.freeConvs[n-1]
		c.freeConvs = c.freeConvs[:n-1]
		cv.key = k
		return cv
	}
	return &conv{key: k}
}

func (c *webhookCore) recycle(cv *conv) {
	if len(c.freeConvs) >= 1024 || cap(cv.jobs) > 64 {
		return
	}
	*cv = conv{jobs: cv.jobs[:0]}
	c.freeConvs = append(c.freeConvs, cv)
}

func (c *webhookCore) newBatch() *batch {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.batchLocked()
}

// batchLocked takes a batch from the free list, or makes one. Callers hold mu.
func (c *webhookCore) batchLocked() *batch {
	if n := len(c.freeBatches); n > 0 {
		b := c.freeBatches[n-1]
		c.freeBatches = c.freeBatches[:n-1]
		return b
	}
	return &batch{}
}

// workerLinger is how long an idle worker waits for more work before it exits.
// Reusing a worker spares a goroutine start and, above all, regrowing its stack to
// what the handlers need, on every request of a busy webhook.
const workerLinger = time.Second

// work runs ready conversations, one job at a time each. With nothing ready it lingers
// a while for more (enqueue wakes it through c.wake), then exits; after Shutdown it
// exits at once.
func (c *webhookCore) work() {
	defer c.wg.Done()
	var linger *time.Timer
	defer func() {
		if linger != nil {
			linger.Stop()
		}
	}()
	c.mu.Lock()
	for {
		cv := c.ready.pop()
		if cv == nil {
			if c.closed {
				c.workers--
				c.broadcast()
				c.mu.Unlock()
				return
			}
			c.lingering++
			c.broadcast()
			c.mu.Unlock()
			if linger == nil {
				linger = time.NewTimer(workerLinger)
			} else {
				linger.Reset(workerLinger)
			}
			select {
			case <-c.wake: // enqueue (or Shutdown) took us off the lingering count
				c.mu.Lock()
				continue
			case <-linger.C:
			}
			c.mu.Lock()
			select {
			case <-c.wake: // woken as the timer fired: there is work after all
				continue
			default:
			}
			c.lingering--
			c.workers--
			c.broadcast()
			c.mu.Unlock()
			return
		}
		cv.inReady = false
		j := cv.pop()
		cv.running = true
		c.mu.Unlock()

		err := c.handle(&j)

		c.mu.Lock()
		if err != nil && j.b.inboxID != "" {
			j.b.failures = append(j.b.failures, eventFailure{j.ev, err})
			j.notOK()
		}
		cv.running = false
		c.queued--
		if c.sweepWaits && c.queued <= c.queueLimit/2 {
			c.sweepWaits = false
			c.pokeSweeper()
		}
		if cv.len() > 0 {
			cv.inReady = true
			c.ready.push(cv)
		} else {
			delete(c.convs, cv.key)
			c.recycle(cv)
		}
		c.broadcast()
		if j.b.left--; j.b.left == 0 {
			if j.b.inboxID == "" && j.b.done == nil {
				c.freeBatchLocked(j.b) // what finishBatch does, without leaving mu
			} else {
				c.mu.Unlock()
				c.finishBatch(j.b)
				c.mu.Lock()
			}
		}
	}
}

// wakeLingering takes up to n lingering workers back to work. Callers hold mu.
func (c *webhookCore) wakeLingering(n int) int {
	n = min(n, c.lingering)
	for range n {
		c.wake <- struct{}{} // never blocks: capacity is the concurrency
	}
	c.lingering -= n
	return n
}

// finishBatch runs when every event of a body was handled (or dropped).
func (c *webhookCore) finishBatch(b *batch) {
	if b.inboxID != "" {
		c.settleEntry(b)
	}
	if b.done != nil {
		if !b.completing {
			close(b.done)
		}
		return // the completer closes it once the entry is removed
	}
	c.mu.Lock()
	c.freeBatchLocked(b)
	c.mu.Unlock()
}

// freeBatchLocked puts a finished batch on the free list. Callers hold mu.
func (c *webhookCore) freeBatchLocked(b *batch) {
	if len(c.freeBatches) < 1024 {
		*b = batch{}
		c.freeBatches = append(c.freeBatches, b)
	}
}

// idle reports whether nothing is queued, running or about to be queued (workers may
// linger). Callers hold mu.
func (c *webhookCore) idle() bool {
	return c.queued == 0 && c.admitting == 0 && c.workers == c.lingering && c.unsettled == 0
}

// drained is idle with every worker gone. Callers hold mu.
func (c *webhookCore) drained() bool {
	return c.queued == 0 && c.admitting == 0 && c.workers == 0 && c.unsettled == 0
}

func (c *webhookCore) waitIdle(ctx context.Context) error {
	return c.waitFor(ctx, c.idle)
}

func (c *webhookCore) shutdown(ctx context.Context) error {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		c.shut.Store(true)
		c.wakeLingering(c.lingering) // they see closed and exit
		c.broadcast()
	}
	c.mu.Unlock()
	err := c.waitFor(ctx, c.drained)
	if err != nil {
		// Out of time: cancel what runs, drop what waits, then wait for the running
		// handlers to notice their context.
		// Drop first (which sets forced): cancelled before, a worker would run the
		// queued events one after another with an ended context instead of
		// dropping them. And a handler that sees its context end must find forced
		// set, so that its entry is handed back, not counted as a failed attempt.
		c.dropQueued()
		c.cancel()
		_ = c.waitFor(context.Background(), c.drained)
	}
	if c.sweepStop != nil {
		// Every held entry was settled while draining; the sweeper renewed their
		// leases until then.
		c.stopOnce.Do(func() { close(c.sweepStop) })
	}
	c.wg.Wait()
	c.cancel()
	return err
}

// dropQueued removes every job that has not started and reports it.
func (c *webhookCore) dropQueued() {
	c.mu.Lock()
	c.forced = true
	var dropped []job
	for k, cv := range c.convs {
		for cv.len() > 0 {
			dropped = append(dropped, cv.pop())
		}
		cv.inReady = false
		if !cv.running {
			delete(c.convs, k)
		}
	}
	for c.ready.pop() != nil {
	}
	var finished []*batch
	for _, j := range dropped {
		j.b.dropped = true
		j.notOK()
		if j.b.left--; j.b.left == 0 {
			finished = append(finished, j.b)
		}
	}
	c.queued -= len(dropped)
	c.broadcast()
	c.mu.Unlock()
	c.stats.dropped.Add(uint64(len(dropped)))
	for _, j := range dropped {
		err := ErrEventDropped
		if j.b.inboxID != "" {
			err = fmt.Errorf("%w (its inbox entry is handed back, to run after the restart or on another instance)", ErrEventDropped)
		}
		c.report(context.Background(), j.ev, err)
	}
	for _, b := range finished {
		c.finishBatch(b)
	}
}
