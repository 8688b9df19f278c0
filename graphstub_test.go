package messenger

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// graphCall is one request seen by stubGraph.
type graphCall struct {
	Method, Path, Query, ContentType string
	Body                             []byte // the first maxRecordedBody bytes
}

// maxRecordedBody caps the body stubGraph keeps of each call, so a 25 MB upload is
// streamed through without being held.
const maxRecordedBody = 1 << 20

// stubGraph is the root package's one stand-in for Graph. It serves Graph under a
// path prefix (a client that drops its base path fails loudly), runs h for every
// call with the prefix stripped from its path, and records the call: method, path without the prefix, query without
// access_token, content type and the body, which h may read as it arrives (what h
// leaves unread is read after it). The record is complete before the client sees
// the answer. The client it returns carries testToken and makes one attempt per
// call unless opts say otherwise, so a test sees exactly the calls made.
func stubGraph(t *testing.T, h http.HandlerFunc, opts ...Option) (*Client, func() []graphCall) {
	t.Helper()
	var (
		mu    sync.Mutex
		calls []graphCall
	)
	mux := http.NewServeMux()
	mux.HandleFunc("/graph/", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("access_token") == "" {
			t.Errorf("%s %s: no access_token in the query", r.Method, r.URL.Path)
		}
		q.Del("access_token")
		call := graphCall{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, "/graph"),
			Query: q.Encode(), ContentType: r.Header.Get("Content-Type")}
		body := &capped{max: maxRecordedBody}
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(r.Body, body), r.Body}
		w.Header().Set("Content-Type", "application/json")
		http.StripPrefix("/graph", h).ServeHTTP(w, r)
		_, _ = io.Copy(io.Discard, r.Body)
		call.Body = body.b
		mu.Lock()
		calls = append(calls, call)
		mu.Unlock()
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base path: %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := New(testToken, append([]Option{WithBaseURL(srv.URL + "/graph"), WithRetry(RetryPolicy{MaxAttempts: 1})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, func() []graphCall {
		mu.Lock()
		defer mu.Unlock()
		return append([]graphCall(nil), calls...)
	}
}

// capped keeps the first max bytes written to it and drops the rest.
type capped struct {
	b   []byte
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// answer replies with a fixed status and body.
func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}
