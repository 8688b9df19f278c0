package messenger

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// HandlerRetry says how often, and how far apart, the events of an inbox entry are
// run again after a handler failed, before the entry goes to the dead letters. It
// applies only with [WithInbox]: without an inbox nothing keeps a failed event.
type HandlerRetry struct {
	// Attempts is how many runs an entry gets in all, the first included; after the
	// last one fails it is dead-lettered.
	Attempts int
	// Backoff is the wait before the second run; it doubles for each later one,
	// plus up to a quarter at random so entries that failed together do not all
	// come back at once.
	Backoff time.Duration
	// MaxBackoff caps the wait.
	MaxBackoff time.Duration
}

// DefaultHandlerRetry runs a failing entry 8 times over about twelve minutes (waits of
// 5 s, 10 s, 20 s, … up to 10 min), long enough to ride out a short outage of Graph
// or of the host's own services.
var DefaultHandlerRetry = HandlerRetry{Attempts: 8, Backoff: 5 * time.Second, MaxBackoff: 10 * time.Minute}

// ErrDeadLettered is reported to the error handler, wrapped with the handler's last
// error, for each event of an inbox entry moved to the dead letters.
var ErrDeadLettered = errors.New("messenger: webhook event failed every attempt and was dead-lettered")

// WithHandlerRetry sets how failed events are retried from the inbox (default
// [DefaultHandlerRetry]). Attempts must be at least 1 (1: no retry, straight to the
// dead letters), Backoff positive and MaxBackoff at least Backoff.
func WithHandlerRetry(r HandlerRetry) WebhookOption {
	return func(c *webhookConfig) error {
		switch {
		case r.Attempts < 1:
			return fmt.Errorf("messenger: WithHandlerRetry: Attempts must be at least 1, got %d", r.Attempts)
		case r.Backoff <= 0:
			return fmt.Errorf("messenger: WithHandlerRetry: Backoff must be positive, got %v", r.Backoff)
		case r.MaxBackoff < r.Backoff:
			return fmt.Errorf("messenger: WithHandlerRetry: MaxBackoff must be at least Backoff (%v), got %v", r.Backoff, r.MaxBackoff)
		}
		c.retry = r
		return nil
	}
}

// wait returns how long to wait after the failed run number attempt (1 for the
// first run).
func (r HandlerRetry) wait(attempt int) time.Duration {
	d := r.Backoff
	for i := 1; i < attempt && d < r.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, r.MaxBackoff)
	return d + time.Duration(rand.Int64N(int64(d)/4+1))
}

// DeadLetterError is what the error handler receives for each event of an entry
// moved to the dead letters. It matches [ErrDeadLettered] and unwraps to the
// handler's last error.
type DeadLetterError struct {
	// EntryID is the inbox entry, for [Webhook.Redrive].
	EntryID string
	// Attempts is how many runs failed.
	Attempts int
	// Err is the handler's error on the last run.
	Err error
}

// Error says that the event was dead-lettered, after how many attempts and why.
func (e *DeadLetterError) Error() string {
	return fmt.Sprintf("messenger: webhook event dead-lettered after %d failed attempts (inbox entry %s): %v", e.Attempts, e.EntryID, e.Err)
}

// Is makes errors.Is(err, ErrDeadLettered) true.
func (e *DeadLetterError) Is(target error) bool { return target == ErrDeadLettered }

// Unwrap returns the handler's last error.
func (e *DeadLetterError) Unwrap() error { return e.Err }
