package storekit_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storekit"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

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
			got, ok := storekit.Unclaim(tc.stored, claimed, storekit.ClaimUndo{Undoable: tc.undoable})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Unclaim (-want +got):\n%s", diff)
			}
			if ok != tc.wantOK {
				t.Errorf("ok = %v, want %v", ok, tc.wantOK)
			}
		})
	}
}
