package redisstore_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/redisstore"
)

// Two instances (two Store values, as two processes would hold) share one Page's
// budget: what one spends, the other cannot.
func TestRateLimiterSharesTheBudget(t *testing.T) {
	c := client(t)
	prefix := freshPrefix(t, c)
	a, err := newStore(t, c, redisstore.WithPrefix(prefix)).RateLimiter("1001", 1.0/3600, 3) // 3 now, then 1 an hour
	if err != nil {
		t.Fatal(err)
	}
	b, err := newStore(t, c, redisstore.WithPrefix(prefix)).RateLimiter("1001", 1.0/3600, 3)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for i, l := range []*redisstore.RateLimiter{a, b, a} {
		if err := l.Wait(ctx); err != nil {
			t.Fatalf("call %d of the burst: %v", i, err)
		}
	}
	before, err := c.Get(ctx, prefix+":{1001}:rate").Result()
	if err != nil {
		t.Fatal(err)
	}
	// The burst is spent across both instances: the next slot is an hour away,
	// past this context's deadline, so both refuse at once and reserve nothing.
	for name, l := range map[string]*redisstore.RateLimiter{"a": a, "b": b} {
		start := time.Now()
		err := l.Wait(ctx)
		if err == nil {
			t.Fatalf("instance %s: a fourth call went within the hour", name)
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("instance %s waited instead of refusing", name)
		}
	}
	after, err := c.Get(ctx, prefix+":{1001}:rate").Result()
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Errorf("a refused wait reserved a slot: budget moved from %s to %s", before, after)
	}

	// Another Page's budget is its own.
	other, err := newStore(t, c, redisstore.WithPrefix(prefix)).RateLimiter("2002", 1.0/3600, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Wait(ctx); err != nil {
		t.Fatalf("another Page: %v", err)
	}
}

// Waiting paces calls: n calls at rate r with burst 1 cannot finish sooner than
// (n-1)/r. Only this lower bound is checked, so a slow machine cannot fail it.
func TestRateLimiterPaces(t *testing.T) {
	c := client(t)
	prefix := freshPrefix(t, c)
	l, err := newStore(t, c, redisstore.WithPrefix(prefix)).RateLimiter("1001", 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	const n = 21
	start := time.Now()
	for range n {
		if err := l.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if elapsed, least := time.Since(start), (n-1)*time.Second/200; elapsed < least-time.Millisecond {
		t.Errorf("%d calls at 200/s took %s, less than %s", n, elapsed, least)
	}
}

func TestRateLimiterRefusesBadInput(t *testing.T) {
	c := client(t)
	s := newStore(t, c, redisstore.WithPrefix(freshPrefix(t, c)))
	for _, tt := range []struct {
		page  string
		limit float64
		burst int
	}{{"", 1, 1}, {"1{2}", 1, 1}, {"1", 0, 1}, {"1", -5, 1}, {"1", 1, 0}} {
		if _, err := s.RateLimiter(tt.page, tt.limit, tt.burst); err == nil {
			t.Errorf("RateLimiter(%q, %v, %d) accepted", tt.page, tt.limit, tt.burst)
		}
	}
	l, _ := s.RateLimiter("1", 1, 1)
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if err := l.Wait(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait on a cancelled context = %v", err)
	}
}

// The client waits on the shared limiter: a spent budget refuses the call before
// anything reaches Graph.
func TestRateLimiterWithClient(t *testing.T) {
	c := client(t)
	prefix := freshPrefix(t, c)
	s := newStore(t, c, redisstore.WithPrefix(prefix))
	var calls atomic.Int32
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Write([]byte(`{"recipient_id":"1","message_id":"m_1"}`))
	}))
	t.Cleanup(graph.Close)
	mc, err := messenger.New("token", messenger.WithBaseURL(graph.URL), messenger.WithPageID("1001"),
		messenger.WithLimiter(func(page string) messenger.Limiter {
			l, err := s.RateLimiter(page, 1.0/3600, 1)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}))
	if err != nil {
		t.Fatal(err)
	}
	send := func() error {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		_, err := mc.Send(ctx, messenger.SendRequest{To: messenger.PSID("1"), Type: messenger.Update, Message: messenger.Text("hi")})
		return err
	}
	if err := send(); err != nil {
		t.Fatal(err)
	}
	err = send()
	if !errors.Is(err, messenger.ErrNotSent) {
		t.Fatalf("second send within the hour: %v, want ErrNotSent", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("Graph saw %d sends, want 1", n)
	}
}
