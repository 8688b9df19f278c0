package messenger

import (
	"context"
	"sync"
	"time"
)

// handlerContext is the context an event's handlers run under: the webhook's
// context (ended by a Shutdown that runs out of time) with a deadline
// (WithHandlerTimeout).
//
// It is what context.WithTimeout gives, made lazily: the timer, the done channel
// and the link to the webhook's context exist only once a handler asks for Done.
// Handlers that never wait on their context (most of a busy bot's events: reads,
// deliveries, echoes) then cost one small allocation instead of a timer, a
// channel and an entry in the parent's children, taken under the parent's lock by
// every worker at once. BenchmarkWebhookBatch100 shows the difference.
type handlerContext struct {
	parent   context.Context
	deadline time.Time

	mu     sync.Mutex
	err    error
	done   chan struct{} // made by Done
	closed bool
	timer  *time.Timer
	stop   func() bool // unlinks from parent
}

func newHandlerContext(parent context.Context, timeout time.Duration) *handlerContext {
	return &handlerContext{parent: parent, deadline: time.Now().Add(timeout)}
}

// Deadline reports the handler deadline; the webhook's own context has none.
func (h *handlerContext) Deadline() (time.Time, bool) { return h.deadline, true }

// Value looks keys up in the webhook's context.
func (h *handlerContext) Value(key any) any { return h.parent.Value(key) }

// Done returns a channel closed at the deadline, when the webhook's context ends,
// or when the handlers have returned.
func (h *handlerContext) Done() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done != nil {
		return h.done
	}
	h.done = make(chan struct{})
	if err := h.settleLocked(); err != nil {
		h.endLocked(err) // closes the channel just made
		return h.done
	}
	h.timer = time.AfterFunc(time.Until(h.deadline), func() { h.end(context.DeadlineExceeded) })
	h.stop = context.AfterFunc(h.parent, func() { h.end(h.parent.Err()) })
	return h.done
}

// Err reports why the context ended, or nil.
func (h *handlerContext) Err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.settleLocked()
}

// settleLocked ends the context if its parent ended or its deadline passed, and
// returns its error. Callers hold mu.
func (h *handlerContext) settleLocked() error {
	if h.err == nil {
		if err := h.parent.Err(); err != nil {
			h.endLocked(err)
		} else if !time.Now().Before(h.deadline) {
			h.endLocked(context.DeadlineExceeded)
		}
	}
	return h.err
}

func (h *handlerContext) end(err error) {
	h.mu.Lock()
	h.endLocked(err)
	h.mu.Unlock()
}

func (h *handlerContext) endLocked(err error) {
	if h.err == nil {
		h.err = err
	}
	if h.done != nil && !h.closed {
		h.closed = true
		close(h.done)
	}
}

// release ends the context once the handlers returned, as the cancel function of
// context.WithTimeout does, and stops its timer.
func (h *handlerContext) release() {
	h.mu.Lock()
	h.endLocked(context.Canceled)
	timer, stop := h.timer, h.stop
	h.mu.Unlock()
	if timer != nil {
		timer.Stop()
	}
	if stop != nil {
		stop()
	}
}
