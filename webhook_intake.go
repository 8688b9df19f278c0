package messenger

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gomessenger/messenger/store"
)

// How a POST is taken in, and what an attacker can make it cost.
//
// Everything from arrival to answer runs under the ack budget: the body read has a
// deadline (the connection's, set through the ResponseWriter), waiting for
// queue room stops at it, and so does waiting for the inbox, whatever the store does.
// Before the signature is verified a request costs at most what it has sent: a
// missing or malformed signature header is refused before the body is read, and the
// body buffer starts small and grows only as bytes arrive, whatever Content-Length
// claims.

var errBodyTooLarge = errors.New("messenger: webhook body too large")

// errInboxTimeout makes a POST answer 503 when the inbox did not persist the body
// within the ack budget.
var errInboxTimeout = errors.New("messenger: inbox did not answer within the ack budget")

// receive runs the POST pipeline: signature header, size cap, body, signature,
// decode, room in the queue, inbox, enqueue, 200.
func (c *webhookCore) receive(rw http.ResponseWriter, r *http.Request) {
	deadline := time.Now().Add(c.ackBudget)
	if c.shut.Load() {
		http.Error(rw, "shutting down", http.StatusServiceUnavailable)
		return
	}
	var want [sha256.Size]byte
	sig, err := c.signatureHeader(r.Header, &want)
	if err != nil {
		// Refused before the body is read: an unsigned or garbled request costs
		// nothing more than its headers.
		c.refuse(rw, err)
		return
	}
	if r.ContentLength > c.maxBody {
		c.tooLarge(rw, r.ContentLength)
		return
	}
	// The read ends at the ack budget, so a client that drips its body cannot hold
	// the connection. Writers that cannot set deadlines (tests' recorders) read
	// without one.
	setReadDeadline(rw, deadline)
	bp := c.bufs.Get().(*[]byte)
	body, err := readBody(r.Body, (*bp)[:0], c.maxBody)
	*bp = body[:0]
	switch {
	case errors.Is(err, errBodyTooLarge):
		c.putBuf(bp)
		c.tooLarge(rw, int64(len(body)))
		return
	case err != nil:
		c.putBuf(bp)
		c.logger.Warn("messenger: webhook delivery refused: body not read within the ack budget", "read", len(body))
		http.Error(rw, "cannot read body", http.StatusBadRequest)
		return
	}
	if err := sig.verifyDigest(body, &want); err != nil {
		c.putBuf(bp)
		c.refuse(rw, err)
		return
	}
	// Most deliveries hold one event: their slice stays on the stack.
	var few [4]Event
	evs, err := parseEnvelope(string(body), few[:0])
	if err != nil {
		c.putBuf(bp)
		c.logger.Warn("messenger: webhook delivery refused", "error", err)
		http.Error(rw, "malformed JSON", http.StatusBadRequest)
		return
	}
	if len(evs) == 0 {
		c.putBuf(bp)
		rw.WriteHeader(http.StatusOK)
		return
	}
	if c.inbox == nil {
		// Nothing keeps body: the events hold a copy.
		c.putBuf(bp)
		c.take(rw, r, evs, deadline)
		return
	}
	if err := c.admit(r.Context(), len(evs), deadline); err != nil {
		c.putBuf(bp)
		c.deferred(rw, len(evs), err)
		return
	}
	b := c.newBatch()
	acked := len(evs)
	// The inbox may keep body, so the buffer is not reused.
	fresh, err := c.persist(r.Context(), body, evs, b, deadline)
	if err != nil {
		c.release(len(evs))
		c.report(c.ctx, nil, fmt.Errorf("messenger: inbox append: %w", err))
		if errors.Is(err, errInboxTimeout) || errors.Is(err, context.DeadlineExceeded) {
			http.Error(rw, "busy", http.StatusServiceUnavailable)
		} else {
			http.Error(rw, "cannot persist", http.StatusInternalServerError)
		}
		return
	}
	if len(fresh) < len(evs) {
		c.unadmit(len(evs) - len(fresh))
		evs = fresh
	}
	if len(evs) == 0 {
		c.release(0)
		c.stats.deliveries.Add(1)
		c.stats.events.Add(uint64(acked))
		rw.WriteHeader(http.StatusOK)
		return
	}
	c.hold(b)
	if err := c.enqueue(evs, b); err != nil {
		if b.inboxID != "" {
			c.unhold(b)
			c.releaseEntry(b.inboxID, store.Release{})
		}
		http.Error(rw, "shutting down", http.StatusServiceUnavailable)
		return
	}
	c.stats.deliveries.Add(1)
	c.stats.events.Add(uint64(acked))
	rw.WriteHeader(http.StatusOK)
}

