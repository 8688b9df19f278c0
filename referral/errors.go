package referral

import (
	"fmt"
	"unicode/utf8"

	"github.com/gomessenger/messenger"
)

// Error reports input this package refuses before anything is built or sent: a ref
// or Page name an m.me link cannot carry, or a ref [DecodeRef] cannot read.
type Error struct {
	Field  string // "ref", "page", or the Ref field being encoded
	Limit  string // what the field must be
	Value  string // the value refused (a prefix of it, when long, in Error())
	Index  int    // byte index of the offending character in Value, or -1
	Char   rune   // the offending character when Index >= 0
	Reason string
}

// Error names the field, the reason, the limit and (a prefix of) the value.
func (e *Error) Error() string {
	return fmt.Sprintf("referral: invalid %s: %s (allowed: %s; value %q)", e.Field, e.Reason, e.Limit, clip(e.Value))
}

// Is matches messenger.ErrInvalidRequest, like every SDK error for input refused
// before the network.
func (e *Error) Is(target error) bool { return target == messenger.ErrInvalidRequest }

func invalid(field, limit, value, reason string) *Error {
	return &Error{Field: field, Limit: limit, Value: value, Index: -1, Reason: reason}
}

// clip keeps error strings readable when a value is thousands of characters long.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}
