package messenger

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/gomessenger/messenger/store"
)

// ErrHandlerPanic matches (with errors.Is) the [*HandlerPanicError] a panicking handler
// is reported with.
var ErrHandlerPanic = errors.New("messenger: webhook handler panicked")

// HandlerPanicError is what the error handler receives when an event handler panics.
// The webhook recovers, reports, and goes on with the next event.
type HandlerPanicError struct {
	// Value is what the handler panicked with.
	Value any
	// Stack is the goroutine's stack at the panic.
	Stack []byte
}

// Error says that a handler panicked and with what.
func (e *HandlerPanicError) Error() string {
	return fmt.Sprintf("messenger: webhook handler panicked: %v", e.Value)
}

// Is makes errors.Is(err, ErrHandlerPanic) true.
func (e *HandlerPanicError) Is(target error) bool { return target == ErrHandlerPanic }

// Unwrap returns Value when it is an error.
func (e *HandlerPanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// handle runs one event: drop it if it was seen, record the window it opens, call the
// handlers, and settle the dedupe key. It returns the first handler error.
//
// Failure policy: when a handler returns an error or panics, the error goes to the
// error handler and, with an inbox, the entry is retried (the dedupe key stays, so a
// redelivery does not run the event beside the retry). Without an inbox the key is
// forgotten, so the same event arriving again is handled.
func (c *webhookCore) handle(j *job) error {
	// Stores get a context Shutdown does not cancel: bookkeeping of a handler that
	// finished must still be written.
	ev, sctx := j.ev, c.storeCtx
	var key string
	switch {
	case c.dedupe == nil:
	case j.b.admitted:
		// Claimed, and its window recorded, when the body was taken in.
		key = j.key
	case j.b.replay:
		key = dedupeKey(ev)
		if c.wasDone(sctx, ev, key) {
			c.stats.duplicates.Add(1)
			return nil
		}
		c.claim(sctx, ev, key) // so that later redeliveries are dropped
	default:
		key = dedupeKey(ev)
		if !c.claim(sctx, ev, key) {
			c.stats.duplicates.Add(1)
			return nil
		}
	}
	if !j.b.admitted {
		c.recordWindow(sctx, ev)
	}
	hctx := newHandlerContext(c.ctx, c.handlerTime)
	err := c.callHandlers(hctx, ev)
	hctx.release()
	if err != nil {
		c.stats.failed.Add(1)
	} else {
		c.stats.handled.Add(1)
	}
	switch {
	case key == "":
	case err != nil && c.inbox == nil:
		c.forget(sctx, ev, key)
	case err != nil, j.b.admitted:
		// A failed event keeps its key: the inbox retry owns it. An admitted batch
		// marks done only if its entry outlives it (settleEntry).
	case c.inbox != nil:
		// Remember completion separately from the claim: a Replay after a crash must
		// redo events that were claimed but never finished.
		c.markDone(sctx, ev, key)
	}
	return err
}

func (c *webhookCore) markDone(ctx context.Context, ev Event, key string) {
	if _, err := c.dedupe.FirstSeen(ctx, doneKey(key), c.dedupeTTL); err != nil {
		c.report(ctx, ev, fmt.Errorf("messenger: dedupe store: %w", err))
	}
}

func doneKey(key string) string { return "done:" + key }

// claim reports whether this is the first delivery of the event. A failing store
// counts as first: handling twice beats losing an event.
func (c *webhookCore) claim(ctx context.Context, ev Event, key string) bool {
	first, err := c.dedupe.FirstSeen(ctx, key, c.dedupeTTL)
	if err != nil {
		c.report(ctx, ev, fmt.Errorf("messenger: dedupe store: %w", err))
		return true
	}
	return first
}

// wasDone reports whether a replayed event was finished before the restart, without
// leaving a mark when it was not.
func (c *webhookCore) wasDone(ctx context.Context, ev Event, key string) bool {
	dk := doneKey(key)
	first, err := c.dedupe.FirstSeen(ctx, dk, c.dedupeTTL)
	if err != nil {
		c.report(ctx, ev, fmt.Errorf("messenger: dedupe store: %w", err))
		return false
	}
	if !first {
		return true
	}
	if err := c.dedupe.Forget(ctx, dk); err != nil {
		c.report(ctx, ev, fmt.Errorf("messenger: dedupe store: %w", err))
	}
	return false
}

func (c *webhookCore) forget(ctx context.Context, ev Event, key string) {
	if err := c.dedupe.Forget(ctx, key); err != nil {
		c.report(ctx, ev, fmt.Errorf("messenger: dedupe store: %w", err))
	}
}

// callHandlers calls every handler registered for the event's Page, in registration
// order, reports each failure, and returns the first.
func (c *webhookCore) callHandlers(ctx context.Context, ev Event) error {
	routes := c.routes.Load()
	if routes == nil {
		return nil
	}
	var first error
	page := ev.Info().PageID
	for _, r := range *routes {
		if r.page != "" && r.page != page {
			continue
		}
		if err := call(ctx, r.fn, ev); err != nil {
			if first == nil {
				first = err
			}
			c.report(ctx, ev, err)
		}
	}
	return first
}

func call(ctx context.Context, fn func(context.Context, Event) error, ev Event) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &HandlerPanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn(ctx, ev)
}

