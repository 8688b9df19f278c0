package reliability

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gomessenger/messenger"
)

// countingWebhook returns a webhook with the given options, logging to a secret
// sink, and the number of events its handler saw.
func countingWebhook(t *testing.T, opts ...messenger.WebhookOption) (*messenger.Webhook, *atomic.Int64, *secretSink) {
	t.Helper()
	sink := newSecretSink(t, allSecrets()...)
	opts = append([]messenger.WebhookOption{messenger.WithWebhookLogger(sink.logger())}, opts...)
	wh, err := messenger.NewWebhook(secAppSecret, secVerifyTok, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	wh.OnEvent(func(context.Context, messenger.Event) error {
		n.Add(1)
		return nil
	})
	t.Cleanup(func() { _ = wh.Shutdown(context.Background()) })
	return wh, &n, sink
}

func serve(wh http.Handler, body []byte, header map[string]string) int {
	r := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	wh.ServeHTTP(w, r)
	return w.Code
}

func sha1Sig(body []byte, secret string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(body)
	return "sha1=" + hex.EncodeToString(m.Sum(nil))
}

// TestWebhookRefusesEveryUnsignedBody posts one valid delivery with every way of
// getting its signature wrong; none may reach a handler.
func TestWebhookRefusesEveryUnsignedBody(t *testing.T) {
	d := newLoadDelivery(1, 2, testRNG(), "valid")
	good := sign(d.body, secAppSecret)
	tampered := append([]byte(nil), d.body...)
	tampered[len(tampered)-3] = ' '
	cases := []struct {
		name   string
		body   []byte
		header map[string]string
		want   int
	}{
		{"no signature header", d.body, nil, http.StatusUnauthorized},
		{"empty header", d.body, map[string]string{"X-Hub-Signature-256": ""}, http.StatusUnauthorized},
		{"prefix only", d.body, map[string]string{"X-Hub-Signature-256": "sha256="}, http.StatusForbidden},
		{"hex without prefix", d.body, map[string]string{"X-Hub-Signature-256": good[len("sha256="):]}, http.StatusForbidden},
		{"not hex", d.body, map[string]string{"X-Hub-Signature-256": "sha256=" + strings.Repeat("zz", 32)}, http.StatusForbidden},
		{"other secret", d.body, map[string]string{"X-Hub-Signature-256": sign(d.body, secAppSecret+"x")}, http.StatusForbidden},
		{"tampered body", tampered, map[string]string{"X-Hub-Signature-256": good}, http.StatusForbidden},
		{"truncated body", d.body[:len(d.body)-1], map[string]string{"X-Hub-Signature-256": good}, http.StatusForbidden},
		{"valid SHA-1 only (no WithSHA1)", d.body, map[string]string{"X-Hub-Signature": sha1Sig(d.body, secAppSecret)}, http.StatusUnauthorized},
		{"valid SHA-1, bad SHA-256", d.body, map[string]string{"X-Hub-Signature": sha1Sig(d.body, secAppSecret),
			"X-Hub-Signature-256": sign(d.body, "wrong")}, http.StatusForbidden},
		{"signature in the wrong header", d.body, map[string]string{"X-Hub-Signature": good}, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wh, n, _ := countingWebhook(t)
			if got := serve(wh, tc.body, tc.header); got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
			if err := wh.WaitIdle(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n.Load() != 0 {
				t.Errorf("%d events of a refused body were handled", n.Load())
			}
		})
	}
	// And the control: the right signature is accepted.
	wh, n, _ := countingWebhook(t)
	if got := serve(wh, d.body, map[string]string{"X-Hub-Signature-256": good}); got != http.StatusOK {
		t.Fatalf("valid delivery: status %d", got)
	}
	if err := wh.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 {
		t.Errorf("valid delivery: %d events handled, want 2", n.Load())
	}
}

// endlessBody is a request body that never ends, counting what was read.
type endlessBody struct{ read atomic.Int64 }

func (e *endlessBody) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	e.read.Add(int64(len(p)))
	return len(p), nil
}

func (e *endlessBody) Close() error { return nil }

