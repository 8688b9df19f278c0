package storekit_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storekit"
)

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
		if got := storekit.ClaimsBefore(tc.x, tc.y); got != tc.want {
			t.Errorf("ClaimsBefore(%s@%v, %s@%v) = %v, want %v", tc.x.Value, tc.x.ExpiresAt, tc.y.Value, tc.y.ExpiresAt, got, tc.want)
		}
	}
}

func TestSortForList(t *testing.T) {
	tokens := []store.Token{
		{Value: "c", IssuedAt: t0.Add(time.Hour)},
		{Value: "b", IssuedAt: t0},
		{Value: "a", IssuedAt: t0},
		{Value: "d", IssuedAt: t0.Add(-time.Hour)},
	}
	storekit.SortForList(tokens)
	var got []string
	for _, tok := range tokens {
		got = append(got, tok.Value)
	}
	if diff := cmp.Diff([]string{"d", "a", "b", "c"}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}
