package filestore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gomessenger/messenger/store"
)

// A claim reads only the tokens of its kind and topic; a person's other tokens,
// many as they may be, neither slow it nor get picked.
func TestClaimReadsOnlyItsTopic(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		value, topic string
		kind         store.TokenKind
	}{
		{"a", "sale", store.OneTimeKind},
		{"b", "sale", store.RecurringKind},
		{"c", "salez", store.OneTimeKind},
		{"d", "sal", store.OneTimeKind},
	} {
		tok := store.Token{Value: tc.value, Kind: tc.kind, Page: "p", User: "u", Topic: tc.topic, IssuedAt: now}
		if err := s.PutToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ClaimToken(ctx, store.TokenQuery{Page: "p", User: "u", Topic: "sale", Kind: store.OneTimeKind}, now)
	if err != nil || got.Value != "a" {
		t.Errorf("ClaimToken = %q, %v; want a", got.Value, err)
	}
	if _, err := s.ClaimToken(ctx, store.TokenQuery{Page: "p", User: "u", Topic: "sale", Kind: store.OneTimeKind}, now); !errors.Is(err, store.ErrNoToken) {
		t.Errorf("second ClaimToken = %v, want ErrNoToken", err)
	}
	all, err := s.ListTokens(ctx, "p", "u")
	if err != nil || len(all) != 4 {
		t.Errorf("ListTokens = %d tokens, %v; want all 4", len(all), err)
	}
}
