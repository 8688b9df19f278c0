package otn

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gomessenger/messenger"
)

// fakeGraph is a minimal Send API: it records every body posted to
// /v25.0/me/messages and answers with respond (status, JSON body).
type fakeGraph struct {
	srv      *httptest.Server
	requests atomic.Int64
	mu       sync.Mutex
	bodies   []map[string]any
	respond  func(n int64) (int, string)
}

const okAnswer = `{"recipient_id":"1254477777772919","message_id":"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P"}`

func newFakeGraph(t *testing.T, respond func(n int64) (int, string)) *fakeGraph {
	t.Helper()
	g := &fakeGraph{respond: respond}
	if g.respond == nil {
		g.respond = func(int64) (int, string) { return 200, okAnswer }
	}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v25.0/me/messages" {
			http.Error(w, `{"error":{"message":"unexpected call","code":100}}`, http.StatusBadRequest)
			t.Errorf("unexpected call %s %s", r.Method, r.URL.Path)
			return
		}
		n := g.requests.Add(1)
		var body map[string]any
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("body is not JSON: %v: %s", err, raw)
		}
		g.mu.Lock()
		g.bodies = append(g.bodies, body)
		g.mu.Unlock()
		status, answer := g.respond(n)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// client returns a messenger client for the fake, without retries so that each
// Notify is one request.
func (g *fakeGraph) client(t *testing.T) *messenger.Client {
	t.Helper()
	c, err := messenger.New("page-token", messenger.WithBaseURL(g.srv.URL),
		messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (g *fakeGraph) sent() []map[string]any {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]map[string]any(nil), g.bodies...)
}
