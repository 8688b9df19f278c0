package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
)

// oneTime returns a live one-time token of (page, user, topic) issued at now that
// expires in a year, as the platform issues them.
func oneTime(value string, now time.Time) store.Token {
	return store.Token{
		Value:     value,
		Kind:      store.OneTimeKind,
		Page:      page,
		User:      user,
		Topic:     topic,
		IssuedAt:  now,
		ExpiresAt: now.Add(365 * 24 * time.Hour),
		State:     store.TokenLive,
	}
}

// recurring returns a live daily recurring token of (page, user, topic).
func recurring(value string, now time.Time) store.Token {
	return store.Token{
		Value:       value,
		Kind:        store.RecurringKind,
		Page:        page,
		User:        user,
		Topic:       topic,
		IssuedAt:    now,
		ExpiresAt:   now.Add(180 * 24 * time.Hour),
		MinInterval: 24 * time.Hour,
		State:       store.TokenLive,
	}
}

func put(t *testing.T, st store.Store, toks ...store.Token) {
	t.Helper()
	for _, tok := range toks {
		if err := st.PutToken(t.Context(), tok); err != nil {
			t.Fatalf("PutToken(%s): %v", tok.Value, err)
		}
	}
}

func list(t *testing.T, st store.Store) []store.Token {
	t.Helper()
	got, err := st.ListTokens(t.Context(), page, user)
	if err != nil {
		t.Fatalf("ListTokens: %v", err)
	}
	return got
}

// claim claims a token of the default (page, user, topic) and fails t on any error
// but ErrNoToken, which it reports as ok == false.
func claim(t *testing.T, st store.Store, kind store.TokenKind, now time.Time) (store.Token, bool) {
	t.Helper()
	tok, err := st.ClaimToken(t.Context(), store.TokenQuery{Page: page, User: user, Topic: topic, Kind: kind}, now)
	if errors.Is(err, store.ErrNoToken) {
		return store.Token{}, false
	}
	if err != nil {
		t.Fatalf("ClaimToken: %v", err)
	}
	return tok, true
}

