package redisstore_test

import (
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/redisstore"
	"github.com/gomessenger/messenger/store"
)

// The documented key layout and TTLs: per-Page keys in the Page's hash tag, every
// key under the prefix, and TTLs as the platform needs them.
func TestKeyLayoutAndTTLs(t *testing.T) {
	c := client(t)
	prefix := freshPrefix(t, c)
	now := time.Now()
	s := newStore(t, c, redisstore.WithPrefix(prefix))
	ctx := t.Context()
	if err := s.RecordAction(ctx, "123", "u1", store.Action{Kind: store.ActionMessage, At: now}); err != nil {
		t.Fatal(err)
	}
	tok := store.Token{Value: "tv", Kind: store.OneTimeKind, Page: "123", User: "u1", Topic: "x", IssuedAt: now, ExpiresAt: now.Add(48 * time.Hour)}
	if err := s.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FirstSeen(ctx, "mid.1", 6*time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, []byte("{}"), now, store.Lease{Owner: "a", Until: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, []byte("{}"), now, store.Lease{Owner: "a", Until: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(ctx, "2", "a", store.Release{Failed: true, Dead: true}); err != nil {
		t.Fatal(err)
	}
	keys, err := c.Keys(ctx, prefix+":*").Result()
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(keys)
	p := prefix + ":"
	in := p + "{" + prefix + ":inbox}:"
	want := []string{p + "dedupe:mid.1", p + "pages", p + "tokpage:tv",
		in + "dead", in + "e:1", in + "e:2", in + "pending", in + "seq", in + "waiting",
		p + "{123}:tok:tv", p + "{123}:tokens", p + "{123}:toks:u1", p + "{123}:topic:x", p + "{123}:win:u1"}
	sort.Strings(want)
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	ttls := []struct {
		key      string
		min, max time.Duration
	}{
		{p + "dedupe:mid.1", 6*time.Hour - time.Minute, 6 * time.Hour},
		{p + "{123}:win:u1", store.WindowRetention - time.Minute, store.WindowRetention},
		{p + "{123}:tok:tv", 48*time.Hour + redisstore.TokenGrace - time.Minute, 48*time.Hour + redisstore.TokenGrace},
		{p + "tokpage:tv", 48*time.Hour + redisstore.TokenGrace - time.Minute, 48*time.Hour + redisstore.TokenGrace},
	}
	for _, tc := range ttls {
		got, err := c.PTTL(ctx, tc.key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if got < tc.min || got > tc.max {
			t.Errorf("TTL of %s = %v, want between %v and %v", tc.key, got, tc.min, tc.max)
		}
	}
	for _, k := range []string{in + "e:1", in + "e:2", in + "pending", in + "waiting", in + "dead", in + "seq"} {
		if got := c.PTTL(ctx, k).Val(); got != -1 {
			t.Errorf("TTL of %s = %v, want none: entries stay until Done", k, got)
		}
	}
}

func TestPageWithBracesRefused(t *testing.T) {
	c := client(t)
	s := newStore(t, c, redisstore.WithPrefix(freshPrefix(t, c)))
	err := s.RecordAction(t.Context(), "a}b", "u", store.Action{Kind: store.ActionMessage, At: time.Now()})
	var ie *store.InputError
	if !errors.As(err, &ie) || ie.Field != "page" {
		t.Errorf("RecordAction with a brace in the page = %v, want an InputError about page", err)
	}
}

func TestNewDoesNotTouchTheNetworkAndCloseKeepsClient(t *testing.T) {
	c := client(t)
	s := newStore(t, c)
	if s.Prefix() != redisstore.DefaultPrefix {
		t.Errorf("Prefix = %q, want %q", s.Prefix(), redisstore.DefaultPrefix)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(t.Context()).Err(); err != nil {
		t.Errorf("client closed by Store.Close: %v", err)
	}
	if _, err := s.FirstSeen(t.Context(), "k", time.Hour); !errors.Is(err, store.ErrClosed) {
		t.Errorf("FirstSeen after Close = %v, want ErrClosed", err)
	}
}
