package messenger

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

const whSecret = "app-secret-for-tests"

func TestSignPayload(t *testing.T) {
	t.Parallel()
	body := []byte(`{"object":"page","entry":[]}`)
	m := hmac.New(sha256.New, []byte(whSecret))
	m.Write(body)
	if got, want := SignPayload(body, whSecret), "sha256="+hex.EncodeToString(m.Sum(nil)); got != want {
		t.Errorf("SignPayload = %q, want %q", got, want)
	}
	m1 := hmac.New(sha1.New, []byte(whSecret))
	m1.Write(body)
	if got, want := SignPayloadSHA1(body, whSecret), "sha1="+hex.EncodeToString(m1.Sum(nil)); got != want {
		t.Errorf("SignPayloadSHA1 = %q, want %q", got, want)
	}
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	body := []byte(`{"object":"page","entry":[{"id":"1"}]}`)
	good := SignPayload(body, whSecret)
	tests := []struct {
		name   string
		header string
		secret string
		body   []byte
		want   error
	}{
		{"valid", good, whSecret, body, nil},
		{"upper-case hex", "sha256=" + strings.ToUpper(good[len("sha256="):]), whSecret, body, nil},
		{"missing", "", whSecret, body, ErrNotSigned},
		{"no algorithm", good[len("sha256="):], whSecret, body, ErrInvalidSignatureHeader},
		{"sha1 value in the sha256 header", SignPayloadSHA1(body, whSecret), whSecret, body, ErrInvalidSignatureHeader},
		{"short digest", good[:len(good)-2], whSecret, body, ErrInvalidSignatureHeader},
		{"long digest", good + "00", whSecret, body, ErrInvalidSignatureHeader},
		{"not hex", good[:len(good)-1] + "g", whSecret, body, ErrInvalidSignatureHeader},
		{"byte after '9'", good[:len(good)-1] + ":", whSecret, body, ErrInvalidSignatureHeader},
		{"byte before 'A'", "sha256=@" + good[len("sha256=")+1:], whSecret, body, ErrInvalidSignatureHeader},
		{"byte before 'a'", good[:len(good)-2] + "`0", whSecret, body, ErrInvalidSignatureHeader},
		{"non-ASCII", good[:len(good)-1] + "\xff", whSecret, body, ErrInvalidSignatureHeader},
		{"wrong secret", SignPayload(body, "other"), whSecret, body, ErrSignatureMismatch},
		{"body changed", good, whSecret, append([]byte(" "), body...), ErrSignatureMismatch},
		{"empty secret", good, "", body, ErrMissingAppSecret},
		{"empty secret and signature", "", "", body, ErrMissingAppSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySignature(tt.body, tt.header, tt.secret)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("VerifySignature = %v, want %v", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), whSecret) {
				t.Errorf("error %q reveals the secret", err)
			}
			// The pooled verifier of the webhook agrees.
			if tt.secret != "" {
				if err2 := newVerifier(sha256Alg, tt.secret).verify(tt.body, tt.header); !errors.Is(err2, tt.want) || (err == nil) != (err2 == nil) {
					t.Errorf("verifier.verify = %v, VerifySignature = %v", err2, err)
				}
			}
		})
	}
}

func TestVerifySignatureSHA1(t *testing.T) {
	t.Parallel()
	body := []byte(`{}`)
	if err := VerifySignatureSHA1(body, SignPayloadSHA1(body, whSecret), whSecret); err != nil {
		t.Errorf("valid sha1: %v", err)
	}
	if err := VerifySignatureSHA1(body, SignPayload(body, whSecret), whSecret); !errors.Is(err, ErrInvalidSignatureHeader) {
		t.Errorf("sha256 header to the sha1 check: %v, want ErrInvalidSignatureHeader", err)
	}
	if err := VerifySignatureSHA1(body, SignPayloadSHA1(body, "x"), whSecret); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("wrong secret: %v, want ErrSignatureMismatch", err)
	}
}

func FuzzVerifySignature(f *testing.F) {
	for _, name := range []string{"message_text.json", "batched_entries.json", "feed_comment.json"} {
		b := readWebhookFile(f, name)
		f.Add(b, SignPayload(b, whSecret), whSecret)
	}
	f.Add([]byte("{}"), "sha256=", "s")
	f.Add([]byte(""), "sha1=00", "s")
	f.Fuzz(func(t *testing.T, body []byte, header, secret string) {
		err := VerifySignature(body, header, secret) // must not panic
		if secret == "" {
			if !errors.Is(err, ErrMissingAppSecret) {
				t.Fatalf("empty secret verified: %v", err)
			}
			return
		}
		if err == nil && header != SignPayload(body, secret) && !strings.EqualFold(header, SignPayload(body, secret)) {
			t.Fatalf("accepted header %q that is not the signature", header)
		}
		if err := VerifySignature(body, SignPayload(body, secret), secret); err != nil {
			t.Fatalf("own signature rejected: %v", err)
		}
		if len(body) > 0 {
			changed := append([]byte(nil), body...)
			changed[0] ^= 1
			if VerifySignature(changed, SignPayload(body, secret), secret) == nil {
				t.Fatal("signature of another body accepted")
			}
		}
	})
}

// BenchmarkVerifier is the webhook's check of one delivery: the header's digest
// decoded, the body's MAC computed with a pooled state and compared.
func BenchmarkVerifier(b *testing.B) {
	body := readWebhookFile(b, "message_text.json")
	header := SignPayload(body, whSecret)
	v := newVerifier(sha256Alg, whSecret)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := v.verify(body, header); err != nil {
			b.Fatal(err)
		}
	}
}
