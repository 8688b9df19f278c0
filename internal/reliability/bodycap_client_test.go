package reliability

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
)

// endlessServer answers with status and a body that starts with prefix and goes
// on for up to limit bytes, counting what it managed to write before the client
// hung up.
type endlessServer struct {
	*httptest.Server
	written atomic.Int64
	done    chan struct{}
}

func newEndlessServer(t *testing.T, status int, prefix string, limit int64) *endlessServer {
	s := &endlessServer{done: make(chan struct{}, 16)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { s.done <- struct{}{} }()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		n, _ := w.Write([]byte(prefix))
		s.written.Add(int64(n))
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for s.written.Load() < limit {
			n, err := w.Write(chunk)
			s.written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// TestClientCapsResponseBodies: a Graph answer that never ends must neither hang
// the client nor fill its memory. Error bodies are read up to 1 MiB, success
// bodies up to 32 MiB; the server is then cut off, far below what it offered.
func TestClientCapsResponseBodies(t *testing.T) {
	const offered = 512 << 20
	cases := []struct {
		name     string
		status   int
		prefix   string
		maxRead  int64 // what the client may read, plus loopback socket buffers
		wantHTTP int
	}{
		{"error body", http.StatusBadRequest, `{"error":{"message":"`, 1<<20 + 16<<20, http.StatusBadRequest},
		{"success body", http.StatusOK, `{"message_id":"`, 32<<20 + 16<<20, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newEndlessServer(t, tc.status, tc.prefix, offered)
			c, err := messenger.New(secToken, messenger.WithBaseURL(srv.URL),
				messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1}))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var out struct {
				MessageID string `json:"message_id"`
			}
			err = c.Do(ctx, http.MethodPost, "me/messages", map[string]string{"x": "y"}, &out)
			if err == nil {
				t.Fatal("no error for an endless body")
			}
			if ctx.Err() != nil {
				t.Fatalf("the client read until the deadline: %v", err)
			}
			var ge *messenger.GraphError
			if tc.wantHTTP != 0 && (!errors.As(err, &ge) || ge.HTTPStatus != tc.wantHTTP) {
				t.Errorf("error %v, want a *GraphError with status %d", err, tc.wantHTTP)
			}
			select {
			case <-srv.done:
			case <-time.After(10 * time.Second):
				t.Fatal("the server is still writing ten seconds after the client returned")
			}
			if w := srv.written.Load(); w > tc.maxRead {
				t.Errorf("the server wrote %d MiB before the client hung up, want at most %d MiB", w>>20, tc.maxRead>>20)
			}
		})
	}
}
