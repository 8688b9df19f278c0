package store_test

import (
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
