package store

import (
	"errors"
	"fmt"
)

// ErrInvalidInput is matched (with errors.Is) by every [*InputError], so callers can
// tell a bad argument, which retrying will not fix, from a failing backend.
var ErrInvalidInput = errors.New("store: invalid input")

// InputError reports an argument a store refused before touching any state.
// It names the operation, the field, the rule the value broke and the value itself;
// stores never put token values in it (a token is a credential), only its length.
type InputError struct {
	Op    string // the method, e.g. "PutToken"
	Field string // the argument or field, e.g. "Token.Value"
	Limit string // the rule it broke, e.g. "must not be empty"
	Value string // the offending value, quoted or summarised
}

// Error reads as one line: "store: PutToken: Token.Kind must be ... (got "x")".
func (e *InputError) Error() string {
	return fmt.Sprintf("store: %s: %s %s (got %s)", e.Op, e.Field, e.Limit, e.Value)
}

// Is makes errors.Is(err, ErrInvalidInput) true.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }
