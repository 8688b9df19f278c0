package referral

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Ref is a small structured ref: where a link was placed, in the spirit of UTM tags.
// [EncodeRef] writes it into the characters an m.me ref allows and [DecodeRef] reads
// it back, so one link per placement tells the bot which placement brought a person.
type Ref struct {
	Campaign string // what the link promotes, e.g. "spring_sale"
	Source   string // where it was placed, e.g. "instagram", "flyer"
	Medium   string // what kind of placement, e.g. "story", "qr"
	Content  string // which variant, e.g. "blue_banner"
	Term     string // a keyword
	// Extra holds further pairs; keys must be non-empty.
	Extra map[string]string
}

// Field markers: '=' followed by a lower-case letter starts a field. Escapes are '='
// followed by two upper-case hex digits, so the two never collide.
const (
	markSource  = 's'
	markMedium  = 'm'
	markContent = 'n'
	markTerm    = 't'
	markExtra   = 'x'
	markValue   = '-' // "=-" separates an Extra key from its value
)

// EncodeRef writes r as an m.me ref. The format keeps plain names readable:
//
//	Ref{Campaign: "spring_sale", Source: "instagram", Medium: "story"}
//	→ "spring_sale=sinstagram=mstory"
//
// The campaign comes first without a marker, so a hand-made ref such as "spring_sale"
// decodes as that campaign. Each further non-empty field is '=' plus a one-letter
// marker (s source, m medium, n content, t term, x extra) and the value; Extra pairs
// follow in key order as "=x<key>=-<value>". In values, letters, digits, '-' and '_'
// stand for themselves and every other byte is written '=' plus two upper-case hex
// digits ("." is "=2E"). DecodeRef(EncodeRef(r)) == r for every r EncodeRef accepts.
//
// It fails when an Extra key is empty or the result exceeds [MaxRefLen]. An all-empty
// Ref encodes as "", which [Link] turns into a link without a ref.
func EncodeRef(r Ref) (string, error) {
	var b strings.Builder
	escapeTo(&b, r.Campaign)
	for _, f := range []struct {
		mark  byte
		value string
	}{{markSource, r.Source}, {markMedium, r.Medium}, {markContent, r.Content}, {markTerm, r.Term}} {
		if f.value != "" {
			b.WriteByte('=')
			b.WriteByte(f.mark)
			escapeTo(&b, f.value)
		}
	}
	keys := make([]string, 0, len(r.Extra))
	for k := range r.Extra {
		if k == "" {
			return "", invalid("Extra", "non-empty keys", "", "an Extra key is empty")
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString("=x")
		escapeTo(&b, k)
		b.WriteString("=-")
		escapeTo(&b, r.Extra[k])
	}
	s := b.String()
	if len(s) > MaxRefLen {
		return "", invalid("ref", "at most "+strconv.Itoa(MaxRefLen)+" characters once encoded", s,
			fmt.Sprintf("encoded ref is %d characters long", len(s)))
	}
	return s, nil
}

// DecodeRef reads a ref written by [EncodeRef]. A ref of plain letters, digits, '-'
// and '_' decodes as a Ref with only Campaign set. The error for a malformed ref
// names the offending character and its byte index.
func DecodeRef(ref string) (Ref, error) {
	if ref == "" {
		return Ref{}, nil
	}
	if err := ValidateRef(ref); err != nil {
		return Ref{}, err
	}
	var r Ref
	seen := map[byte]bool{}
	// field is the field being read, key the pending Extra key (inExtraKey while
	// reading it).
	var (
		cur        strings.Builder
		field      byte = 0 // 0: campaign
		key        string
		inExtraKey bool
	)
	flush := func() {
		v := cur.String()
		cur.Reset()
		switch field {
		case 0:
			r.Campaign = v
		case markSource:
			r.Source = v
		case markMedium:
			r.Medium = v
		case markContent:
			r.Content = v
		case markTerm:
			r.Term = v
		case markExtra:
			if r.Extra == nil {
				r.Extra = map[string]string{}
			}
			r.Extra[key] = v
		}
	}
	bad := func(i int, reason string) (Ref, error) {
		return Ref{}, &Error{Field: "ref", Limit: "a ref written by EncodeRef", Value: ref,
			Index: i, Char: rune(ref[i]), Reason: reason}
	}
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		if c != '=' {
			cur.WriteByte(c)
			continue
		}
		if i+1 >= len(ref) {
			return bad(i, fmt.Sprintf("'=' at index %d ends the ref", i))
		}
		next := ref[i+1]
		switch {
		case isUpperHex(next):
			if i+2 >= len(ref) || !isUpperHex(ref[i+2]) {
				return bad(i, fmt.Sprintf("escape at index %d needs two upper-case hex digits", i))
			}
			cur.WriteByte(unhex(next)<<4 | unhex(ref[i+2]))
			i += 2
		case next == markValue:
			if !inExtraKey {
				return bad(i, fmt.Sprintf("'=-' at index %d outside an extra field", i))
			}
			key = cur.String()
			if key == "" {
				return bad(i, fmt.Sprintf("extra field before index %d has an empty key", i))
			}
			if _, dup := r.Extra[key]; dup {
				return bad(i, fmt.Sprintf("extra key %q repeats before index %d", key, i))
			}
			cur.Reset()
			inExtraKey = false
			i++
		case next == markSource || next == markMedium || next == markContent || next == markTerm || next == markExtra:
			if inExtraKey {
				return bad(i, fmt.Sprintf("extra field before index %d has no '=-' value", i))
			}
			flush()
			if next != markExtra && seen[next] {
				return bad(i+1, fmt.Sprintf("field marker %q at index %d repeats", next, i+1))
			}
			seen[next] = true
			field = next
			inExtraKey = next == markExtra
			i++
		default:
			return bad(i+1, fmt.Sprintf("character %q at index %d is neither a field marker nor a hex digit", next, i+1))
		}
	}
	if inExtraKey {
		return bad(len(ref)-1, "the last extra field has no '=-' value")
	}
	flush()
	return r, nil
}

func escapeTo(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if alnum(c) || c == '-' || c == '_' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('=')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xF])
	}
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'A' + 10
}
