package reliability

import (
	"testing"

	"github.com/gomessenger/messenger"
)

// TestVerifySignatureRejectsNearMisses is the behavioural side: a signature that
// differs from the right one anywhere, or has the wrong length or case of
// prefix, is refused.
func TestVerifySignatureRejectsNearMisses(t *testing.T) {
	body := []byte(`{"object":"page","entry":[]}`)
	good := messenger.SignPayload(body, secAppSecret)
	if err := messenger.VerifySignature(body, good, secAppSecret); err != nil {
		t.Fatalf("the right signature is refused: %v", err)
	}
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == '0' {
			b[i] = '1'
		} else {
			b[i] = '0'
		}
		return string(b)
	}
	cases := map[string]string{
		"first digit":       flip(good, len("sha256=")),
		"last digit":        flip(good, len(good)-1),
		"truncated":         good[:len(good)-2],
		"extended":          good + "00",
		"sha1 prefix":       "sha1=" + good[len("sha256="):],
		"no prefix":         good[len("sha256="):],
		"empty":             "",
		"other secret":      messenger.SignPayload(body, secAppSecret+"x"),
		"other body":        messenger.SignPayload(append([]byte(" "), body...), secAppSecret),
		"upper-case prefix": "SHA256=" + good[len("sha256="):] + "x",
	}
	for name, h := range cases {
		if err := messenger.VerifySignature(body, h, secAppSecret); err == nil {
			t.Errorf("%s: signature %q accepted", name, h)
		}
	}
}
