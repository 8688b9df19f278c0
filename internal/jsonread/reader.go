// Package jsonread is the hand-written JSON reader that the webhook's ParseEvents
// and the send path's answer decoding share. It reads a document straight into the
// caller's structs without reflection: unescaped strings are substrings of the
// input (no allocation), every number field takes a number or a string, and the
// caller can slice out the exact bytes a value came from.
//
// It is a measured fast path, guarded by fuzzing; see CONTRIBUTING.md before
// changing it or copying the pattern elsewhere.
package jsonread

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrMalformed is wrapped by every error a Reader reports: the input is not valid
// JSON. The root package exports it as ErrMalformedPayload.
var ErrMalformed = errors.New("messenger: malformed webhook JSON")

// New returns a Reader at the start of s.
func New(s string) Reader { return Reader{s: s} }

// Err is the first error the reader met, nil while the input is well formed.
func (r *Reader) Err() error { return r.err }

// Pos is the byte offset of the next unread byte.
func (r *Reader) Pos() int { return r.i }

// From returns the input from offset start (a Pos read earlier) to Pos: the exact
// bytes of what was read in between.
func (r *Reader) From(start int) string { return r.s[start:r.i] }

// maxDepth bounds nesting like encoding/json does, so hostile input cannot grow the stack
// without limit.
const maxDepth = 10000

// Reader is a small strict JSON reader over an immutable string. Decoding by hand
// instead of through encoding/json's reflection lets unescaped strings be substrings of
// the body (no allocation), lets every number field accept a number or a string, and
// lets an event keep the exact bytes it came from.
//
// Methods do nothing once err is set, so decoders read straight through and check err
// once at the end.
type Reader struct {
	s     string
	i     int
	depth int
	err   error
}

func (r *Reader) Fail(msg string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: at byte %d: %s", ErrMalformed, r.i, msg)
	}
	r.i = len(r.s)
}

func (r *Reader) SkipSpace() {
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (r *Reader) Peek() byte {
	r.SkipSpace()
	if r.i < len(r.s) {
		return r.s[r.i]
	}
	return 0
}

// end checks that only whitespace follows the top-level value.
func (r *Reader) End() {
	if r.err == nil {
		if r.SkipSpace(); r.i < len(r.s) {
			r.Fail("unexpected data after the top-level value")
		}
	}
}

// enter starts an object ('{') or array ('[') and reports whether it has a first
// member. null counts as empty; any other value is skipped (validated) and counts as
// empty too, so a field of an unexpected type never fails a valid document.
//
//	for ok := r.Enter('{'); ok; ok = r.Next('}') { switch r.Key() { … } }
func (r *Reader) Enter(open byte) bool {
	if r.err != nil {
		return false
	}
	if r.Peek() != open {
		r.Skip()
		return false
	}
	r.i++
	r.depth++
	if r.depth > maxDepth {
		r.Fail("nesting too deep")
		return false
	}
	closer := byte('}')
	if open == '[' {
		closer = ']'
	}
	if r.Peek() == closer {
		r.i++
		r.depth--
		return false
	}
	return true
}

// next moves past a ',' (true: another member follows) or the closing byte (false).
func (r *Reader) Next(closer byte) bool {
	if r.err != nil {
		return false
	}
	switch r.Peek() {
	case ',':
		r.i++
		return true
	case closer:
		r.i++
		r.depth--
		return false
	}
	r.Fail("expected ',' or '" + string(closer) + "'")
	return false
}

// key reads an object key and the ':' after it.
func (r *Reader) Key() string {
	if r.err != nil {
		return ""
	}
	if r.Peek() != '"' {
		r.Fail("expected an object key")
		return ""
	}
	k := r.quoted()
	if r.Peek() != ':' {
		r.Fail("expected ':' after an object key")
		return ""
	}
	r.i++
	return k
}

// str reads a string. A number or boolean gives its literal text; null, an object or
// an array gives "".
func (r *Reader) Str() string {
	if r.err != nil {
		return ""
	}
	switch c := r.Peek(); {
	case c == '"':
		return r.quoted()
	case c == '-' || ('0' <= c && c <= '9'):
		return r.number()
	case c == 't' || c == 'f':
		return r.Literal()
	}
	r.Skip()
	return ""
}

// Int reads an integer from a number or a numeric string (Meta sends both); a number
// with a fraction or exponent is truncated. Anything else gives 0.
func (r *Reader) Int() int64 {
	lit, ok := r.numberText()
	if !ok {
		return 0
	}
	if n, ok := smallUint(lit); ok {
		return n
	}
	if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(lit, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		if f >= math.MaxInt64 {
			return math.MaxInt64
		}
		if f <= math.MinInt64 {
			return math.MinInt64
		}
		return int64(f)
	}
	return 0
}

// smallUint reads s when it is 1 to 18 decimal digits, which cannot overflow: the
// timestamps and ids of every delivery, without strconv's general path.
func smallUint(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + int64(d)
	}
	return n, true
}