// TestWebhookCapsBodies: bodies over the cap get 413 and nothing is handled, and
// a body that never ends is not read much past the cap.
func TestWebhookCapsBodies(t *testing.T) {
	const capBytes = 4096
	big := newLoadDelivery(2, 40, testRNG(), "valid") // about 8 KiB
	if len(big.body) <= capBytes {
		t.Fatalf("test body of %d bytes is not over the cap", len(big.body))
	}
	t.Run("declared length over the cap", func(t *testing.T) {
		wh, n, _ := countingWebhook(t, messenger.WithMaxBodyBytes(capBytes))
		if got := serve(wh, big.body, map[string]string{"X-Hub-Signature-256": sign(big.body, secAppSecret)}); got != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", got)
		}
		_ = wh.WaitIdle(context.Background())
		if n.Load() != 0 {
			t.Errorf("%d events of an oversized body handled", n.Load())
		}
	})
	t.Run("endless body of unknown length", func(t *testing.T) {
		wh, n, _ := countingWebhook(t, messenger.WithMaxBodyBytes(capBytes))
		body := &endlessBody{}
		r := httptest.NewRequest(http.MethodPost, "/webhook", nil)
		r.Body, r.ContentLength = body, -1
		r.Header.Set("X-Hub-Signature-256", sign(big.body, secAppSecret))
		w := httptest.NewRecorder()
		wh.ServeHTTP(w, r)
		if w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", w.Code)
		}
		if got := body.read.Load(); got > capBytes+64<<10 {
			t.Errorf("read %d bytes of an endless body with a cap of %d", got, capBytes)
		}
		if n.Load() != 0 {
			t.Errorf("%d events handled", n.Load())
		}
	})
	t.Run("default cap", func(t *testing.T) {
		wh, _, _ := countingWebhook(t)
		body := &endlessBody{}
		r := httptest.NewRequest(http.MethodPost, "/webhook", nil)
		r.Body, r.ContentLength = body, -1
		r.Header.Set("X-Hub-Signature-256", "sha256="+strings.Repeat("0", 64))
		w := httptest.NewRecorder()
		wh.ServeHTTP(w, r)
		if w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", w.Code)
		}
		if got := body.read.Load(); got > messenger.DefaultMaxBodyBytes+256<<10 {
			t.Errorf("read %d bytes of an endless body with the default cap of %d", got, messenger.DefaultMaxBodyBytes)
		}
	})
}

// TestNoSecretInWebhookLogsOrErrors drives the webhook through refusals, a failed
// handshake, handler errors and panics with a logger at Debug level and the
// default error handler; no line may carry the app secret or verify token.
func TestNoSecretInWebhookLogsOrErrors(t *testing.T) {
	sink := newSecretSink(t, allSecrets()...)
	wh, err := messenger.NewWebhook(secAppSecret, secVerifyTok, messenger.WithWebhookLogger(sink.logger()))
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	wh.OnEvent(func(_ context.Context, ev messenger.Event) error {
		switch calls.Add(1) {
		case 1:
			return errors.New("handler failed")
		case 2:
			panic("handler panicked")
		}
		return nil
	})
	d := newLoadDelivery(3, 3, testRNG(), "valid")
	bad := []struct {
		body   []byte
		header map[string]string
	}{
		{d.body, map[string]string{"X-Hub-Signature-256": sign(d.body, "wrong")}},
		{d.body, nil},
		{[]byte(`{"object":"page","entry":[{`), map[string]string{"X-Hub-Signature-256": sign([]byte(`{"object":"page","entry":[{`), secAppSecret)}},
		{d.body, map[string]string{"X-Hub-Signature-256": sign(d.body, secAppSecret)}},
	}
	for _, b := range bad {
		serve(wh, b.body, b.header)
	}
	for _, q := range []url.Values{
		{"hub.mode": {"subscribe"}, "hub.verify_token": {"wrong"}, "hub.challenge": {"c1"}},
		{"hub.mode": {"unsubscribe"}, "hub.verify_token": {secVerifyTok}, "hub.challenge": {"c2"}},
		{"hub.mode": {"subscribe"}, "hub.verify_token": {secVerifyTok}, "hub.challenge": {"c3"}},
	} {
		r := httptest.NewRequest(http.MethodGet, "/webhook?"+q.Encode(), nil)
		w := httptest.NewRecorder()
		wh.ServeHTTP(w, r)
		body, _ := io.ReadAll(w.Result().Body)
		sink.check(fmt.Sprintf("handshake answer (status %d)", w.Code), string(body))
	}
	if err := wh.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := wh.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 {
		t.Errorf("handler called %d times, want 3", calls.Load())
	}
	if sink.count() < 4 {
		t.Errorf("only %d lines logged: the refusals and handler failures should each be logged", sink.count())
	}
	for _, err := range []error{
		messenger.VerifySignature(d.body, sign(d.body, "wrong"), secAppSecret),
		messenger.VerifySignature(d.body, "sha256=zz", secAppSecret),
		messenger.VerifySignature(d.body, "", secAppSecret),
	} {
		if err == nil {
			t.Error("VerifySignature accepted a bad signature")
		}
		sink.checkErr(err)
	}
}

func testRNG() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }
