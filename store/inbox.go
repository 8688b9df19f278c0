package store

import (
	"context"
	"errors"
	"time"
)

// ErrNoEntry is returned by [Inbox.Redrive] when no dead-lettered entry has the id.
var ErrNoEntry = errors.New("store: no such dead-lettered inbox entry")

// ErrLeaseLost is returned by [Inbox.Release] when the entry is no longer leased to
// the owner (its lease expired and another owner claimed it, or it is done).
var ErrLeaseLost = errors.New("store: inbox entry is not leased to this owner")

// InboxState is where an inbox entry is in its life.
type InboxState string

// The states of an inbox entry.
const (
	// InboxPending entries wait to be handled, or are being handled under a lease.
	InboxPending InboxState = "pending"
	// InboxDead entries failed every attempt they were allowed; nothing claims them
	// until [Inbox.Redrive].
	InboxDead InboxState = "dead"
)

// Lease is a claim on inbox entries: Owner (one per webhook instance) handles them,
// and no other owner may claim them before Until. An owner that is still working
// renews its lease; an owner that died lets it run out, and the entries become
// free for the others.
type Lease struct {
	Owner string
	Until time.Time
}

// InboxEntry is one acknowledged webhook body and where it is in its handling.
type InboxEntry struct {
	ID       string
	Body     []byte
	Received time.Time
	State    InboxState
	// Attempts counts the runs that failed ([Release] with Failed).
	Attempts int
	// RetryAt is the earliest time the entry may be claimed again after a failed
	// run; zero means at once.
	RetryAt time.Time
	// LastError is the Reason of the latest failed run.
	LastError string
	// Owner and LeaseUntil say who holds the entry and until when; an entry whose
	// LeaseUntil has passed is free, whatever Owner says.
	Owner      string
	LeaseUntil time.Time
}

// Release says how an owner gives back an entry it holds without finishing it.
type Release struct {
	// Failed counts the run as a failed attempt: Attempts grows by one and
	// LastError becomes Reason. Without it the run does not count (the owner is
	// shutting down and hands the entry to another).
	Failed bool
	Reason string
	// RetryAt is the earliest time the entry may be claimed again; zero: at once.
	RetryAt time.Time
	// Dead moves the entry to [InboxDead]: no one claims it until [Inbox.Redrive].
	Dead bool
}

// Inbox is a durable queue of webhook bodies that were verified and acknowledged but
// not yet fully handled.
//
// Every entry is handled by one owner at a time, under a lease. Append stores a new
// body already leased to the instance that received it; Claim hands free entries
// (never leased, or whose lease ran out, and due for a retry) to a new owner, so an
// entry left by a crashed instance is taken over once its lease runs out and an
// entry a live instance is working on (and renewing) is never run twice. Done
// removes an entry whose events were all handled; Release gives it back after a
// failed run (with a time to retry, or to the dead letters) or at shutdown.
//
// Append must not return before the body is durable (for the file store, synced to
// disk): the webhook answers 200 only after it returns. Times are the caller's (the
// webhook's clock), so tests can move them; owners of one inbox should keep their
// clocks within a small fraction of the lease of each other.
type Inbox interface {
	// Append stores body, received at received, leased to lease, and returns its id.
	Append(ctx context.Context, body []byte, received time.Time, lease Lease) (id string, err error)
	// Claim leases to lease up to max pending entries that are free at now (no
	// unexpired lease, RetryAt not after now) and returns them, oldest first; max
	// < 1 means no limit. Of concurrent claimers, at most one gets each entry.
	Claim(ctx context.Context, lease Lease, now time.Time, max int) ([]InboxEntry, error)
	// Renew extends to lease.Until the leases lease.Owner still holds on ids, and
	// returns the ids it no longer holds (done, dead, released, or claimed by
	// another after its lease ran out). An owner whose lease ran out but that no
	// one claimed from still holds it.
	Renew(ctx context.Context, lease Lease, ids []string) (lost []string, err error)
	// Release gives back an entry owner holds, as r says. It returns
	// [ErrLeaseLost] when owner no longer holds it, and changes nothing then.
	Release(ctx context.Context, id, owner string, r Release) error
	// Done removes an entry; an unknown id is not an error, so Done may be repeated.
	Done(ctx context.Context, id string) error
	// Entries lists the entries in state, oldest first.
	Entries(ctx context.Context, state InboxState) ([]InboxEntry, error)
	// Redrive makes a dead entry pending again, with no attempts, no lease and no
	// retry time, so the next Claim takes it. It returns [ErrNoEntry] when id is not
	// a dead entry.
	Redrive(ctx context.Context, id string) error
}

// Free reports whether e may be claimed at now: pending, not leased past now, and
// due for its retry.
func (e *InboxEntry) Free(now time.Time) bool {
	return e.State == InboxPending && !e.LeaseUntil.After(now) && !e.RetryAt.After(now)
}

// ApplyRelease changes e as [Inbox.Release] with r does once the owner is checked:
// the lease is dropped and, for a failed run, the attempt counted. Stores of other
// authors may use it so they release exactly as the stores of this module do.
func (e *InboxEntry) ApplyRelease(r Release) {
	e.Owner, e.LeaseUntil = "", time.Time{}
	e.RetryAt = r.RetryAt
	if r.Failed {
		e.Attempts++
		e.LastError = r.Reason
	}
	if r.Dead {
		e.State = InboxDead
	}
}

// ApplyRedrive changes e as [Inbox.Redrive] does: pending, with no attempts, lease,
// retry time or error.
func (e *InboxEntry) ApplyRedrive() {
	e.State = InboxPending
	e.Attempts, e.LastError = 0, ""
	e.RetryAt, e.Owner, e.LeaseUntil = time.Time{}, "", time.Time{}
}

// Check is the check every store makes of a lease before it changes anything: an
// owner is required, or the lease could never be renewed or released.
func (l Lease) Check(op string) error {
	if l.Owner == "" {
		return &InputError{Op: op, Field: "Lease.Owner", Limit: "must not be empty", Value: `""`}
	}
	return nil
}
