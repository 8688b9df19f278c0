package redisstore_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/redisstore"
	"github.com/gomessenger/messenger/store"
)

// A token put again under another Page moves there: the old Page forgets it, and
// Kill and Release, which find a token by value, find it on the new one.
func TestPutTokenMovesBetweenPages(t *testing.T) {
	c := client(t)
	s := newStore(t, c, redisstore.WithPrefix(freshPrefix(t, c)))
	ctx := t.Context()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tok := store.Token{Value: "tv", Kind: store.OneTimeKind, Page: "p1", User: "u", Topic: "x", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	tok.Page = "p2"
	if err := s.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if old, err := s.ListTokens(ctx, "p1", "u"); err != nil || len(old) != 0 {
		t.Errorf("old Page lists %v, %v; want nothing", old, err)
	}
	claimed, err := s.ClaimToken(ctx, store.TokenQuery{Page: "p2", User: "u", Topic: "x", Kind: store.OneTimeKind}, now)
	if err != nil {
		t.Fatalf("ClaimToken on the new Page: %v", err)
	}
	if err := s.ReleaseToken(ctx, claimed); err != nil {
		t.Fatalf("ReleaseToken: %v", err)
	}
	if err := s.KillToken(ctx, "tv"); err != nil {
		t.Fatalf("KillToken: %v", err)
	}
	got, err := s.ListTokens(ctx, "p2", "u")
	if err != nil || len(got) != 1 || got[0].State != store.TokenDead || got[0].Uses != 0 {
		t.Errorf("new Page lists %+v, %v; want the token, released then dead", got, err)
	}
	if n, err := s.PurgeTokens(ctx, now); err != nil || n != 1 {
		t.Errorf("PurgeTokens = %d, %v; want the dead token", n, err)
	}
	if err := s.KillToken(ctx, "tv"); err == nil {
		t.Error("KillToken after purge found the token")
	}
}

// A token moved to another Page leaves its topic on the old Page too.
func TestPutTokenMovesTopicBetweenPages(t *testing.T) {
	c := client(t)
	s := newStore(t, c, redisstore.WithPrefix(freshPrefix(t, c)))
	ctx := t.Context()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tok := store.Token{Value: "tv", Kind: store.OneTimeKind, Page: "p1", User: "u", Topic: "x", IssuedAt: now, State: store.TokenLive}
	if err := s.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	tok.Page = "p2"
	if err := s.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		page string
		want []store.Token
	}{{"p1", nil}, {"p2", []store.Token{tok}}} {
		got, err := s.TokensByTopic(ctx, tc.page, "x")
		if err != nil {
			t.Fatalf("TokensByTopic(%s): %v", tc.page, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("TokensByTopic(%s) (-want +got):\n%s", tc.page, diff)
		}
	}
}

// Tokens an older version wrote have no topic sets: the first TokensByTopic of
// the Page files them. A token whose hash Redis expired leaves its topic set.
func TestTokensByTopicOlderDataAndExpiredHashes(t *testing.T) {
	c := client(t)
	prefix := freshPrefix(t, c)
	s := newStore(t, c, redisstore.WithPrefix(prefix))
	ctx := t.Context()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var toks []store.Token
	for i, v := range []string{"a", "b", "c"} {
		tok := store.Token{Value: v, Kind: store.OneTimeKind, Page: "p", User: "u" + v, Topic: "x", IssuedAt: now.Add(time.Duration(i)), State: store.TokenLive}
		if err := s.PutToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		toks = append(toks, tok)
	}
	// What an older version leaves: no topic set, no marker.
	if err := c.Del(ctx, prefix+":{p}:topic:x", prefix+":{p}:topics").Err(); err != nil {
		t.Fatal(err)
	}
	got, err := s.TokensByTopic(ctx, "p", "x")
	if err != nil {
		t.Fatalf("TokensByTopic: %v", err)
	}
	if diff := cmp.Diff(toks, got); diff != "" {
		t.Errorf("TokensByTopic over older data (-want +got):\n%s", diff)
	}
	// Redis expiring a token's hash, as its TTL does.
	if err := c.Del(ctx, prefix+":{p}:tok:b").Err(); err != nil {
		t.Fatal(err)
	}
	got, err = s.TokensByTopic(ctx, "p", "x")
	if err != nil {
		t.Fatalf("TokensByTopic: %v", err)
	}
	if diff := cmp.Diff([]store.Token{toks[0], toks[2]}, got); diff != "" {
		t.Errorf("TokensByTopic after a hash expired (-want +got):\n%s", diff)
	}
	members, err := c.SMembers(ctx, prefix+":{p}:topic:x").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 2 {
		t.Errorf("topic set holds %v after the hash expired, want a and c only", members)
	}
}