// Float reads a number or numeric string; anything else gives 0.
func (r *Reader) Float() float64 {
	lit, ok := r.numberText()
	if !ok {
		return 0
	}
	f, _ := strconv.ParseFloat(lit, 64)
	return f
}

// numberText reads a number or a string and returns its text; anything else is
// skipped and gives false, as does a reader that already failed.
func (r *Reader) numberText() (string, bool) {
	if r.err != nil {
		return "", false
	}
	switch c := r.Peek(); {
	case c == '"':
		return r.quoted(), true
	case c == '-' || ('0' <= c && c <= '9'):
		return r.number(), true
	}
	r.Skip()
	return "", false
}

// bool reads true or false (or "true"/"false"); anything else gives false.
func (r *Reader) Bool() bool {
	if r.err != nil {
		return false
	}
	switch r.Peek() {
	case 't', 'f':
		return r.Literal() == "true"
	case '"':
		return r.quoted() == "true"
	}
	r.Skip()
	return false
}

// raw skips one value and returns its exact text.
func (r *Reader) Raw() string {
	if r.err != nil {
		return ""
	}
	r.SkipSpace()
	start := r.i
	r.Skip()
	if r.err != nil {
		return ""
	}
	return r.s[start:r.i]
}

// skip validates and skips one value.
func (r *Reader) Skip() {
	if r.err != nil {
		return
	}
	switch c := r.Peek(); {
	case c == '{':
		for ok := r.Enter('{'); ok; ok = r.Next('}') {
			if r.Peek() != '"' {
				r.Fail("expected an object key")
				return
			}
			r.skipQuoted()
			if r.Peek() != ':' {
				r.Fail("expected ':' after an object key")
				return
			}
			r.i++
			r.Skip()
		}
	case c == '[':
		for ok := r.Enter('['); ok; ok = r.Next(']') {
			r.Skip()
		}
	case c == '"':
		r.skipQuoted()
	case c == '-' || ('0' <= c && c <= '9'):
		r.number()
	case c == 't' || c == 'f' || c == 'n':
		r.Literal()
	case c == 0 && r.i >= len(r.s):
		r.Fail("unexpected end of input")
	default:
		r.Fail("unexpected character " + strconv.QuoteRune(rune(c)))
	}
}

// isNull consumes a null and reports whether there was one.
func (r *Reader) IsNull() bool {
	if r.err == nil && r.Peek() == 'n' {
		r.Literal()
		return r.err == nil
	}
	return false
}

func (r *Reader) Literal() string {
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(r.s)-r.i >= len(lit) && r.s[r.i:r.i+len(lit)] == lit {
			r.i += len(lit)
			return lit
		}
	}
	r.Fail("invalid literal")
	return ""
}

// number scans a JSON number and returns its text.
func (r *Reader) number() string {
	s, i := r.s, r.i
	start := i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digitsEnd(s, i)
	default:
		return r.badNumber(i)
	}
	if i < len(s) && s[i] == '.' {
		d := i + 1
		if i = digitsEnd(s, d); i == d {
			return r.badNumber(i)
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		if i = digitsEnd(s, d); i == d {
			return r.badNumber(i)
		}
	}
	r.i = i
	return s[start:i]
}

