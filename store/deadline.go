package store

// DeadlineBound is implemented by stores that can tell whether each of their
// calls returns by its context's deadline whatever the server behind them does,
// a stalled one included. The webhook makes the inbox calls that come before its
// answer to Meta (Append, Intake.Admit) on the request's own goroutine when its
// inbox is so bound, with the ack budget as the deadline; any other inbox it calls
// on a goroutine of its own, which it abandons at the deadline so that Meta is
// answered in time whatever the store does. The first way costs a goroutine less
// per delivery.
//
// A wrapper that embeds a store inherits its answer: one that may block past the
// deadline itself (on a lock, or a call of its own that ignores the context) must
// answer false.
type DeadlineBound interface {
	// DeadlineBound reports whether every call returns once its context's
	// deadline has passed, give or take the scheduling of a goroutine.
	DeadlineBound() bool
}
