package referral

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger"
)

var t0 = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

func info(user string, at time.Duration) messenger.EventInfo {
	return messenger.EventInfo{PageID: "P", Sender: messenger.Party{ID: user}, Recipient: messenger.Party{ID: "P"}, Time: t0.Add(at)}
}

func getStarted(user, ref string, at time.Duration) messenger.Event {
	return &messenger.PostbackEvent{EventInfo: info(user, at), Title: "Get Started", Payload: "GET_STARTED",
		Referral: &messenger.Referral{Ref: ref, Source: "SHORTLINK", Type: "OPEN_THREAD"}}
}

func reentry(user, ref, source string, at time.Duration) messenger.Event {
	return &messenger.ReferralEvent{EventInfo: info(user, at), Referral: messenger.Referral{Ref: ref, Source: source, Type: "OPEN_THREAD"}}
}

func says(user string, at time.Duration) messenger.Event {
	return &messenger.MessageEvent{EventInfo: info(user, at), Message: messenger.ReceivedMessage{MID: fmt.Sprint("m_", user, at), Text: "hi"}}
}

func TestAttribution(t *testing.T) {
	t.Parallel()
	adMessage := &messenger.MessageEvent{EventInfo: info("dave", 0), Message: messenger.ReceivedMessage{Text: "Still available?",
		Referral: &messenger.Referral{Ref: "summer", Source: "ADS", AdID: "1"}}}
	pluginVisitor := info("", 3*time.Hour)
	pluginVisitor.Sender = messenger.Party{UserRef: "uref-1"}
	pluginEntry := &messenger.ReferralEvent{EventInfo: pluginVisitor, Referral: messenger.Referral{Ref: "pricing", Source: "CUSTOMER_CHAT_PLUGIN"}}
	pluginMessage := &messenger.MessageEvent{EventInfo: pluginVisitor}
	echo := &messenger.EchoEvent{EventInfo: messenger.EventInfo{PageID: "P", Sender: messenger.Party{ID: "P"}, Recipient: messenger.Party{ID: "bob"}, Time: t0}}

	events := []messenger.Event{
		getStarted("alice", "spring", 0), says("alice", 5*time.Minute), says("alice", 6*time.Minute),
		getStarted("bob", "spring", 0), echo,
		reentry("carol", "spring", "SHORTLINK", time.Hour), says("carol", 2*time.Hour),
		adMessage, says("dave", time.Minute),
		reentry("erin", "order_42", "SHORTLINK", 0), says("erin", 25*time.Hour), // too late to count
		getStarted("frank", "spring", 0), reentry("frank", "winter", "SHORTLINK", 10*time.Minute), says("frank", 20*time.Minute),
		pluginEntry, pluginMessage,
	}
	a := NewAttribution(0)
	for _, ev := range events {
		a.Observe(ev)
	}
	want := []Count{
		{Ref: "spring", Source: ShortLink, New: 3, Returning: 1, FirstReplies: 2},
		{Ref: "pricing", Source: ChatPlugin, Returning: 1, FirstReplies: 1},
		{Ref: "summer", Source: Ads, New: 1, FirstReplies: 1},
		{Ref: "winter", Source: ShortLink, Returning: 1, FirstReplies: 1},
		{Ref: "order_42", Source: ShortLink, Returning: 1},
	}
	if diff := cmp.Diff(want, a.Snapshot()); diff != "" {
		t.Errorf("Snapshot (-want +got):\n%s", diff)
	}
	if got := a.Snapshot()[0].Conversations(); got != 4 {
		t.Errorf("Conversations = %d, want 4", got)
	}
}

func TestAttributionForgetsOldEntries(t *testing.T) {
	t.Parallel()
	a := NewAttribution(time.Hour)
	for i := range 1000 {
		a.Observe(getStarted(fmt.Sprint("u", i), "spring", time.Duration(i)*time.Minute))
	}
	a.mu.Lock()
	pending, queued := len(a.pending), len(a.queue)-a.head
	a.mu.Unlock()
	if pending > 61 || queued > 61 {
		t.Errorf("%d pending and %d queued entries after 1000 minutes with a 1 h window, want ≤ 61", pending, queued)
	}
	a.Observe(says("u999", 1000*time.Minute))
	a.Observe(says("u0", 1000*time.Minute))
	if got := a.Snapshot()[0].FirstReplies; got != 1 {
		t.Errorf("FirstReplies = %d, want 1 (u0's entry is forgotten)", got)
	}
}

func TestAttributionConcurrent(t *testing.T) {
	t.Parallel()
	a := NewAttribution(0)
	var wg sync.WaitGroup
	const workers, each = 8, 250
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				user := fmt.Sprint("w", w, "u", i)
				a.Observe(getStarted(user, fmt.Sprint("ref", i%3), 0))
				a.Observe(says(user, time.Minute))
				_ = a.Snapshot()
			}
		})
	}
	wg.Wait()
	total, replies := 0, 0
	for _, c := range a.Snapshot() {
		total += c.Conversations()
		replies += c.FirstReplies
	}
	if total != workers*each || replies != workers*each {
		t.Errorf("counted %d conversations and %d replies, want %d each", total, replies, workers*each)
	}
}