// report hands err to the error handler, which must not take the webhook down either.
func (c *webhookCore) report(ctx context.Context, ev Event, err error) {
	defer func() {
		if v := recover(); v != nil {
			c.logger.Error("messenger: webhook error handler panicked", "panic", fmt.Sprint(v))
		}
	}()
	c.onError(ctx, ev, err)
}

// logError is the default error handler. It logs the kind and Page, never the content.
func (c *webhookCore) logError(_ context.Context, ev Event, err error) {
	if ev == nil {
		c.logger.Error("messenger: webhook", "error", err)
		return
	}
	c.logger.Error("messenger: webhook event not handled", "kind", ev.Kind(), "page", ev.Info().PageID, "error", err)
}

// windowAction maps an event to the window-opening action it is (docs/platform.md, “The 24-hour window”): a
// message (and, after a Click-to-Messenger ad, an ad click), a postback, a referral
// into an existing thread, a reaction, a plugin opt-in. Echoes, deliveries, reads,
// notification opt-ins and feed changes open nothing.
func windowAction(ev Event) (kind store.ActionKind, user string, ad bool) {
	switch e := ev.(type) {
	case *MessageEvent:
		ad := e.Message.Referral != nil && e.Message.Referral.Source == "ADS"
		return store.ActionMessage, e.Sender.key(), ad
	case *PostbackEvent:
		return store.ActionPostback, e.Sender.key(), false
	case *ReferralEvent:
		return store.ActionReferral, e.Sender.key(), false
	case *ReactionEvent:
		if e.Action == "react" {
			return store.ActionReaction, e.Sender.key(), false
		}
	case *OptinEvent:
		if e.Type == "" {
			user := e.Sender.key()
			if user == "" {
				user = e.UserRef
			}
			return store.ActionOptin, user, false
		}
	}
	return "", "", false
}

// appendActions appends the window-opening actions ev is (none, one, or a message
// and an ad click).
func (c *webhookCore) appendActions(dst []store.WindowAction, ev Event) []store.WindowAction {
	kind, user, ad := windowAction(ev)
	if kind == "" || user == "" {
		return dst
	}
	in := ev.Info()
	at := in.Time
	if at.IsZero() {
		at = c.clock()
	}
	dst = append(dst, store.WindowAction{Page: in.PageID, User: user, Action: store.Action{Kind: kind, At: at}})
	if ad {
		dst = append(dst, store.WindowAction{Page: in.PageID, User: user, Action: store.Action{Kind: store.ActionAdClick, At: at}})
	}
	return dst
}

func (c *webhookCore) recordWindow(ctx context.Context, ev Event) {
	if c.windows == nil {
		return
	}
	var buf [2]store.WindowAction
	for _, a := range c.appendActions(buf[:0], ev) {
		if err := c.windows.RecordAction(ctx, a.Page, a.User, a.Action); err != nil {
			c.report(ctx, ev, fmt.Errorf("messenger: window store: %w", err))
		}
	}
}
