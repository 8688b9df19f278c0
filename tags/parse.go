package tags

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ErrUnknownTag is matched (with errors.Is) by the error of [Parse] for a name that
// was never a tag.
var ErrUnknownTag = errors.New("tags: unknown tag")

// ErrNotValid is matched (with errors.Is) by the error of [Parse] for a tag that
// exists but is not accepted at the instant asked about.
var ErrNotValid = errors.New("tags: tag not valid at that time")

// maxEcho bounds how much of a caller's input an error repeats.
const maxEcho = 64

// ParseError is the error of [Parse]. It names the input, the instant and the tags
// valid at that instant.
type ParseError struct {
	// Input is the string given to Parse.
	Input string
	// Tag is the tag Input names when it is in the catalogue; "" otherwise.
	Tag Tag
	// At is the instant Parse was asked about.
	At time.Time
	// Valid are the tags accepted at At, in alphabetical order.
	Valid []Tag
}

// Error says what was wrong and lists the tags valid at that time.
func (e *ParseError) Error() string {
	var b strings.Builder
	in := e.Input
	if len(in) > maxEcho {
		in = in[:maxEcho] + "…"
	}
	when := "any time"
	if !e.At.IsZero() {
		when = e.At.UTC().Format(time.RFC3339Nano)
	}
	if e.Tag == "" {
		fmt.Fprintf(&b, "tags: tag %q is not a message tag", in)
	} else {
		info, _ := Lookup(e.Tag)
		fmt.Fprintf(&b, "tags: tag %s is not valid at %s", e.Tag, when)
		switch {
		case !info.ValidFrom.IsZero() && e.At.Before(info.ValidFrom):
			fmt.Fprintf(&b, " (valid from %s)", info.ValidFrom.Format(time.DateOnly))
		case !info.ValidUntil.IsZero():
			fmt.Fprintf(&b, " (retired on %s", info.ValidUntil.Format(time.DateOnly))
			if r := ReplacementsAt(e.Tag, e.At); len(r) > 0 {
				fmt.Fprintf(&b, "; use %s", joinTags(r))
			} else {
				b.WriteString("; ")
				b.WriteString(deadEnd(info))
			}
			b.WriteString(")")
		}
	}
	fmt.Fprintf(&b, "; valid at %s: %s", when, joinTags(e.Valid))
	return b.String()
}

// Is makes errors.Is match [ErrUnknownTag] or [ErrNotValid].
func (e *ParseError) Is(target error) bool {
	if e.Tag == "" {
		return target == ErrUnknownTag
	}
	return target == ErrNotValid
}

func joinTags(ts []Tag) string {
	if len(ts) == 0 {
		return "none"
	}
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// Parse returns the tag named by s if the platform accepts it at the instant at.
//
// Case does not matter, surrounding space is ignored and "-" or " " may stand for
// "_": "human agent", "Human-Agent" and "HUMAN_AGENT" all name [HumanAgent].
// A zero at accepts any tag that was ever valid.
//
// The error is a *[ParseError] that lists the tags valid at that time; it matches
// [ErrUnknownTag] for a name that was never a tag and [ErrNotValid] for a tag that is
// not accepted at that time (retired, or not yet introduced).
func Parse(s string, at time.Time) (Tag, error) {
	norm := strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ':
			return '_'
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
	t := Tag(norm)
	i, ok := index[t]
	switch {
	case ok && (at.IsZero() || catalogue[i].ValidAt(at)):
		return t, nil
	case !ok:
		t = ""
	}
	valid := ValidAt(at)
	if at.IsZero() {
		valid = nil
		for _, info := range catalogue {
			valid = append(valid, info.Tag)
		}
		slices.Sort(valid)
	}
	return "", &ParseError{Input: s, Tag: t, At: at, Valid: valid}
}

// deadEnd explains a retired tag whose replacements are all retired too: it follows
// the first replacement to the note that names what replaces the chain.
func deadEnd(info Info) string {
	var b strings.Builder
	for range len(catalogue) { // bounded: a chain cannot be longer than the catalogue
		if len(info.Replacements) == 0 {
			break
		}
		next, _ := Lookup(info.Replacements[0])
		if next.ValidUntil.IsZero() {
			break
		}
		fmt.Fprintf(&b, "replaced by %s, itself retired on %s; ", next.Tag, next.ValidUntil.Format(time.DateOnly))
		info = next
	}
	b.WriteString("replacement: " + info.ReplacementNote)
	return b.String()
}
