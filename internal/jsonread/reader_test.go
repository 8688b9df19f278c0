package jsonread

import (
	"encoding/json"
	"errors"
	"testing"
)

// TestStrMatchesEncodingJSON holds the hand-written string decoder to
// encoding/json's behaviour on escapes, surrogates and invalid UTF-8.
func TestStrMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, lit := range []string{
		`""`, `"plain"`, `"\"\\\/\b\f\n\r\t"`, `"\u0041\u00e9\u4e2d"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ud83dx"`,
		`"\ude00\ud83d"`, `"\ud83d\u0041"`, "\"\xff\"", "\"a\xc3\"", "\"\xed\xa0\x80\"", `"äöå"`, `"\u00E9"`,
	} {
		var want string
		if err := json.Unmarshal([]byte(lit), &want); err != nil {
			t.Fatalf("%q: %v", lit, err)
		}
		r := New(lit)
		got := r.Str()
		if r.Err() != nil {
			t.Errorf("%q: %v", lit, r.Err())
		}
		if got != want {
			t.Errorf("Str(%q) = %q, encoding/json says %q", lit, got, want)
		}
	}
}

// TestBadEscapesFail checks that escapes encoding/json refuses fail here too, with
// an error that wraps ErrMalformed.
func TestBadEscapesFail(t *testing.T) {
	t.Parallel()
	for _, lit := range []string{`"\u00g1"`, `"\u+0041"`, `"\u12"`, `"\x41"`, `"abc`} {
		r := New(lit)
		r.Str()
		if !errors.Is(r.Err(), ErrMalformed) {
			t.Errorf("Str(%q): error %v, want one wrapping ErrMalformed", lit, r.Err())
		}
	}
}

// FuzzSkip holds the reader's validation to encoding/json's on any input: Skip then
// End accept exactly the valid JSON documents, and never panic. ParseEvents and the
// send path's answer decoding rely on this to refuse what encoding/json refuses.
func FuzzSkip(f *testing.F) {
	for _, s := range []string{`{}`, `[1,"a",{"b":null}]`, `"\ud83d\ude00"`, `-0.5e+3`, `{"a":`, `[1,]`, `"\u00g1"`, "\"\xff\"", `01`, ` true `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := New(string(b))
		r.Skip()
		r.End()
		if got, want := r.Err() == nil, json.Valid(b); got != want {
			t.Fatalf("Skip accepted=%v, json.Valid=%v, err=%v", got, want, r.Err())
		}
		if r.Err() != nil && !errors.Is(r.Err(), ErrMalformed) {
			t.Fatalf("error %v does not wrap ErrMalformed", r.Err())
		}
	})
}

// TestPlain8 holds the word-at-a-time check of quoted to the byte-by-byte rule:
// every pair of byte values, the second at each of the eight positions.
func TestPlain8(t *testing.T) {
	t.Parallel()
	plain := func(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }
	for fill := range 256 {
		for c := range 256 {
			for pos := range 8 {
				var b [8]byte
				for i := range b {
					b[i] = byte(fill)
				}
				b[pos] = byte(c)
				want := plain(byte(fill)) && plain(byte(c))
				if got := plain8(load8(string(b[:]), 0)); got != want {
					t.Fatalf("plain8(% x) = %v, want %v", b, got, want)
				}
			}
		}
	}
}

// TestInt covers the integer forms Meta sends (numbers and numeric strings) on
// both sides of the 18-digit fast path, and what is not an integer.
func TestInt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{`0`, 0}, {`1718035200123`, 1718035200123}, {`"1718035200123"`, 1718035200123},
		{`"007"`, 7}, {`-42`, -42}, {`"-42"`, -42},
		{`999999999999999999`, 999999999999999999}, {`9223372036854775807`, 9223372036854775807},
		{`"9223372036854775807"`, 9223372036854775807}, {`92233720368547758070`, 9223372036854775807},
		{`12.9`, 12}, {`1e3`, 1000}, {`"12a"`, 0}, {`""`, 0}, {`null`, 0}, {`true`, 0}, {`{}`, 0},
	} {
		r := New(tc.in)
		if got := r.Int(); got != tc.want || r.Err() != nil {
			t.Errorf("Int(%s) = %d, %v; want %d, nil", tc.in, got, r.Err(), tc.want)
		}
	}
}
