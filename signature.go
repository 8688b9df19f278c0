package messenger

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// Header names Meta signs webhook deliveries with (docs/platform.md, “Webhook signatures”).
const (
	// SignatureHeader carries "sha256=<hex HMAC-SHA256 of the raw body, keyed by the app secret>".
	SignatureHeader = "X-Hub-Signature-256"
	// SignatureHeaderSHA1 is the legacy "sha1=<hex>" header; it is accepted only by
	// webhooks built with [WithSHA1].
	SignatureHeaderSHA1 = "X-Hub-Signature"
)

// Errors of signature checks. A webhook answers 401 for [ErrNotSigned] and 403 for the
// others; none of them says anything about the secret.
var (
	// ErrNotSigned: the request carries no signature header (or an empty one).
	ErrNotSigned = errors.New("messenger: webhook request is not signed")
	// ErrInvalidSignatureHeader: the header is not "<algorithm>=<hex digest>" of the
	// expected algorithm and length.
	ErrInvalidSignatureHeader = errors.New("messenger: malformed webhook signature header")
	// ErrSignatureMismatch: the header is well formed but does not sign this body with
	// this app secret.
	ErrSignatureMismatch = errors.New("messenger: webhook signature does not match the body")
	// ErrMissingAppSecret: no app secret was given, so nothing can be verified. A webhook
	// never skips verification for want of a secret.
	ErrMissingAppSecret = errors.New("messenger: app secret is empty")
)

// VerifySignature reports whether header, the value of the X-Hub-Signature-256 header
// ("sha256=<hex>"), is the HMAC-SHA256 of body keyed by appSecret. body must be the raw
// bytes as received: Meta signs its own escaped-unicode serialisation, so re-encoding
// parsed JSON gives a different digest. The comparison takes constant time.
//
// It returns nil, [ErrNotSigned], [ErrInvalidSignatureHeader], [ErrSignatureMismatch]
// or [ErrMissingAppSecret]; use errors.Is to tell them apart.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/webhooks
func VerifySignature(body []byte, header, appSecret string) error {
	return verifyWith(sha256Alg, body, header, appSecret)
}

// VerifySignatureSHA1 is [VerifySignature] for the legacy X-Hub-Signature header
// ("sha1=<hex>"). Prefer the SHA-256 header; Meta sends both.
func VerifySignatureSHA1(body []byte, header, appSecret string) error {
	return verifyWith(sha1Alg, body, header, appSecret)
}

// SignPayload returns the X-Hub-Signature-256 header value ("sha256=<lowercase hex>")
// that Meta would send with body, so tests and fake servers can sign webhook bodies.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/webhooks
func SignPayload(body []byte, appSecret string) string {
	return signWith(sha256Alg, body, appSecret)
}

// SignPayloadSHA1 returns the legacy X-Hub-Signature header value ("sha1=<hex>").
func SignPayloadSHA1(body []byte, appSecret string) string {
	return signWith(sha1Alg, body, appSecret)
}

// sigAlg describes one of the two signature schemes.
type sigAlg struct {
	prefix string
	size   int
	header string
	newFn  func() hash.Hash
}

var (
	sha256Alg = &sigAlg{prefix: "sha256=", size: sha256.Size, header: SignatureHeader, newFn: sha256.New}
	sha1Alg   = &sigAlg{prefix: "sha1=", size: sha1.Size, header: SignatureHeaderSHA1, newFn: sha1.New}
)

func signWith(a *sigAlg, body []byte, secret string) string {
	m := hmac.New(a.newFn, []byte(secret))
	m.Write(body)
	return a.prefix + hex.EncodeToString(m.Sum(nil))
}

func verifyWith(a *sigAlg, body []byte, header, secret string) error {
	if secret == "" {
		return ErrMissingAppSecret
	}
	var want [sha256.Size]byte
	if err := a.parseHeader(header, want[:a.size]); err != nil {
		return err
	}
	m := hmac.New(a.newFn, []byte(secret))
	m.Write(body)
	if !hmac.Equal(m.Sum(nil), want[:a.size]) {
		return ErrSignatureMismatch
	}
	return nil
}

// parseHeader decodes "<prefix><hex>" into dst, whose length is the digest size.
func (a *sigAlg) parseHeader(header string, dst []byte) error {
	if header == "" {
		return ErrNotSigned
	}
	if len(header) < len(a.prefix) || header[:len(a.prefix)] != a.prefix {
		return fmt.Errorf("%w: %s must start with %q", ErrInvalidSignatureHeader, a.header, a.prefix)
	}
	digits := header[len(a.prefix):]
	if len(digits) != 2*len(dst) {
		return fmt.Errorf("%w: %s digest must be %d hex digits, got %d", ErrInvalidSignatureHeader, a.header, 2*len(dst), len(digits))
	}
	// Decoded by hand, through a table: hex.Decode wants a []byte and the conversion
	// would allocate. The digits are the sender's claim, not a secret, so the decode
	// need not take constant time; the comparison with the MAC does.
	var bad byte
	for i := range dst {
		hi, lo := hexValue[digits[2*i]], hexValue[digits[2*i+1]]
		bad |= hi | lo
		dst[i] = hi<<4 | lo
	}
	if bad == notHex {
		return fmt.Errorf("%w: %s digest is not hexadecimal", ErrInvalidSignatureHeader, a.header)
	}
	return nil
}

// notHex marks the bytes that are not hexadecimal digits in hexValue; the digits'
// values are below 16, so ORing values together keeps the mark.
const notHex = 0xff

// hexValue maps a byte to its value as a hexadecimal digit, or notHex.
var hexValue = func() (t [256]byte) {
	for i := range t {
		t[i] = notHex
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c - '0'
	}
	for c := byte('a'); c <= 'f'; c++ {
		t[c] = c - 'a' + 10
		t[c-'a'+'A'] = c - 'a' + 10
	}
	return t
}()

// verifier checks signatures for one app secret with pooled HMAC states, so the webhook
// spends no allocation per request on verification.
type verifier struct {
	alg  *sigAlg
	pool sync.Pool // of *macState
}

type macState struct {
	mac hash.Hash
	sum [sha256.Size]byte
}

func newVerifier(a *sigAlg, secret string) *verifier {
	key := []byte(secret)
	v := &verifier{alg: a}
	v.pool.New = func() any { return &macState{mac: hmac.New(a.newFn, key)} }
	return v
}

func (v *verifier) verify(body []byte, header string) error {
	var want [sha256.Size]byte
	if err := v.parse(header, &want); err != nil {
		return err
	}
	return v.verifyDigest(body, &want)
}

// parse decodes header's digest into want, or says what is wrong with header.
func (v *verifier) parse(header string, want *[sha256.Size]byte) error {
	return v.alg.parseHeader(header, want[:v.alg.size])
}

// verifyDigest checks that want is the signature of body.
func (v *verifier) verifyDigest(body []byte, want *[sha256.Size]byte) error {
	st := v.pool.Get().(*macState)
	defer v.pool.Put(st)
	st.mac.Reset()
	st.mac.Write(body)
	if !hmac.Equal(st.mac.Sum(st.sum[:0]), want[:v.alg.size]) {
		return ErrSignatureMismatch
	}
	return nil
}
