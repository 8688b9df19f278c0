package messenger

import "sync/atomic"

// WebhookStats counts what a [Webhook] did since it was created, for metrics and
// for checking that nothing was lost: every acknowledged event ends up Handled,
// Duplicate, Dropped or, with an inbox, still pending or dead-lettered.
type WebhookStats struct {
	// Deliveries is how many POSTs were answered 200 with events in them, and
	// Events how many events those held.
	Deliveries, Events uint64
	// Handled counts events whose handlers all succeeded; Failed counts runs in
	// which one failed (each attempt once).
	Handled, Failed uint64
	// Duplicates counts events skipped because the dedupe store had seen them.
	Duplicates uint64
	// Retried counts inbox entries put back for a later run after a failure, and
	// DeadLettered those moved to the dead letters.
	Retried, DeadLettered uint64
	// Dropped counts events that had not started when Shutdown gave up waiting.
	// Without an inbox they are lost; with one their entries were handed back.
	Dropped uint64
	// LeasesLost counts inbox entries this instance was running when another
	// instance took them over (its lease had run out): their events may have run
	// twice.
	LeasesLost uint64
}

// webhookCounters keeps what POSTs count apart from what workers count, a cache
// line between them, so that the two sides, running on different cores, do not
// take the line from each other on every event.
type webhookCounters struct {
	deliveries, events                         atomic.Uint64 // POSTs
	_                                          [64]byte
	handled, failed, duplicates                atomic.Uint64 // workers
	retried, deadLettered, dropped, leasesLost atomic.Uint64
}

func (s *webhookCounters) snapshot() WebhookStats {
	return WebhookStats{
		Deliveries: s.deliveries.Load(), Events: s.events.Load(),
		Handled: s.handled.Load(), Failed: s.failed.Load(), Duplicates: s.duplicates.Load(),
		Retried: s.retried.Load(), DeadLettered: s.deadLettered.Load(),
		Dropped: s.dropped.Load(), LeasesLost: s.leasesLost.Load(),
	}
}
