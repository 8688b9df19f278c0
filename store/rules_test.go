package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestWindowApply(t *testing.T) {
	msg := store.Action{Kind: store.ActionMessage, At: t0}
	tests := []struct {
		name        string
		w           store.Window
		a           store.Action
		want        store.Window
		wantChanged bool
	}{
		{"first message", store.Window{}, msg, store.Window{LastAction: msg, LastMessage: t0}, true},
		{"same again", store.Window{LastAction: msg, LastMessage: t0}, msg, store.Window{LastAction: msg, LastMessage: t0}, false},
		{
			"older postback", store.Window{LastAction: msg, LastMessage: t0},
			store.Action{Kind: store.ActionPostback, At: t0.Add(-time.Hour)},
			store.Window{LastAction: msg, LastMessage: t0}, false,
		},
		{
			"older message behind a newer reaction",
			store.Window{LastAction: store.Action{Kind: store.ActionReaction, At: t0}},
			store.Action{Kind: store.ActionMessage, At: t0.Add(-time.Hour)},
			store.Window{LastAction: store.Action{Kind: store.ActionReaction, At: t0}, LastMessage: t0.Add(-time.Hour)}, true,
		},
		{
			"ad click", store.Window{}, store.Action{Kind: store.ActionAdClick, At: t0},
			store.Window{LastAction: store.Action{Kind: store.ActionAdClick, At: t0}, LastAdReferral: t0}, true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, changed := tc.w.Apply(tc.a)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Apply (-want +got):\n%s", diff)
			}
			if changed != tc.wantChanged {
				t.Errorf("changed = %v, want %v", changed, tc.wantChanged)
			}
		})
	}
}

func TestTokenClaimable(t *testing.T) {
	otn := store.Token{Kind: store.OneTimeKind, State: store.TokenLive, ExpiresAt: t0.Add(time.Hour)}
	rec := store.Token{Kind: store.RecurringKind, State: store.TokenLive, MinInterval: time.Hour, LastUsed: t0}
	with := func(tok store.Token, f func(*store.Token)) store.Token { f(&tok); return tok }
	tests := []struct {
		name string
		tok  store.Token
		now  time.Time
		want bool
	}{
		{"live", otn, t0, true},
		{"1ns before expiry", otn, t0.Add(time.Hour - 1), true},
		{"at expiry", otn, t0.Add(time.Hour), false},
		{"claimed", with(otn, func(t *store.Token) { t.State = store.TokenClaimed }), t0, false},
		{"dead", with(otn, func(t *store.Token) { t.State = store.TokenDead }), t0, false},
		{"no expiry", with(otn, func(t *store.Token) { t.ExpiresAt = time.Time{} }), t0.AddDate(100, 0, 0), true},
		{"recurring too soon", rec, t0.Add(time.Hour - 1), false},
		{"recurring on time", rec, t0.Add(time.Hour), true},
		{"recurring never used", with(rec, func(t *store.Token) { t.LastUsed = time.Time{} }), t0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.tok.Claimable(tc.now); got != tc.want {
				t.Errorf("Claimable = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestUnclaim(t *testing.T) {
	live := store.Token{Value: "v", Kind: store.OneTimeKind, State: store.TokenLive}
	claimed := live.Claim(t0)
	tests := []struct {
		name     string
		stored   store.Token
		undoable bool
		want     store.Token
		wantOK   bool
	}{
		{"latest claim", claimed, true, live, true},
		{"already released", claimed, false, claimed, false},
		{"claimed again since", claimed.Claim(t0.Add(time.Second)), true, claimed.Claim(t0.Add(time.Second)), false},
		{"dead", store.Token{Value: "v", Kind: store.OneTimeKind, State: store.TokenDead, Uses: 1, LastUsed: t0}, true,
			store.Token{Value: "v", Kind: store.OneTimeKind, State: store.TokenDead, Uses: 1, LastUsed: t0}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := store.Unclaim(tc.stored, claimed, store.ClaimUndo{Undoable: tc.undoable})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Unclaim (-want +got):\n%s", diff)
			}
			if ok != tc.wantOK {
				t.Errorf("ok = %v, want %v", ok, tc.wantOK)
			}
		})
	}
}

func TestClaimsBefore(t *testing.T) {
	a := store.Token{Value: "a", ExpiresAt: t0}
	b := store.Token{Value: "b", ExpiresAt: t0}
	never := store.Token{Value: "0"}
	later := store.Token{Value: "0", ExpiresAt: t0.Add(1)}
	for _, tc := range []struct {
		x, y store.Token
		want bool
	}{
		{a, b, true}, {b, a, false}, {a, never, true}, {never, a, false}, {a, later, true}, {later, a, false}, {never, never, false},
	} {
		if got := store.ClaimsBefore(tc.x, tc.y); got != tc.want {
			t.Errorf("ClaimsBefore(%s@%v, %s@%v) = %v, want %v", tc.x.Value, tc.x.ExpiresAt, tc.y.Value, tc.y.ExpiresAt, got, tc.want)
		}
	}
}

func TestInputErrorNamesFieldLimitValue(t *testing.T) {
	_, err := store.PrepareToken(store.Token{Value: "secret-" + strings.Repeat("x", store.MaxKeyLen), Kind: store.OneTimeKind, Page: "p", User: "u"})
	if !errors.Is(err, store.ErrInvalidInput) {
		t.Fatalf("err = %v, want ErrInvalidInput", err)
	}
	want := "store: PutToken: Token.Value must be at most 1024 bytes (got 1031 bytes)"
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("Error() (-want +got):\n%s", diff)
	}
	err = store.CheckDedupe("k", -time.Second)
	if diff := cmp.Diff("store: FirstSeen: ttl must be positive (got -1s)", err.Error()); diff != "" {
		t.Errorf("Error() (-want +got):\n%s", diff)
	}
}

func TestPrepareTokenDefaultsToLive(t *testing.T) {
	got, err := store.PrepareToken(store.Token{Value: "v", Kind: store.RecurringKind, Page: "p", User: "u"})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.TokenLive {
		t.Errorf("State = %q, want live", got.State)
	}
}
