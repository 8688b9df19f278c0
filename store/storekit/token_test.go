package storekit_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storekit"
)

func TestPrepareTokenDefaultsToLive(t *testing.T) {
	got, err := storekit.PrepareToken(store.Token{Value: "v", Kind: store.RecurringKind, Page: "p", User: "u"})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.TokenLive {
		t.Errorf("State = %q, want live", got.State)
	}
}

// A refused token is named by its field and rule; a token value, a credential,
// appears only as its length.
func TestPrepareTokenRefuses(t *testing.T) {
	ok := store.Token{Value: "v", Kind: store.OneTimeKind, Page: "p", User: "u"}
	with := func(f func(*store.Token)) store.Token { t := ok; f(&t); return t }
	tests := []struct {
		name string
		tok  store.Token
		want string
	}{
		{"long value", with(func(t *store.Token) { t.Value = "secret-" + strings.Repeat("x", store.MaxKeyLen) }),
			"store: PutToken: Token.Value must be at most 1024 bytes (got 1031 bytes)"},
		{"no kind", with(func(t *store.Token) { t.Kind = "" }),
			`store: PutToken: Token.Kind must be "one_time_notif_token" or "notification_messages_token" (got "")`},
		{"no page", with(func(t *store.Token) { t.Page = "" }), `store: PutToken: Token.Page must not be empty (got "")`},
		{"no user", with(func(t *store.Token) { t.User = "" }), `store: PutToken: Token.User must not be empty (got "")`},
		{"unknown state", with(func(t *store.Token) { t.State = "spent" }),
			`store: PutToken: Token.State must be empty, "live", "claimed" or "dead" (got "spent")`},
		{"negative interval", with(func(t *store.Token) { t.MinInterval = -time.Hour }),
			"store: PutToken: Token.MinInterval must not be negative (got -1h0m0s)"},
		{"negative uses", with(func(t *store.Token) { t.Uses = -1 }), "store: PutToken: Token.Uses must not be negative (got -1)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := storekit.PrepareToken(tc.tok)
			if !errors.Is(err, store.ErrInvalidInput) {
				t.Fatalf("err = %v, want an ErrInvalidInput", err)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("Error() (-want +got):\n%s", diff)
			}
		})
	}
}
