package storekit

import (
	"fmt"
	"strconv"

	"github.com/gomessenger/messenger/store"
)

// PrepareToken checks t for [store.Tokens.PutToken] and returns it as stores keep
// it: an empty State becomes [store.TokenLive]. Every implementation calls it, so
// all refuse the same input with the same [*store.InputError].
func PrepareToken(t store.Token) (store.Token, error) {
	const op = "PutToken"
	if err := CheckKey(op, "Token.Value", t.Value, store.MaxKeyLen); err != nil {
		return t, err
	}
	if t.Kind != store.OneTimeKind && t.Kind != store.RecurringKind {
		return t, &store.InputError{Op: op, Field: "Token.Kind", Limit: fmt.Sprintf("must be %q or %q", store.OneTimeKind, store.RecurringKind), Value: strconv.Quote(string(t.Kind))}
	}
	if err := CheckKey(op, "Token.Page", t.Page, store.MaxIDLen); err != nil {
		return t, err
	}
	if err := CheckKey(op, "Token.User", t.User, store.MaxIDLen); err != nil {
		return t, err
	}
	switch t.State {
	case "":
		t.State = store.TokenLive
	case store.TokenLive, store.TokenClaimed, store.TokenDead:
	default:
		return t, &store.InputError{Op: op, Field: "Token.State", Limit: fmt.Sprintf("must be empty, %q, %q or %q", store.TokenLive, store.TokenClaimed, store.TokenDead), Value: strconv.Quote(string(t.State))}
	}
	if t.MinInterval < 0 {
		return t, &store.InputError{Op: op, Field: "Token.MinInterval", Limit: "must not be negative", Value: t.MinInterval.String()}
	}
	if t.Uses < 0 {
		return t, &store.InputError{Op: op, Field: "Token.Uses", Limit: "must not be negative", Value: strconv.Itoa(t.Uses)}
	}
	return t, nil
}
