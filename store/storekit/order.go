package storekit

import (
	"slices"

	"github.com/gomessenger/messenger/store"
)

// ClaimsBefore reports whether a should be claimed before b when both are claimable:
// the one that expires first (a zero ExpiresAt counts as never), then the smaller
// Value, so every implementation picks the same token.
func ClaimsBefore(a, b store.Token) bool {
	switch {
	case a.ExpiresAt.Equal(b.ExpiresAt):
		return a.Value < b.Value
	case a.ExpiresAt.IsZero():
		return false
	case b.ExpiresAt.IsZero():
		return true
	default:
		return a.ExpiresAt.Before(b.ExpiresAt)
	}
}

// ListsBefore is the order of [store.Tokens.ListTokens]: oldest IssuedAt first, then
// Value.
func ListsBefore(a, b store.Token) bool {
	if !a.IssuedAt.Equal(b.IssuedAt) {
		return a.IssuedAt.Before(b.IssuedAt)
	}
	return a.Value < b.Value
}

// SortForList sorts tokens in the order of [store.Tokens.ListTokens]
// ([ListsBefore]), so every implementation lists alike.
func SortForList(tokens []store.Token) { slices.SortFunc(tokens, compareBy(ListsBefore)) }

// compareBy turns a less function into a slices.SortFunc comparison.
func compareBy[T any](less func(a, b T) bool) func(a, b T) int {
	return func(a, b T) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	}
}