// race runs f from n goroutines released together, to make them contend.
func race(n int, f func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			f(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

func (s *suite) tokensOneWinner(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	put(t, st, oneTime("otn-1", now))
	const n = 1000
	var mu sync.Mutex
	var wins []store.Token
	var errs []error
	race(n, func(int) {
		tok, err := st.ClaimToken(t.Context(), store.TokenQuery{Page: page, User: user, Topic: topic, Kind: store.OneTimeKind}, now)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			wins = append(wins, tok)
		case !errors.Is(err, store.ErrNoToken):
			errs = append(errs, err)
		}
	})
	if len(errs) > 0 {
		t.Fatalf("%d of %d claims failed, first: %v", len(errs), n, errs[0])
	}
	if len(wins) != 1 {
		t.Fatalf("%d goroutines claimed the one-time token, want exactly 1", len(wins))
	}
	want := oneTime("otn-1", now)
	want.State, want.LastUsed, want.Uses = store.TokenClaimed, now, 1
	if diff := cmp.Diff(want, wins[0]); diff != "" {
		t.Errorf("claimed token (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]store.Token{want}, list(t, st)); diff != "" {
		t.Errorf("stored token after the race (-want +got):\n%s", diff)
	}
}

func (s *suite) tokensEachOnce(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	const tokens, claimers = 20, 200
	for i := range tokens {
		put(t, st, oneTime(fmt.Sprintf("otn-%02d", i), now))
	}
	var mu sync.Mutex
	won := map[string]int{}
	var errs []error
	race(claimers, func(int) {
		tok, err := st.ClaimToken(t.Context(), store.TokenQuery{Page: page, User: user, Topic: topic, Kind: store.OneTimeKind}, now)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			won[tok.Value]++
		case !errors.Is(err, store.ErrNoToken):
			errs = append(errs, err)
		}
	})
	if len(errs) > 0 {
		t.Fatalf("%d claims failed, first: %v", len(errs), errs[0])
	}
	if len(won) != tokens {
		t.Errorf("%d distinct tokens claimed, want %d", len(won), tokens)
	}
	for v, n := range won {
		if n != 1 {
			t.Errorf("token %s claimed %d times, want once", v, n)
		}
	}
}

func (s *suite) tokensSoonestFirst(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	mk := func(v string, expires time.Duration) store.Token {
		tok := oneTime(v, now)
		tok.ExpiresAt = time.Time{}
		if expires > 0 {
			tok.ExpiresAt = now.Add(expires)
		}
		return tok
	}
	put(t, st, mk("c-3h", 3*time.Hour), mk("a-never", 0), mk("d-1h", time.Hour), mk("b-2h", 2*time.Hour), mk("e-2h", 2*time.Hour))
	var got []string
	for range 10 { // bounded, so a store that never runs out cannot hang the suite
		tok, ok := claim(t, st, store.OneTimeKind, now)
		if !ok {
			break
		}
		got = append(got, tok.Value)
	}
	want := []string{"d-1h", "b-2h", "e-2h", "c-3h", "a-never"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claim order (-want +got):\n%s", diff)
	}
}

func (s *suite) tokensMatching(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	dead := oneTime("dead", now)
	dead.State = store.TokenDead
	claimed := oneTime("claimed", now)
	claimed.State = store.TokenClaimed
	put(t, st, oneTime("live", now), dead, claimed)
	tests := []struct {
		name             string
		page, user, topc string
		kind             store.TokenKind
	}{
		{"other page", "page-2", user, topic, store.OneTimeKind},
		{"other user", page, "user-2", topic, store.OneTimeKind},
		{"other topic", page, user, "other", store.OneTimeKind},
		{"empty topic", page, user, "", store.OneTimeKind},
		{"other kind", page, user, topic, store.RecurringKind},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := st.ClaimToken(t.Context(), store.TokenQuery{Page: tc.page, User: tc.user, Topic: tc.topc, Kind: tc.kind}, now)
			if !errors.Is(err, store.ErrNoToken) {
				t.Errorf("ClaimToken = %v, want ErrNoToken", err)
			}
		})
	}
	tok, ok := claim(t, st, store.OneTimeKind, now)
	if !ok || tok.Value != "live" {
		t.Fatalf("ClaimToken = %q, %v; want the live token", tok.Value, ok)
	}
	if tok, ok := claim(t, st, store.OneTimeKind, now); ok {
		t.Errorf("ClaimToken picked %q; dead and claimed tokens must not be claimable", tok.Value)
	}
}

func (s *suite) tokensExpiryNanosecond(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	tok := oneTime("otn-1", now)
	put(t, st, tok)
	if got, ok := claim(t, st, store.OneTimeKind, tok.ExpiresAt); ok {
		t.Fatalf("claimed %q at ExpiresAt; a token is usable only strictly before it", got.Value)
	}
	got, ok := claim(t, st, store.OneTimeKind, tok.ExpiresAt.Add(-time.Nanosecond))
	if !ok {
		t.Fatal("no token at ExpiresAt-1ns; it must still be usable")
	}
	if !got.LastUsed.Equal(tok.ExpiresAt.Add(-time.Nanosecond)) {
		t.Errorf("LastUsed = %v, want %v (to the nanosecond)", got.LastUsed, tok.ExpiresAt.Add(-time.Nanosecond))
	}

	rec := recurring("rec-1", now)
	put(t, st, rec)
	if _, ok := claim(t, st, store.RecurringKind, rec.ExpiresAt); ok {
		t.Error("claimed a recurring token at its ExpiresAt")
	}
	if _, ok := claim(t, st, store.RecurringKind, rec.ExpiresAt.Add(-time.Nanosecond)); !ok {
		t.Error("no recurring token at ExpiresAt-1ns")
	}
}

