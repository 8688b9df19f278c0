package store

import (
	"context"
	"time"
)

// Intake is implemented by stores that keep the inbox, the dedupe keys and the
// windows together, so that a webhook delivery is taken in with one round trip (one
// transaction, one script) instead of one per event, and finished ones are removed
// many at a time. The webhook uses it when one store serves as its inbox, dedupe
// store and window store (if it has one); the memory, file and Redis stores
// implement it. It is optional: stores of other authors that implement only the
// four interfaces work the same, with more round trips.
type Intake interface {
	Inbox
	Dedupe
	Windows
	// Admit records d at once: each of d.Keys for d.TTL, as Dedupe.FirstSeen does,
	// reporting for each whether it was new; each of d.Actions, as
	// Windows.RecordAction does; when at least one key was new, d.Body as
	// Inbox.Append does; and it removes the entries d.Done, as Complete does. When
	// Admit fails it has recorded nothing; it may have removed some of d.Done (a
	// store that cannot do it all in one step removes them first), which is
	// harmless: they are finished, and the caller gives them to Complete again.
	Admit(ctx context.Context, d Delivery) (Admitted, error)
	// Complete removes the inbox entries ids, as Inbox.Done does for each.
	Complete(ctx context.Context, ids []string) error
}

// Delivery is what [Intake.Admit] records of one webhook body.
type Delivery struct {
	Body     []byte
	Received time.Time
	Lease    Lease
	// Keys are the dedupe keys of the body's events, remembered for TTL.
	Keys []string
	TTL  time.Duration
	// Actions are the window-opening actions the events are.
	Actions []WindowAction
	// Done are inbox entries finished since, to be removed in the same round trip
	// (the webhook's removals ride on the next delivery instead of costing one of
	// their own). Unknown ids are skipped, as Complete skips them.
	Done []string
}

// WindowAction is one window-opening action of a person towards a Page.
type WindowAction struct {
	Page, User string
	Action     Action
}

// Admitted is what [Intake.Admit] did.
type Admitted struct {
	// ID is the inbox entry's id; empty when no key was new, so nothing was
	// appended.
	ID string
	// New tells, for each of Delivery.Keys in order, whether it was first seen.
	New []bool
}
