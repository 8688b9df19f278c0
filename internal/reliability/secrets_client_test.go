package reliability

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
)

// Secrets the security tests configure. Plain alphanumerics, so a secret that
// leaks URL-escaped or JSON-quoted still matches as a substring.
const (
	secToken     = "EAAGsecretPageToken7f3a9c"
	secToken2    = "EAAGsecondPageToken51d0e8"
	secAppSecret = "appsecret0d4b6e8f1a2c3e5f"
	secVerifyTok = "verifyTokenc9b8a7f6e5d4"
	secPageID    = "106433448749543"
	secOtherPage = "200000000000002"
	secRecipient = "6945435465511234"
)

func allSecrets() []string {
	return []string{secToken, secToken2, secAppSecret, secVerifyTok,
		messenger.AppSecretProof(secToken, secAppSecret), messenger.AppSecretProof(secToken2, secAppSecret)}
}

// leakyGraph is a Graph server that does everything it can to get the
// credentials into the client's errors: error messages quoting the request URL
// (with access_token and appsecret_proof), HTML error pages, broken JSON, dropped
// connections and stalls.
func leakyGraph(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		echo := r.URL.String() + " token=" + r.URL.Query().Get("access_token") + " proof=" + r.URL.Query().Get("appsecret_proof")
		edge := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		switch edge {
		case "invalid-token":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":{"message":"Invalid OAuth access token %s","type":"OAuthException","code":190,"error_user_msg":%q,"fbtrace_id":"A1"}}`,
				r.URL.Query().Get("access_token"), echo)
		case "param":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":{"message":%q,"type":"OAuthException","code":100,"error_subcode":2018001,"fbtrace_id":"A2"}}`, echo)
		case "html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<html><body>%s</body></html>", echo)
		case "throttle":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":{"message":%q,"code":613,"fbtrace_id":"A3"}}`, echo)
		case "broken-json":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"recipient_id": %s`, echo)
		case "drop":
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					_ = c.Close()
					return
				}
			}
		case "stall":
			<-r.Context().Done()
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"recipient_id":"1","message_id":"m_1"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestNoSecretInClientErrorsOrLogs drives the client through every kind of
// failure with a logger at Debug level, and checks no error and no log line
// carries the token, the app secret or the appsecret_proof.
func TestNoSecretInClientErrorsOrLogs(t *testing.T) {
	sink := newSecretSink(t, allSecrets()...)
	srv := leakyGraph(t)
	fast := messenger.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}
	c, err := messenger.New(secToken, messenger.WithBaseURL(srv.URL), messenger.WithAppSecret(secAppSecret),
		messenger.WithLogger(sink.logger()), messenger.WithRetry(fast), messenger.WithPageID(secPageID))
	if err != nil {
		t.Fatal(err)
	}
	other, err := c.ForPage(secOtherPage, secToken2)
	if err != nil {
		t.Fatal(err)
	}
	// A server that is gone: the dial error carries the URL, token included.
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	dead, err := messenger.New(secToken, messenger.WithBaseURL(gone.URL), messenger.WithAppSecret(secAppSecret),
		messenger.WithLogger(sink.logger()), messenger.WithRetry(fast))
	if err != nil {
		t.Fatal(err)
	}

	body := map[string]any{"recipient": map[string]string{"id": secRecipient}, "message": map[string]string{"text": "hi"}}
	type call struct {
		name    string
		c       *messenger.Client
		method  string
		path    string
		wantErr bool
	}
	calls := []call{
		{"graph error quoting the token", c, http.MethodPost, "invalid-token", true},
		{"graph error quoting the URL", c, http.MethodPost, "param", true},
		{"HTML error page", c, http.MethodGet, "html", true},
		{"throttled with a long hint", c, http.MethodPost, "throttle", true},
		{"broken JSON answer", c, http.MethodPost, "broken-json", true},
		{"dropped connection", c, http.MethodPost, "drop", true},
		{"other Page, graph error", other, http.MethodPost, "invalid-token", true},
		{"other Page, dropped connection", other, http.MethodGet, "drop", true},
		{"connection refused", dead, http.MethodPost, "me/messages", true},
		{"token in the path", c, http.MethodGet, "me?access_token=" + secToken, true},
		{"success", c, http.MethodPost, "me/messages", false},
	}
	for _, cl := range calls {
		var out map[string]any
		err := cl.c.Do(context.Background(), cl.method, cl.path, body, &out)
		if (err != nil) != cl.wantErr {
			t.Errorf("%s: error %v, want error %v", cl.name, err, cl.wantErr)
		}
		sink.checkErr(err)
		var ge *messenger.GraphError
		if errors.As(err, &ge) {
			sink.check(cl.name+": GraphError fields", fmt.Sprintf("%+v", *ge))
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			sink.check(cl.name+": wrapped url.Error", ue.URL)
		}
	}

	// A call that times out while Graph stalls.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = c.Do(ctx, http.MethodPost, "stall", body, nil)
	if err == nil {
		t.Error("stalled call: no error")
	}
	sink.checkErr(err)

	if sink.count() == 0 {
		t.Error("nothing was logged at Debug level: the check saw no log line")
	}
}
