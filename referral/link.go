package referral

import (
	"fmt"
	"strconv"
)

// MaxRefLen is the longest ref an m.me link may carry: 2,083 characters
// (Messenger Platform, "m.me links").
const MaxRefLen = 2083

// MaxPageNameLen is the longest Page username Facebook accepts.
const MaxPageNameLen = 50

const refCharset = "letters A-Z a-z, digits 0-9, '-', '_' and '='"

// Link returns the m.me link that opens a conversation with page and hands ref to the
// bot: https://m.me/<page>?ref=<ref>. page is the Page's username or its numeric id.
// An empty ref gives the plain link https://m.me/<page>.
//
// The ref arrives in the webhook as the referral's ref: inside the Get Started postback
// for a new conversation, as a messaging_referrals event for an existing one (see
// [From]). The platform passes only alphanumerics, '-', '_' and '=' and at most
// [MaxRefLen] characters, so Link refuses anything else instead of producing a link
// whose ref would be lost; [EncodeRef] builds refs that always pass.
func Link(page, ref string) (string, error) {
	if err := ValidatePageName(page); err != nil {
		return "", err
	}
	if ref == "" {
		return "https://m.me/" + page, nil
	}
	if err := ValidateRef(ref); err != nil {
		return "", err
	}
	// Every allowed character is unreserved in a query string: no escaping needed.
	return "https://m.me/" + page + "?ref=" + ref, nil
}

// ValidateRef reports whether ref is a non-empty ref the platform passes through an
// m.me link unchanged: at most [MaxRefLen] characters, each an ASCII letter or digit,
// '-', '_' or '='. The error for a bad character names it and its byte index in ref.
func ValidateRef(ref string) error {
	if ref == "" {
		return invalid("ref", "1 to "+strconv.Itoa(MaxRefLen)+" characters", ref, "ref is empty")
	}
	for i := 0; i < len(ref); i++ {
		if !refByte(ref[i]) {
			r := firstRune(ref[i:])
			return &Error{
				Field: "ref", Limit: refCharset, Value: ref, Index: i, Char: r,
				Reason: fmt.Sprintf("character %q at index %d is not allowed", r, i),
			}
		}
	}
	if len(ref) > MaxRefLen {
		return invalid("ref", "at most "+strconv.Itoa(MaxRefLen)+" characters", ref,
			fmt.Sprintf("ref is %d characters long", len(ref)))
	}
	return nil
}

// ValidatePageName reports whether page can stand in an m.me link: a Page username or
// numeric Page id, 1 to [MaxPageNameLen] characters of ASCII letters, digits and '.'
// (Facebook's rule for usernames).
func ValidatePageName(page string) error {
	limit := "1 to " + strconv.Itoa(MaxPageNameLen) + " characters: letters, digits and '.'"
	if page == "" {
		return invalid("page", limit, page, "page name is empty")
	}
	for i := 0; i < len(page); i++ {
		c := page[i]
		if !alnum(c) && c != '.' {
			r := firstRune(page[i:])
			return &Error{
				Field: "page", Limit: limit, Value: page, Index: i, Char: r,
				Reason: fmt.Sprintf("character %q at index %d is not allowed", r, i),
			}
		}
	}
	if len(page) > MaxPageNameLen {
		return invalid("page", limit, page, fmt.Sprintf("page name is %d characters long", len(page)))
	}
	return nil
}

func alnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func refByte(c byte) bool { return alnum(c) || c == '-' || c == '_' || c == '=' }
