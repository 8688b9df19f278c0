package messenger

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// validator collects every violation of a request so that one error reports all of
// them; each violation is a *ValidationError, so errors.As finds the first and
// errors.Is(err, ErrInvalidRequest) matches the whole.
//
// Every check takes the field path in two parts, the parent path and the field's
// own suffix (".title"), joined only when the check fails: valid requests, the
// common case on every Send, build no path strings.
type validator struct{ errs []error }

func (v *validator) fail(path, name, limit, value, reason string) {
	v.errs = append(v.errs, &ValidationError{Field: path + name, Limit: limit, Value: value, Reason: reason})
}

func (v *validator) err() error {
	switch len(v.errs) {
	case 0:
		return nil
	case 1:
		return v.errs[0]
	}
	return errors.Join(v.errs...)
}

// previewRunes is how much of a long value a ValidationError shows: enough to find
// the value, not enough to flood a log line with a 2000-character text.
const previewRunes = 32

// preview quotes s, shortened to previewRunes characters with an ellipsis.
func preview(s string) string {
	if utf8.RuneCountInString(s) <= previewRunes {
		return strconv.Quote(s)
	}
	i, n := 0, 0
	for i = range s {
		if n == previewRunes {
			break
		}
		n++
	}
	return strconv.Quote(s[:i]) + "…"
}

// lengthValue describes a string found too long: a preview and its length in characters.
func lengthValue(s string, n int) string {
	return fmt.Sprintf("%s (%d characters)", preview(s), n)
}

// maxRunes checks len(s) ≤ max, counted in characters (runes), as the platform counts.
func (v *validator) maxRunes(path, name, s string, max int) {
	if len(s) <= max { // fast path: bytes ≥ runes
		return
	}
	if n := utf8.RuneCountInString(s); n > max {
		v.fail(path, name, fmt.Sprintf("at most %d characters", max), lengthValue(s, n), "too long")
	}
}

// lessRunes checks len(s) < limit in characters, for the limits the platform states
// as strictly less than (text < 2000, metadata < 1000).
func (v *validator) lessRunes(path, name, s string, limit int) {
	if len(s) < limit {
		return
	}
	if n := utf8.RuneCountInString(s); n >= limit {
		v.fail(path, name, fmt.Sprintf("fewer than %d characters", limit), lengthValue(s, n), "too long")
	}
}

// required checks that s is set.
func (v *validator) required(path, name, s, reason string) bool {
	if s == "" {
		v.fail(path, name, "set", `""`, reason)
		return false
	}
	return true
}

// count checks min ≤ n ≤ max for a list.
func (v *validator) count(path, name string, n, min, max int, what string) {
	switch {
	case n < min && min == max:
		v.fail(path, name, fmt.Sprintf("exactly %d %s", min, what), strconv.Itoa(n), "wrong number of "+what)
	case n < min:
		v.fail(path, name, fmt.Sprintf("at least %d %s", min, what), strconv.Itoa(n), "too few "+what)
	case n > max && min == max:
		v.fail(path, name, fmt.Sprintf("exactly %d %s", max, what), strconv.Itoa(n), "wrong number of "+what)
	case n > max:
		v.fail(path, name, fmt.Sprintf("at most %d %s", max, what), strconv.Itoa(n), "too many "+what)
	}
}

// oneOf checks that s is one of allowed.
func (v *validator) oneOf(path, name, s string, allowed ...string) bool {
	for _, a := range allowed {
		if s == a {
			return true
		}
	}
	v.fail(path, name, "one of "+strings.Join(allowed, ", "), preview(s), "unknown value")
	return false
}

// webURL checks that s is an absolute http or https URL; httpsOnly narrows it to https.
func (v *validator) webURL(path, name, s string, httpsOnly bool) {
	u, err := url.Parse(s)
	ok := err == nil && u.Host != "" && (u.Scheme == "https" || (!httpsOnly && u.Scheme == "http"))
	if ok {
		return
	}
	limit := "an absolute http or https URL"
	if httpsOnly {
		limit = "an absolute https URL"
	}
	v.fail(path, name, limit, preview(s), "not a usable URL")
}

// index returns path[i].
func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func runeCount(s string) int { return utf8.RuneCountInString(s) }

func itoa(n int) string { return strconv.Itoa(n) }
