package otn

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store"
)

// topicStore is a memory store that also lists tokens by topic, as a store
// implementing TopicTokens would.
type topicStore struct {
	*store.Memory
	mu     sync.Mutex
	values map[string]struct{ page, user string }
}

func newTopicStore(now func() time.Time) *topicStore {
	return &topicStore{Memory: store.NewMemory(store.WithClock(now)), values: map[string]struct{ page, user string }{}}
}

func (s *topicStore) PutToken(ctx context.Context, t store.Token) error {
	s.mu.Lock()
	s.values[t.Value] = struct{ page, user string }{t.Page, t.User}
	s.mu.Unlock()
	return s.Memory.PutToken(ctx, t)
}

func (s *topicStore) TokensByTopic(ctx context.Context, page, topic string) ([]store.Token, error) {
	s.mu.Lock()
	users := map[string]bool{}
	for _, v := range s.values {
		if v.page == page {
			users[v.user] = true
		}
	}
	s.mu.Unlock()
	var out []store.Token
	for u := range users {
		toks, err := s.ListTokens(ctx, page, u)
		if err != nil {
			return nil, err
		}
		for _, t := range toks {
			if t.Topic == topic {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

func TestHolders(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st := newTopicStore(clock)
	ctx := t.Context()
	const topic = "back_in_stock:sku-42"
	live := func(value, page, user, topic string) store.Token {
		return store.Token{Value: value, Kind: store.OneTimeToken, Page: page, User: user, Topic: topic,
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
	recent := store.Token{Value: "g", Kind: store.RecurringToken, Page: "P", User: "grace", Topic: topic,
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
		if _, err := st.ClaimToken(ctx, "P", "alice", topic, store.OneTimeToken, now); err != nil {
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
	n, err := New(noSend, store.NewMemory())
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
