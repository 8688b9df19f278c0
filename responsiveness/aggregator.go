package responsiveness

import (
	"slices"
	"sync"
	"time"

	"github.com/gomessenger/messenger"
)

// DefaultRetention is how much history an [Aggregator] keeps by default: the seven
// days Meta's badge looks at, plus a day so a report for "the last 7 days" always
// finds the inquiries open at its start.
const DefaultRetention = 8 * 24 * time.Hour

// Aggregator collects the messages of live webhook traffic and reports on them. It is
// safe for concurrent use, so a webhook's handlers can feed it from many goroutines.
//
// It keeps the messages of the last retention period (measured from the newest
// message seen), so memory grows with traffic over that period only; a conversation
// still waiting after that long drops out of Unanswered.
type Aggregator struct {
	retain time.Duration

	mu      sync.Mutex
	msgs    []Message
	latest  time.Time
	pruneAt int
}

// NewAggregator returns an empty Aggregator keeping retain of history
// (≤ 0: [DefaultRetention]).
func NewAggregator(retain time.Duration) *Aggregator {
	if retain <= 0 {
		retain = DefaultRetention
	}
	return &Aggregator{retain: retain, pruneAt: 1024}
}

// Observe records a webhook event: a *messenger.MessageEvent as a message in, a
// *messenger.EchoEvent (a send of any app, or a reply typed in the Page inbox) as a
// message out. Other events, and events without a time, are ignored.
func (a *Aggregator) Observe(ev messenger.Event) {
	switch e := ev.(type) {
	case *messenger.MessageEvent:
		if e == nil {
			return
		}
		a.Add(Message{Page: pick(e.PageID, e.Recipient.ID), User: pick(e.Sender.ID, e.Sender.UserRef), At: e.Time, Dir: Inbound})
	case *messenger.EchoEvent:
		if e == nil {
			return
		}
		a.Add(Message{Page: pick(e.PageID, e.Sender.ID), User: pick(e.Recipient.ID, e.Recipient.UserRef), At: e.Time, Dir: Outbound})
	}
}

func pick(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Add records one message, for sources other than webhooks (for example the
// responses of Client.Send when echoes are not subscribed). Messages without a
// time, Page, person or direction are ignored.
func (a *Aggregator) Add(m Message) {
	if m.At.IsZero() || m.Page == "" || m.User == "" || (m.Dir != Inbound && m.Dir != Outbound) {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if m.At.After(a.latest) {
		a.latest = m.At
	}
	a.msgs = append(a.msgs, m)
	if len(a.msgs) >= a.pruneAt {
		cutoff := a.latest.Add(-a.retain)
		a.msgs = slices.DeleteFunc(a.msgs, func(m Message) bool { return m.At.Before(cutoff) })
		a.pruneAt = max(1024, 2*len(a.msgs))
	}
}

// Report computes the [Report] of every Page over [from, to) from the messages
// recorded so far, as [Compute] does.
func (a *Aggregator) Report(from, to time.Time, opts Options) []Report {
	a.mu.Lock()
	msgs := slices.Clone(a.msgs)
	a.mu.Unlock()
	return Compute(msgs, from, to, opts)
}