// take queues the events of a delivery without an inbox and answers it: in one
// critical section when the queue has room, else after waiting for room (admit).
func (c *webhookCore) take(rw http.ResponseWriter, r *http.Request, evs []Event, deadline time.Time) {
	if !c.enqueueNow(evs) {
		if err := c.admit(r.Context(), len(evs), deadline); err != nil {
			c.deferred(rw, len(evs), err)
			return
		}
		if err := c.enqueue(evs, c.newBatch()); err != nil {
			http.Error(rw, "shutting down", http.StatusServiceUnavailable)
			return
		}
	}
	c.stats.deliveries.Add(1)
	c.stats.events.Add(uint64(len(evs)))
	rw.WriteHeader(http.StatusOK)
}

// deferred answers a delivery that found no room in the queue within its ack budget.
func (c *webhookCore) deferred(rw http.ResponseWriter, n int, err error) {
	c.logger.Warn("messenger: webhook delivery deferred", "events", n, "error", err)
	http.Error(rw, "busy", http.StatusServiceUnavailable)
}

// signatureHeader decodes the digest of X-Hub-Signature-256 (or, with WithSHA1 and
// without it, of the legacy header) into want and returns the verifier for it. A
// request without one, or with one that is not "<algorithm>=<hex digest>", is
// refused here, before its body is read.
func (c *webhookCore) signatureHeader(h http.Header, want *[sha256.Size]byte) (*verifier, error) {
	v, header := c.sig256, headerValue(h, SignatureHeader)
	if header == "" && c.sig1 != nil {
		v, header = c.sig1, headerValue(h, SignatureHeaderSHA1)
	}
	return v, v.parse(header, want)
}

// headerValue is h.Get for a key already in canonical form, as the server stores
// received keys, without Get's canonicalisation of the key.
func headerValue(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// setReadDeadline is http.ResponseController's SetReadDeadline without its
// allocations (the controller, and an error for writers that cannot): it runs on
// every delivery.
func setReadDeadline(rw http.ResponseWriter, t time.Time) {
	for {
		switch w := rw.(type) {
		case interface{ SetReadDeadline(time.Time) error }:
			_ = w.SetReadDeadline(t)
			return
		case interface{ Unwrap() http.ResponseWriter }:
			rw = w.Unwrap()
		default:
			return
		}
	}
}

func (c *webhookCore) refuse(rw http.ResponseWriter, err error) {
	c.logger.Warn("messenger: webhook delivery refused", "error", err)
	if errors.Is(err, ErrNotSigned) {
		http.Error(rw, "not signed", http.StatusUnauthorized)
	} else {
		http.Error(rw, "invalid signature", http.StatusForbidden)
	}
}

func (c *webhookCore) tooLarge(rw http.ResponseWriter, n int64) {
	c.logger.Warn("messenger: webhook delivery refused: body too large", "limit", c.maxBody, "size", n)
	http.Error(rw, "body too large", http.StatusRequestEntityTooLarge)
}

func (c *webhookCore) putBuf(bp *[]byte) {
	if cap(*bp) <= 1<<16 {
		c.bufs.Put(bp)
	}
}

// readBody reads all of rd into buf, failing with errBodyTooLarge past limit bytes.
// The buffer grows only as bytes arrive: Content-Length is a claim of an unverified
// client, so it reserves nothing.
func readBody(rd io.Reader, buf []byte, limit int64) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := rd.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return buf, errBodyTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// boundedCall is a store call the POST may stop waiting for.
type boundedCall struct {
	err   error
	done  chan struct{}
	state atomic.Int32 // callWaiting, callTaken or callAbandoned
}

const (
	callWaiting int32 = iota
	callTaken
	callAbandoned
)

// bounded runs call and waits for it until deadline, even when the store ignores
// its context; then it returns errInboxTimeout. When a call the POST gave up on
// succeeds after all, undo runs: the POST was answered 503, so Meta delivers the
// body again, and what the call recorded must not make that delivery a duplicate.
// An undo that cannot forget every key leaves the entry, to run when its lease
// ends: a redelivery dropped for a key still claimed must not lose the event.
//
// An inbox that keeps its deadlines (store.DeadlineBound) is called on the
// request's goroutine instead. A call it cuts at the deadline may still take
// effect in the store (a script sent before a stall runs after it); then the
// entry is in the inbox, leased to this instance, and runs when the lease ends,
// while the redelivery finds its keys taken: run once, later.
func (c *webhookCore) bounded(ctx context.Context, deadline time.Time, call func(context.Context) error, undo func()) error {
	if c.inboxKeepsDeadlines {
		cctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
		defer cancel()
		if err := call(cctx); err != nil {
			if cctx.Err() != nil {
				return errInboxTimeout
			}
			return err
		}
		return nil
	}
	p := &boundedCall{done: make(chan struct{})}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		cctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
		p.err = call(cctx)
		cancel()
		close(p.done)
		if p.state.CompareAndSwap(callWaiting, callTaken) || p.err != nil {
			return
		}
		undo()
	}()
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-p.done:
		return p.err
	case <-t.C:
		if p.state.CompareAndSwap(callWaiting, callAbandoned) {
			return errInboxTimeout
		}
		<-p.done // finished as the timer fired
		return p.err
	}
}

