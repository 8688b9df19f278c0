package redisstore_test

import (
	"testing"
	"time"

	"github.com/gomessenger/messenger/redisstore"
	"github.com/gomessenger/messenger/store"
)

// A token put again under another Page moves there: the old Page forgets it, and
// Kill and Release, which find a token by value, find it on the new one.
func TestPutTokenMovesBetweenPages(t *testing.T) {
	c := client(t)
	s := redisstore.New(c, redisstore.WithPrefix(freshPrefix(t, c)))
	ctx := t.Context()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tok := store.Token{Value: "tv", Kind: store.OneTimeToken, Page: "p1", User: "u", Topic: "x", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
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
	claimed, err := s.ClaimToken(ctx, "p2", "u", "x", store.OneTimeToken, now)
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
