package broadcast

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gomessenger/messenger"
)

// Plan judges every recipient of the audience as Send(ctx, client) would now,
// without sending anything and without claiming any token: who is sendable and by
// which way, who is unreachable and why, and when they become reachable if the
// rules know. The returned Summary counts them; Audit gets one line per recipient.
//
// Plan takes the client Send will use so that both judge with the same inputs: the
// Page (client.PageID when Page is empty) and the policy clock (Now, else
// client.Now). Plan never sends with the client. client may be nil for a plan
// without one; the clock is then Now, else time.Now, and Page is required.
//
// With a Journal, Plan shows what a resumed Send would do: a recipient an
// earlier run finished is reported with the outcome the journal holds (counted in
// Summary.Resumed), a claim without an outcome as StateUnknown, and only the
// others (and, with RetryFailed, those that failed) are judged. Plan only reads
// the journal.
//
// Plan streams the audience: its memory does not grow with the audience's size
// (it keeps counts per way, rule and error, never per recipient). It does not
// detect duplicate PSIDs, which Send does with its journal.
//
// On an error from the audience (other than a *RowError) or a store, or when ctx
// ends, Plan returns the counts so far with the error.
func (b *Broadcast) Plan(ctx context.Context, client *messenger.Client) (*Summary, error) {
	c, err := b.prepare(client)
	if err != nil {
		return nil, err
	}
	t := newTally(true, "", b.Audit)
	started := time.Now()
	if b.Progress != nil {
		stop, finished := make(chan struct{}), make(chan struct{})
		m := &progressMeter{start: started, expected: b.Expected, dry: true}
		go runProgress(m, t, c.every, b.Progress, stop, finished)
		defer func() { close(stop); <-finished }()
	}
	err = c.plan(ctx, t)
	s := t.snapshot()
	s.Elapsed = time.Since(started)
	if err == nil {
		err = t.err()
	}
	return &s, err
}

func (c *config) plan(ctx context.Context, t *tally) error {
	now := c.now()
	// The broadcast sends the k-th sendable recipient about k/rate after it starts.
	perSend := time.Duration(float64(time.Second) / c.rate)
	sendable := 0
	var e Entry
	for r, err := range c.Audience {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err != nil {
			var re *RowError
			if !errors.As(err, &re) {
				return err
			}
			e = Entry{State: StateInvalid, Reason: err.Error(), At: now}
			t.record(&e, false)
			continue
		}
		if c.Journal != nil {
			prev, done, err := c.journaled(ctx, r.PSID)
			if err != nil {
				return err
			}
			if done {
				t.record(&prev, true)
				continue
			}
		}
		e = Entry{PSID: r.PSID, At: now}
		msg, err := c.message(ctx, r)
		if err != nil {
			e.State, e.Reason = StateFailed, "rendering the message: "+err.Error()
			t.record(&e, false)
			continue
		}
		if err := c.validate(msg); err != nil {
			e.State, e.Reason = StateFailed, err.Error()
			t.record(&e, false)
			continue
		}
		j, err := c.judge(ctx, r.PSID, msg, now)
		if err != nil {
			return err
		}
		if !j.allowed() {
			e.State, e.Rule, e.Reason, e.ReachableAt = StateSkipped, j.rule, j.reason, j.reachableAt
			t.record(&e, false)
			continue
		}
		e.State, e.Way, e.Until = StateSendable, c.Ways[j.way].String(), j.until
		if !now.Add(time.Duration(sendable) * perSend).Before(j.until) { // Until is the first instant it no longer holds
			t.atRisk()
		}
		sendable++
		t.record(&e, false)
	}
	return nil
}

// journaled returns what a resumed Send would report for psid without sending:
// the outcome an earlier run recorded (done), or StateUnknown for a claim
// without one. done is false for recipients Send would judge afresh: not in the
// journal, released, or failed with RetryFailed.
func (c *config) journaled(ctx context.Context, psid string) (e Entry, done bool, err error) {
	prev, found, err := c.Journal.Get(ctx, psid)
	if err != nil {
		return Entry{}, false, fmt.Errorf("broadcast: reading the journal: %w", err)
	}
	switch {
	case !found, prev.State == StateReleased, prev.State == StateFailed && c.RetryFailed:
		return Entry{}, false, nil
	case prev.State == StateClaimed:
		return Entry{PSID: psid, State: StateUnknown, Run: prev.Run, At: prev.At, Way: prev.Way,
			Reason: claimLost(prev.Run)}, true, nil
	case prev.State.Final():
		return prev, true, nil
	}
	return Entry{}, false, nil
}

// claimLost is the reason of a recipient a run claimed and left without outcome.
func claimLost(run string) string {
	return "run " + run + " claimed the recipient and stopped before recording the outcome: the message may have been sent, so it is not sent again"
}
