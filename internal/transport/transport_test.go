package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// call is a POST of body to srv's /v1/me/messages with a token in the query.
func call(t *testing.T, srv *httptest.Server, body string) *Call {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &Call{Method: http.MethodPost, URL: u, Path: "/v1/me/messages", RawQuery: "access_token=tok",
		BodyBytes: []byte(body), ContentType: "application/json", LogPath: "me/messages"}
}

func newTransport(p Policy) *Transport {
	return New(Config{HTTPClient: &http.Client{}, Policy: p})
}

// TestAttemptTimeoutCutsStalledBody: an answer whose headers arrive but whose
// body stalls is cut when the attempt timeout passes, and reading it says so.
func TestAttemptTimeoutCutsStalledBody(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, `{"recipient_id":`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	tr := newTransport(Policy{MaxAttempts: 1, AttemptTimeout: 50 * time.Millisecond})
	resp, err := tr.Do(context.Background(), call(t, srv, `{}`))
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	var te *AttemptTimeoutError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("reading the body: %v, want an *AttemptTimeoutError matching context.DeadlineExceeded", err)
	}
	if te.After != 50*time.Millisecond {
		t.Errorf("After = %s, want 50ms", te.After)
	}
}

// TestRefusedCallReplaysBody: a call Graph refused (HTTP 429) is sent again
// with the same method, address and body, and the answer of the last attempt
// is returned.
func TestRefusedCallReplaysBody(t *testing.T) {
	type seen struct{ Method, URL, ContentType, Body string }
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.URL.String(), r.Header.Get("Content-Type"), string(b)})
		n := len(got)
		mu.Unlock()
		if n == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	tr := newTransport(Policy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond,
		AttemptTimeout: time.Minute})
	resp, err := tr.Do(context.Background(), call(t, srv, `{"a":1}`))
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || string(body) != `{"ok":true}` {
		t.Fatalf("answer %d %q, %v; want 200 {\"ok\":true}", resp.StatusCode, body, err)
	}
	one := seen{http.MethodPost, "/v1/me/messages?access_token=tok", "application/json", `{"a":1}`}
	if d := cmp.Diff([]seen{one, one}, got); d != "" {
		t.Errorf("requests the server saw (-want +got):\n%s", d)
	}
}

// TestCallerDeadlineBeforeAttemptTimeout: when the caller's deadline comes
// before the attempt timeout would, it ends the call with the caller's error,
// not an attempt timeout.
func TestCallerDeadlineBeforeAttemptTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	tr := newTransport(Policy{MaxAttempts: 1, AttemptTimeout: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := tr.Do(ctx, call(t, srv, `{}`))
	var f *Failure
	if !errors.As(err, &f) || !errors.Is(err, context.DeadlineExceeded) || !f.MaybeSent {
		t.Fatalf("Do: %v, want a *Failure that may have been sent, matching context.DeadlineExceeded", err)
	}
	var te *AttemptTimeoutError
	if errors.As(err, &te) {
		t.Errorf("Do: %v is an attempt timeout, want the caller's deadline", err)
	}
}