// persist stores body in the inbox, leased to this instance, before the 200. With
// an Intake store it also claims the events' dedupe keys, records their windows and
// removes the entries finished since (takeFinished) in the same round trip, and
// returns the events that were new; otherwise it returns evs, which handle claims
// one by one.
func (c *webhookCore) persist(ctx context.Context, body []byte, evs []Event, b *batch, deadline time.Time) ([]Event, error) {
	received := c.clock()
	lease := store.Lease{Owner: c.owner, Until: received.Add(c.lease)}
	if c.intake == nil {
		var id string
		err := c.bounded(ctx, deadline, func(ctx context.Context) (err error) {
			id, err = c.inbox.Append(ctx, body, received, lease)
			return err
		}, func() {
			if err := c.inbox.Done(c.storeCtx, id); err != nil {
				c.report(c.storeCtx, nil, fmt.Errorf("messenger: removing inbox entry %q appended after its POST was refused: %w", id, err))
			}
		})
		b.inboxID = id
		return evs, err
	}
	fin := c.takeFinished(^uint64(0))
	d := store.Delivery{Body: body, Received: received, Lease: lease, Keys: make([]string, len(evs)), TTL: c.dedupeTTL, Done: fin.ids}
	for i, ev := range evs {
		d.Keys[i] = dedupeKey(ev)
		if c.windows != nil {
			d.Actions = c.appendActions(d.Actions, ev)
		}
	}
	d.Actions = coalesceActions(d.Actions)
	var adm store.Admitted
	err := c.bounded(ctx, deadline, func(ctx context.Context) (err error) {
		adm, err = c.intake.Admit(ctx, d)
		return err
	}, func() {
		forgotten := true
		for i, k := range d.Keys {
			if adm.New[i] {
				if err := c.dedupe.Forget(c.storeCtx, k); err != nil {
					forgotten = false
					c.report(c.storeCtx, nil, fmt.Errorf("messenger: dedupe store: %w", err))
				}
			}
		}
		switch {
		case adm.ID == "":
		case !forgotten:
			// A key still claimed makes Meta's redelivery of its event a duplicate:
			// the entry stays, and runs when its lease ends.
			c.report(c.storeCtx, nil, fmt.Errorf("messenger: inbox entry %q, appended after its POST was refused, is kept to run when its lease ends: not every dedupe key of it could be forgotten", adm.ID))
		default:
			if err := c.inbox.Done(c.storeCtx, adm.ID); err != nil {
				c.report(c.storeCtx, nil, fmt.Errorf("messenger: removing inbox entry %q appended after its POST was refused: %w", adm.ID, err))
			}
		}
	})
	if err != nil {
		// The removals may not have happened (or, abandoned, may yet): the
		// completer does them.
		c.giveBack(fin)
		return nil, err
	}
	c.removed(fin)
	fresh, keys := evs[:0], d.Keys[:0]
	for i, ev := range evs {
		if adm.New[i] {
			fresh, keys = append(fresh, ev), append(keys, d.Keys[i])
		}
	}
	c.stats.duplicates.Add(uint64(len(evs) - len(fresh)))
	b.inboxID, b.admitted, b.keys = adm.ID, true, keys
	return fresh, nil
}
