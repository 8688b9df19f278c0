package messenger

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrMalformedPayload is returned by [ParseEvents] and [ParseEvent] when the input is not
// valid JSON. Valid JSON never fails: fields of unexpected types are left zero (the raw
// JSON keeps them) and items of unknown kinds become [UnknownEvent].
var ErrMalformedPayload = errors.New("messenger: malformed webhook JSON")

// maxDepth bounds nesting like encoding/json does, so hostile input cannot grow the stack
// without limit.
const maxDepth = 10000

// jsonReader is a small strict JSON reader over an immutable string. Decoding by hand
// instead of through encoding/json's reflection lets unescaped strings be substrings of
// the body (no allocation), lets every number field accept a number or a string, and
// lets an event keep the exact bytes it came from.
//
// Methods do nothing once err is set, so decoders read straight through and check err
// once at the end.
type jsonReader struct {
	s     string
	i     int
	depth int
	err   error
}

func (r *jsonReader) fail(msg string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: at byte %d: %s", ErrMalformedPayload, r.i, msg)
	}
	r.i = len(r.s)
}

func (r *jsonReader) ws() {
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
func (r *jsonReader) peek() byte {
	r.ws()
	if r.i < len(r.s) {
		return r.s[r.i]
	}
	return 0
}

// end checks that only whitespace follows the top-level value.
func (r *jsonReader) end() {
	if r.err == nil {
		if r.ws(); r.i < len(r.s) {
			r.fail("unexpected data after the top-level value")
		}
	}
}

// enter starts an object ('{') or array ('[') and reports whether it has a first
// member. null counts as empty; any other value is skipped (validated) and counts as
// empty too, so a field of an unexpected type never fails a valid document.
//
//	for ok := r.enter('{'); ok; ok = r.next('}') { switch r.key() { … } }
func (r *jsonReader) enter(open byte) bool {
	if r.err != nil {
		return false
	}
	if r.peek() != open {
		r.skip()
		return false
	}
	r.i++
	r.depth++
	if r.depth > maxDepth {
		r.fail("nesting too deep")
		return false
	}
	closer := byte('}')
	if open == '[' {
		closer = ']'
	}
	if r.peek() == closer {
		r.i++
		r.depth--
		return false
	}
	return true
}

// next moves past a ',' (true: another member follows) or the closing byte (false).
func (r *jsonReader) next(closer byte) bool {
	if r.err != nil {
		return false
	}
	switch r.peek() {
	case ',':
		r.i++
		return true
	case closer:
		r.i++
		r.depth--
		return false
	}
	r.fail("expected ',' or '" + string(closer) + "'")
	return false
}

// key reads an object key and the ':' after it.
func (r *jsonReader) key() string {
	if r.err != nil {
		return ""
	}
	if r.peek() != '"' {
		r.fail("expected an object key")
		return ""
	}
	k := r.quoted()
	if r.peek() != ':' {
		r.fail("expected ':' after an object key")
		return ""
	}
	r.i++
	return k
}

// str reads a string. A number or boolean gives its literal text; null, an object or
// an array gives "".
func (r *jsonReader) str() string {
	if r.err != nil {
		return ""
	}
	switch c := r.peek(); {
	case c == '"':
		return r.quoted()
	case c == '-' || ('0' <= c && c <= '9'):
		return r.number()
	case c == 't' || c == 'f':
		return r.literal()
	}
	r.skip()
	return ""
}

// int reads an integer from a number or a numeric string (Meta sends both); a number
// with a fraction or exponent is truncated. Anything else gives 0.
func (r *jsonReader) int() int64 {
	if r.err != nil {
		return 0
	}
	var lit string
	switch c := r.peek(); {
	case c == '"':
		lit = r.quoted()
	case c == '-' || ('0' <= c && c <= '9'):
		lit = r.number()
	default:
		r.skip()
		return 0
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

// float reads a number or numeric string; anything else gives 0.
func (r *jsonReader) float() float64 {
	if r.err != nil {
		return 0
	}
	var lit string
	switch c := r.peek(); {
	case c == '"':
		lit = r.quoted()
	case c == '-' || ('0' <= c && c <= '9'):
		lit = r.number()
	default:
		r.skip()
		return 0
	}
	f, _ := strconv.ParseFloat(lit, 64)
	return f
}

// bool reads true or false (or "true"/"false"); anything else gives false.
func (r *jsonReader) bool() bool {
	if r.err != nil {
		return false
	}
	switch r.peek() {
	case 't', 'f':
		return r.literal() == "true"
	case '"':
		return r.quoted() == "true"
	}
	r.skip()
	return false
}

// raw skips one value and returns its exact text.
func (r *jsonReader) raw() string {
	if r.err != nil {
		return ""
	}
	r.ws()
	start := r.i
	r.skip()
	if r.err != nil {
		return ""
	}
	return r.s[start:r.i]
}

// skip validates and skips one value.
func (r *jsonReader) skip() {
	if r.err != nil {
		return
	}
	switch c := r.peek(); {
	case c == '{':
		for ok := r.enter('{'); ok; ok = r.next('}') {
			if r.peek() != '"' {
				r.fail("expected an object key")
				return
			}
			r.skipQuoted()
			if r.peek() != ':' {
				r.fail("expected ':' after an object key")
				return
			}
			r.i++
			r.skip()
		}
	case c == '[':
		for ok := r.enter('['); ok; ok = r.next(']') {
			r.skip()
		}
	case c == '"':
		r.skipQuoted()
	case c == '-' || ('0' <= c && c <= '9'):
		r.number()
	case c == 't' || c == 'f' || c == 'n':
		r.literal()
	case c == 0 && r.i >= len(r.s):
		r.fail("unexpected end of input")
	default:
		r.fail("unexpected character " + strconv.QuoteRune(rune(c)))
	}
}

// isNull consumes a null and reports whether there was one.
func (r *jsonReader) isNull() bool {
	if r.err == nil && r.peek() == 'n' {
		r.literal()
		return r.err == nil
	}
	return false
}

func (r *jsonReader) literal() string {
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(r.s)-r.i >= len(lit) && r.s[r.i:r.i+len(lit)] == lit {
			r.i += len(lit)
			return lit
		}
	}
	r.fail("invalid literal")
	return ""
}

// number scans a JSON number and returns its text.
func (r *jsonReader) number() string {
	s, i := r.s, r.i
	start := i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	default:
		r.i = i
		r.fail("invalid number")
		return ""
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i == d {
			r.i = i
			r.fail("invalid number")
			return ""
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i == d {
			r.i = i
			r.fail("invalid number")
			return ""
		}
	}
	r.i = i
	return s[start:i]
}

// quoted reads a string at r.i (which is '"'). Strings without escapes and with valid
// UTF-8 are returned as substrings of the input, without allocating.
func (r *jsonReader) quoted() string {
	s := r.s
	start := r.i + 1
	for i := start; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			r.i = i + 1
			return s[start:i]
		case c == '\\':
			return r.unescape(start, i)
		case c < 0x20:
			r.i = i
			r.fail("control character in string")
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
	r.fail("unterminated string")
	return ""
}

// unescape finishes a string that needs rewriting: escapes, or invalid UTF-8 (replaced
// by U+FFFD as encoding/json does). s[start:i] is already known to be plain.
func (r *jsonReader) unescape(start, i int) string {
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
			r.fail("control character in string")
			return ""
		case c == '\\':
			if i+1 >= len(s) {
				r.i = len(s)
				r.fail("unterminated string")
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
					r.fail("invalid \\u escape")
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
				r.fail("invalid escape character")
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
	r.fail("unterminated string")
	return ""
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var v rune
	for _, c := range []byte(s[i : i+4]) {
		d, ok := unhex(c)
		if !ok {
			return 0, false
		}
		v = v<<4 | rune(d)
	}
	return v, true
}

// skipQuoted validates a string without building it.
func (r *jsonReader) skipQuoted() {
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
				r.fail("unterminated string")
				return
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if _, ok := hex4(s, i+2); !ok {
					r.i = i
					r.fail("invalid \\u escape")
					return
				}
				i += 6
			default:
				r.i = i
				r.fail("invalid escape character")
				return
			}
		case c < 0x20:
			r.i = i
			r.fail("control character in string")
			return
		default:
			i++
		}
	}
	r.i = len(s)
	r.fail("unterminated string")
}

// party reads {"id": …, "user_ref": …, "name": …}.
func (r *jsonReader) party() Party {
	var p Party
	for ok := r.enter('{'); ok; ok = r.next('}') {
		switch r.key() {
		case "id":
			p.ID = r.str()
		case "user_ref":
			p.UserRef = r.str()
		case "name":
			p.Name = r.str()
		default:
			r.skip()
		}
	}
	return p
}

// millis converts epoch milliseconds to a UTC time; 0 is the zero time.
func millis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// seconds converts epoch seconds to a UTC time; 0 is the zero time.
func seconds(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// toMillis is the inverse of millis (zero time → 0, which omitempty drops).
func toMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func toSeconds(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
