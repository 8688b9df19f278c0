package otn

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/store/storetest"
)

func TestHolders(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st := storetest.NewMemory(t, memstore.WithClock(clock)) // implements store.TopicTokens
	ctx := t.Context()
	const topic = "back_in_stock:sku-42"
	live := func(value, page, user, topic string) store.Token {
		return store.Token{Value: value, Kind: store.OneTimeKind, Page: page, User: user, Topic: topic,
			IssuedAt: now.AddDate(0, -1, 0), ExpiresAt: now.AddDate(0, 11, 0), State: store.TokenLive}
	}
	toks := []store.Token{
		live("a1", "P", "alice", topic),
		live("a2", "P", "alice", topic), // two tokens, one holder
		live("b", "P", "bob", topic),
		live("c", "P", "carol", "other-topic"),
		live("d", "Q", "dave", topic), // another Page
	}
	used := live("e", "P", "erin", topic)
	used.State = store.TokenClaimed
	expired := live("f", "P", "frank", topic)
	expired.ExpiresAt = now
	recent := store.Token{Value: "g", Kind: store.RecurringKind, Page: "P", User: "grace", Topic: topic,
		ExpiresAt: now.AddDate(0, 6, 0), MinInterval: 24 * time.Hour, LastUsed: now.Add(-time.Hour), State: store.TokenLive}
	for _, tok := range append(toks, used, expired, recent) {
		if err := st.PutToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	n, err := New(noSend, st, WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	got, err := n.Holders(ctx, "P", topic)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"alice", "bob"}, got); diff != "" {
		t.Errorf("Holders (-want +got):\n%s", diff)
	}

	// Once alice's tokens are spent she no longer holds one.
	for range 2 {
		if _, err := st.ClaimToken(ctx, store.TokenQuery{Page: "P", User: "alice", Topic: topic, Kind: store.OneTimeKind}, now); err != nil {
			t.Fatal(err)
		}
	}
	got, err = n.Holders(ctx, "P", topic)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"bob"}, got); diff != "" {
		t.Errorf("Holders after alice's claims (-want +got):\n%s", diff)
	}
}

func TestHoldersNeedsTopicTokens(t *testing.T) {
	t.Parallel()
	// Embedding only store.Tokens hides the memory store's TokensByTopic, as a
	// store of another author that lacks it.
	n, err := New(noSend, struct{ store.Tokens }{storetest.NewMemory(t)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = n.Holders(t.Context(), "P", "t")
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Holders with a store lacking TokensByTopic: %v, want errors.ErrUnsupported", err)
	}
}

// noSend is a Sender for tests that must not send.
var noSend = senderFunc(func(context.Context, messenger.SendRequest) (*messenger.SendResponse, error) {
	return nil, errors.New("unexpected send")
})