// digitsEnd is where the run of decimal digits at s[i:] ends.
func digitsEnd(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// badNumber fails the reader at i with an invalid number.
func (r *Reader) badNumber(i int) string {
	r.i = i
	r.Fail("invalid number")
	return ""
}

// quoted reads a string at r.i (which is '"'). Strings without escapes and with valid
// UTF-8 are returned as substrings of the input, without allocating.
func (r *Reader) quoted() string {
	s := r.s
	start := r.i + 1
	i := start
	// Eight bytes at a time while none of them is a quote, a backslash, a control
	// character or non-ASCII; the loop below takes over at the word that has one.
	for i+8 <= len(s) && plain8(load8(s, i)) {
		i += 8
	}
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			r.i = i + 1
			return s[start:i]
		case c == '\\':
			return r.unescape(start, i)
		case c < 0x20:
			r.i = i
			r.Fail("control character in string")
			return ""
		case c < utf8.RuneSelf:
			i++
		default:
			rn, size := utf8.DecodeRuneInString(s[i:])
			if rn == utf8.RuneError && size == 1 {
				return r.unescape(start, i)
			}
			i += size
		}
	}
	r.i = len(s)
	r.Fail("unterminated string")
	return ""
}

// load8 reads s[i:i+8] as a little-endian word.
func load8(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// Word constants: every byte 0x01, every byte 0x80.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plain8 reports whether the eight bytes of w are all printable ASCII other than
// '"' and '\\': bytes a string holds as they are.
func plain8(w uint64) bool {
	quote, bslash := w^'"'*ones, w^'\\'*ones // zero bytes where w has '"', '\\'
	return (below(w, 0x20)|below(quote, 1)|below(bslash, 1)|w)&highs == 0
}

// below is nonzero exactly when some byte of x is below n (n ≤ 0x80). The lowest
// such byte borrows in the subtraction, which sets its high bit; with no such byte
// nothing borrows, and bytes at or above n either keep a clear high bit or have a
// set one masked by &^ x.
func below(x, n uint64) uint64 { return (x - n*ones) &^ x }

// unescape finishes a string that needs rewriting: escapes, or invalid UTF-8 (replaced
// by U+FFFD as encoding/json does). s[start:i] is already known to be plain.
func (r *Reader) unescape(start, i int) string {
	s := r.s
	b := make([]byte, 0, i-start+16)
	b = append(b, s[start:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			r.i = i + 1
			return string(b)
		case c < 0x20:
			r.i = i
			r.Fail("control character in string")
			return ""
		case c == '\\':
			if i+1 >= len(s) {
				r.i = len(s)
				r.Fail("unterminated string")
				return ""
			}
			e := s[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rn, ok := hex4(s, i)
				if !ok {
					r.i = i
					r.Fail("invalid \\u escape")
					return ""
				}
				i += 4
				if utf16.IsSurrogate(rn) {
					rn2, ok := rune(0), false
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						rn2, ok = hex4(s, i+2)
					}
					if dec := utf16.DecodeRune(rn, rn2); ok && dec != utf8.RuneError {
						rn = dec
						i += 6
					} else {
						rn = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, rn)
			default:
				r.i = i - 1
				r.Fail("invalid escape character")
				return ""
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			rn, size := utf8.DecodeRuneInString(s[i:])
			if rn == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
		}
	}
	r.i = len(s)
	r.Fail("unterminated string")
	return ""
}

// hex4 reads the four hex digits of a \uXXXX escape at s[i:].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	v, err := strconv.ParseUint(s[i:i+4], 16, 16)
	return rune(v), err == nil
}

// skipQuoted validates a string without building it.
func (r *Reader) skipQuoted() {
	s := r.s
	for i := r.i + 1; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			r.i = i + 1
			return
		case c == '\\':
			if i+1 >= len(s) {
				r.i = len(s)
				r.Fail("unterminated string")
				return
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if _, ok := hex4(s, i+2); !ok {
					r.i = i
					r.Fail("invalid \\u escape")
					return
				}
				i += 6
			default:
				r.i = i
				r.Fail("invalid escape character")
				return
			}
		case c < 0x20:
			r.i = i
			r.Fail("control character in string")
			return
		default:
			i++
		}
	}
	r.i = len(s)
	r.Fail("unterminated string")
}