func (s *suite) tokensRecurring(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	rec := recurring("rec-1", now)
	put(t, st, rec)
	first, ok := claim(t, st, store.RecurringKind, now)
	if !ok {
		t.Fatal("first claim of a fresh recurring token failed")
	}
	want := rec
	want.LastUsed, want.Uses = now, 1
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("first claim (-want +got):\n%s", diff)
	}
	if _, ok := claim(t, st, store.RecurringKind, now.Add(rec.MinInterval-time.Nanosecond)); ok {
		t.Fatal("claimed again 1ns before MinInterval passed")
	}
	second, ok := claim(t, st, store.RecurringKind, now.Add(rec.MinInterval))
	if !ok {
		t.Fatal("no claim once MinInterval passed")
	}
	want.LastUsed, want.Uses = now.Add(rec.MinInterval), 2
	if diff := cmp.Diff(want, second); diff != "" {
		t.Errorf("second claim (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]store.Token{want}, list(t, st)); diff != "" {
		t.Errorf("stored token (-want +got):\n%s", diff)
	}
}

func (s *suite) tokensRecurringOneWinner(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	put(t, st, recurring("rec-1", now))
	var mu sync.Mutex
	wins := 0
	var errs []error
	race(200, func(int) {
		_, err := st.ClaimToken(t.Context(), store.TokenQuery{Page: page, User: user, Topic: topic, Kind: store.RecurringKind}, now)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, store.ErrNoToken):
			errs = append(errs, err)
		}
	})
	if len(errs) > 0 {
		t.Fatalf("%d claims failed, first: %v", len(errs), errs[0])
	}
	if wins != 1 {
		t.Errorf("%d goroutines claimed the recurring token within its MinInterval, want 1", wins)
	}
}

func (s *suite) tokensRelease(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	tok := oneTime("otn-1", now)
	put(t, st, tok)
	claimed, ok := claim(t, st, store.OneTimeKind, now)
	if !ok {
		t.Fatal("claim failed")
	}
	for range 2 { // releasing twice is harmless
		if err := st.ReleaseToken(t.Context(), claimed); err != nil {
			t.Fatalf("ReleaseToken: %v", err)
		}
		if diff := cmp.Diff([]store.Token{tok}, list(t, st)); diff != "" {
			t.Errorf("token after release (-want +got):\n%s", diff)
		}
	}
	again, ok := claim(t, st, store.OneTimeKind, now.Add(time.Second))
	if !ok {
		t.Fatal("a released one-time token must be claimable again")
	}
	// The first claim is stale now: releasing it must not undo the second.
	if err := st.ReleaseToken(t.Context(), claimed); err != nil {
		t.Fatalf("ReleaseToken(stale): %v", err)
	}
	if diff := cmp.Diff([]store.Token{again}, list(t, st)); diff != "" {
		t.Errorf("stale release changed the token (-want +got):\n%s", diff)
	}
	// A killed token stays dead.
	if err := st.KillToken(t.Context(), tok.Value); err != nil {
		t.Fatalf("KillToken: %v", err)
	}
	if err := st.ReleaseToken(t.Context(), again); err != nil {
		t.Fatalf("ReleaseToken(killed): %v", err)
	}
	if got := list(t, st); len(got) != 1 || got[0].State != store.TokenDead {
		t.Errorf("after releasing a killed token, tokens = %+v, want it dead", got)
	}
	unknown := oneTime("never-stored", now)
	if err := st.ReleaseToken(t.Context(), unknown); !errors.Is(err, store.ErrNoToken) {
		t.Errorf("ReleaseToken(unknown) = %v, want ErrNoToken", err)
	}
}

