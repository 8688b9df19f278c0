package reliability

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gomessenger/messenger"
)

// minFragment is the shortest piece of a secret the client may let through: a
// piece this long of a token or appsecret_proof already narrows a guess a lot.
const minFragment = 8

// fragments returns every piece of minFragment characters of each secret.
func fragments(secrets ...string) []string {
	var out []string
	for _, s := range secrets {
		for i := 0; i+minFragment <= len(s); i++ {
			out = append(out, s[i:i+minFragment])
		}
	}
	return out
}

// longToken is shaped like a real Page token: a couple of hundred letters and
// digits, long enough to straddle any cut an error message might make.
var longToken = "EAAG" + strings.Repeat("Zx7Kq2Lm9Np4Rt6Vw8Yb3Cd5Fg1Hj0", 7)[:200]

// TestNoSecretFragmentInCutErrorPages: a proxy answers an error page that is not
// Graph's envelope and quotes a secret. The client keeps only the start of such
// a page; whatever the secret's position relative to that cut, no piece of 8 or
// more of its characters may survive in the error (text, %+v, %#v, every
// GraphError field) or in a log line.
func TestNoSecretFragmentInCutErrorPages(t *testing.T) {
	proof := messenger.AppSecretProof(longToken, secAppSecret)
	secrets := map[string]string{"token": longToken, "appsecret_proof": proof, "app secret": secAppSecret}
	sink := newSecretSink(t, fragments(longToken, proof, secAppSecret)...)

	var page string // what the proxy answers; set before each call
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, page)
	}))
	t.Cleanup(srv.Close)
	c, err := messenger.New(longToken, messenger.WithBaseURL(srv.URL), messenger.WithAppSecret(secAppSecret),
		messenger.WithLogger(sink.logger()), messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	// Every start position from the page's first byte to well past any cut an
	// error line could make, so the secret straddles each possible cut.
	const lastStart = 400
	for name, secret := range secrets {
		for start := 0; start <= lastStart; start++ {
			page = strings.Repeat(".", start) + secret + strings.Repeat(".", 300)
			err := c.Do(context.Background(), http.MethodGet, "me", nil, nil)
			var ge *messenger.GraphError
			if !errors.As(err, &ge) {
				t.Fatalf("%s at %d: err = %v, want a *GraphError", name, start, err)
			}
			sink.checkErr(err)
			sink.check(fmt.Sprintf("%s at %d: GraphError fields", name, start), fmt.Sprintf("%+v", *ge))
			if t.Failed() {
				t.Fatalf("%s at %d: a piece of the secret survived", name, start)
			}
		}
	}
	if sink.count() == 0 {
		t.Error("nothing was logged at Debug level: the check saw no log line")
	}
}

// TestShortSecretsDoNotGarbleText: an app secret of one character is no secret
// worth hiding, and replacing it everywhere mangles every error and log line
// ("no such host" became "no [redacted]uch ho[redacted]t"). Graph's text and the
// transport's error come through intact; the credentials the client itself adds
// (the access_token and appsecret_proof query) still appear nowhere.
func TestShortSecretsDoNotGarbleText(t *testing.T) {
	const shortSecret, shortToken = "e", "tok"
	proof := messenger.AppSecretProof(shortToken, shortSecret)
	sink := newSecretSink(t, proof, "access_token", "appsecret_proof")

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":{"message":"the recipient does not exist","type":"OAuthException","code":100,"fbtrace_id":"Ae1"}}`)
	}))
	t.Cleanup(srv.Close)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()

	for _, tc := range []struct {
		name, base, want string
	}{
		{"graph error", srv.URL, "the recipient does not exist"},
		{"connection refused", gone.URL, "connection refused"},
	} {
		c, err := messenger.New(shortToken, messenger.WithBaseURL(tc.base), messenger.WithAppSecret(shortSecret),
			messenger.WithLogger(sink.logger()), messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			t.Fatal(err)
		}
		err = c.Do(context.Background(), http.MethodPost, "me/messages", map[string]string{"x": "y"}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.name, err, tc.want)
		}
		sink.checkErr(err)
	}
	sink.mu.Lock()
	lines := append([]string(nil), *sink.lines...)
	sink.mu.Unlock()
	if !strings.Contains(strings.Join(lines, "\n"), "connection refused") {
		t.Errorf("log lines do not carry the transport error intact:\n%s", strings.Join(lines, "\n"))
	}
}