func (s *suite) tokensReleaseRecurring(t *testing.T) {
	st := s.fresh(t)
	t1 := s.now()
	t2 := t1.Add(25 * time.Hour)
	rec := recurring("rec-1", t1)
	put(t, st, rec)
	first, ok := claim(t, st, store.RecurringKind, t1)
	if !ok {
		t.Fatal("first claim failed")
	}
	second, ok := claim(t, st, store.RecurringKind, t2)
	if !ok {
		t.Fatal("second claim failed")
	}
	if err := st.ReleaseToken(t.Context(), first); err != nil { // stale: no change
		t.Fatalf("ReleaseToken(first): %v", err)
	}
	if diff := cmp.Diff([]store.Token{second}, list(t, st)); diff != "" {
		t.Errorf("stale release changed the token (-want +got):\n%s", diff)
	}
	if err := st.ReleaseToken(t.Context(), second); err != nil {
		t.Fatalf("ReleaseToken(second): %v", err)
	}
	if diff := cmp.Diff([]store.Token{first}, list(t, st)); diff != "" {
		t.Errorf("token after releasing the second claim (-want +got):\n%s", diff)
	}
	// Only the latest claim can be undone, once: the first is not undone now either.
	if err := st.ReleaseToken(t.Context(), first); err != nil {
		t.Fatalf("ReleaseToken(first again): %v", err)
	}
	if diff := cmp.Diff([]store.Token{first}, list(t, st)); diff != "" {
		t.Errorf("releasing an older claim after a release changed the token (-want +got):\n%s", diff)
	}
	if _, ok := claim(t, st, store.RecurringKind, t2); !ok {
		t.Error("released recurring token is not claimable at the released claim's time")
	}
}

func (s *suite) tokensKill(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	put(t, st, oneTime("otn-1", now), recurring("rec-1", now))
	for _, v := range []string{"otn-1", "rec-1"} {
		if err := st.KillToken(t.Context(), v); err != nil {
			t.Fatalf("KillToken(%s): %v", v, err)
		}
	}
	for _, k := range []store.TokenKind{store.OneTimeKind, store.RecurringKind} {
		if tok, ok := claim(t, st, k, now); ok {
			t.Errorf("claimed killed token %q", tok.Value)
		}
	}
	for _, tok := range list(t, st) {
		if tok.State != store.TokenDead {
			t.Errorf("token %s state = %q, want dead", tok.Value, tok.State)
		}
	}
	if err := st.KillToken(t.Context(), "never-stored"); !errors.Is(err, store.ErrNoToken) {
		t.Errorf("KillToken(unknown) = %v, want ErrNoToken", err)
	}
}

func (s *suite) tokensPutReplaces(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	tok := oneTime("otn-1", now)
	put(t, st, tok)
	moved := tok
	moved.User, moved.Topic = "user-2", "other"
	moved.State = "" // an empty state is stored as live
	put(t, st, moved)
	if got := list(t, st); len(got) != 0 {
		t.Errorf("old owner still lists %d tokens after the token moved", len(got))
	}
	got, err := st.ListTokens(t.Context(), page, "user-2")
	if err != nil {
		t.Fatalf("ListTokens: %v", err)
	}
	moved.State = store.TokenLive
	if diff := cmp.Diff([]store.Token{moved}, got); diff != "" {
		t.Errorf("replaced token (-want +got):\n%s", diff)
	}
	if _, err := st.ClaimToken(t.Context(), store.TokenQuery{Page: page, User: "user-2", Topic: "other", Kind: store.OneTimeKind}, now); err != nil {
		t.Errorf("claim of the replaced token: %v", err)
	}
}

func (s *suite) tokensList(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	a := oneTime("b-first", now.Add(-2*time.Hour))
	b := recurring("a-second", now.Add(-time.Hour))
	b.LastUsed, b.Uses = now.Add(-30*time.Minute), 3
	c := oneTime("c-third", now)
	c.State, c.LastUsed, c.Uses = store.TokenClaimed, now, 1
	d := oneTime("d-third", now)
	d.ExpiresAt = time.Time{}
	other := oneTime("other", now)
	other.User = "user-2"
	put(t, st, d, c, other, b, a)
	if diff := cmp.Diff([]store.Token{a, b, c, d}, list(t, st)); diff != "" {
		t.Errorf("ListTokens (-want +got):\n%s", diff)
	}
	got, err := st.ListTokens(t.Context(), page, "nobody")
	if err != nil || len(got) != 0 {
		t.Errorf("ListTokens(nobody) = %v, %v; want none", got, err)
	}
}

func (s *suite) tokensPurge(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	expiredNow := oneTime("gone-expired-now", now.Add(-time.Hour))
	expiredNow.ExpiresAt = now
	expiredBefore := recurring("gone-expired-before", now.Add(-time.Hour))
	expiredBefore.ExpiresAt = now.Add(-time.Nanosecond)
	dead := recurring("gone-dead", now)
	dead.State = store.TokenDead
	used := oneTime("gone-used", now)
	used.State, used.Uses = store.TokenClaimed, 1
	live := oneTime("kept-live", now)
	live.ExpiresAt = now.Add(time.Nanosecond)
	usedRec := recurring("kept-recurring", now)
	usedRec.LastUsed, usedRec.Uses = now, 4
	forever := oneTime("kept-forever", now)
	forever.ExpiresAt = time.Time{}
	put(t, st, expiredNow, expiredBefore, dead, used, live, usedRec, forever)
	n, err := st.PurgeTokens(t.Context(), now)
	if err != nil {
		t.Fatalf("PurgeTokens: %v", err)
	}
	if n != 4 {
		t.Errorf("PurgeTokens deleted %d, want 4", n)
	}
	var kept []string
	for _, tok := range list(t, st) {
		kept = append(kept, tok.Value)
	}
	if diff := cmp.Diff([]string{"kept-forever", "kept-live", "kept-recurring"}, kept); diff != "" {
		t.Errorf("tokens after purge (-want +got):\n%s", diff)
	}
	if err := st.KillToken(t.Context(), "gone-dead"); !errors.Is(err, store.ErrNoToken) {
		t.Errorf("KillToken(purged) = %v, want ErrNoToken", err)
	}
	if n, err := st.PurgeTokens(t.Context(), now); err != nil || n != 0 {
		t.Errorf("second PurgeTokens = %d, %v; want 0, nil", n, err)
	}
}

func (s *suite) tokensInvalid(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	const secret = "EAAG-secret-token-value"
	mod := func(f func(*store.Token)) store.Token {
		tok := oneTime(secret, now)
		f(&tok)
		return tok
	}
	tests := []struct {
		name  string
		tok   store.Token
		field string
	}{
		{"empty value", mod(func(t *store.Token) { t.Value = "" }), "Token.Value"},
		{"long value", mod(func(t *store.Token) { t.Value = secret + strings.Repeat("x", store.MaxKeyLen) }), "Token.Value"},
		{"bad kind", mod(func(t *store.Token) { t.Kind = "weekly" }), "Token.Kind"},
		{"empty page", mod(func(t *store.Token) { t.Page = "" }), "Token.Page"},
		{"empty user", mod(func(t *store.Token) { t.User = "" }), "Token.User"},
		{"bad state", mod(func(t *store.Token) { t.State = "used" }), "Token.State"},
		{"negative interval", mod(func(t *store.Token) { t.MinInterval = -time.Hour }), "Token.MinInterval"},
		{"negative uses", mod(func(t *store.Token) { t.Uses = -1 }), "Token.Uses"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := st.PutToken(t.Context(), tc.tok)
			checkInputError(t, err, tc.field)
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q shows the token value", err)
			}
		})
	}
	_, err := st.ClaimToken(t.Context(), store.TokenQuery{Page: page, User: user, Topic: topic, Kind: store.TokenKind("weekly")}, now)
	checkInputError(t, err, "kind")
	_, err = st.ClaimToken(t.Context(), store.TokenQuery{Page: "", User: user, Topic: topic, Kind: store.OneTimeKind}, now)
	checkInputError(t, err, "page")
	_, err = st.ListTokens(t.Context(), page, "")
	checkInputError(t, err, "user")
}
