package redisstore_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store"
)

// With Redis frozen (SIGSTOP) the webhook, configured as the README's fleet section
// says and otherwise with its defaults, still answers within its ack budget: 503,
// so Meta delivers again. What Redis does with the frozen call once it runs again
// (here: it runs it, since its script is cached) neither loses the event nor runs
// it twice: the redelivery and the entry left in the inbox meet in the dedupe
// store.
func TestWebhookAnswersWithinBudgetWhenRedisFreezes(t *testing.T) {
	srv, addr := ownRedis(t)
	c := redis.NewClient(&redis.Options{Addr: addr}) // go-redis defaults: deadlines ignored
	t.Cleanup(func() { _ = c.Close() })
	st := newStore(t, c)
	var mu sync.Mutex
	runs := map[string]int{}
	webhook := func(opts ...messenger.WebhookOption) *messenger.Webhook {
		opts = append([]messenger.WebhookOption{
			messenger.WithInbox(st), messenger.WithDedupe(st), messenger.WithWindows(st),
			messenger.WithErrorHandler(func(context.Context, messenger.Event, error) {}),
		}, opts...)
		wh, err := messenger.NewWebhook(fleetSecret, "verify", opts...)
		if err != nil {
			t.Fatal(err)
		}
		messenger.On(wh, func(_ context.Context, ev *messenger.MessageEvent) error {
			mu.Lock()
			runs[ev.Message.MID]++
			mu.Unlock()
			return nil
		})
		return wh
	}
	post := func(wh *messenger.Webhook, body []byte) (int, time.Duration) {
		req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
		req.Header.Set(messenger.SignatureHeader, messenger.SignPayload(body, fleetSecret))
		rec := httptest.NewRecorder()
		start := time.Now()
		wh.ServeHTTP(rec, req)
		return rec.Code, time.Since(start)
	}

	wh := webhook()
	if code, _ := post(wh, deliveryBody("2002", "m_warm")); code != http.StatusOK {
		t.Fatalf("warm-up delivery: status %d", code)
	}
	if err := srv.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	body := deliveryBody("2002", "m_frozen")
	code, took := post(wh, body)
	t.Logf("with Redis frozen: status %d after %v (ack budget %v)", code, took, messenger.DefaultAckBudget)
	if code != http.StatusServiceUnavailable {
		t.Errorf("status %d with Redis frozen, want 503", code)
	}
	if took > messenger.DefaultAckBudget+500*time.Millisecond {
		t.Errorf("answered after %v with Redis frozen; the ack budget is %v and Meta waits 5s", took, messenger.DefaultAckBudget)
	}
	if err := srv.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := wh.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	// The next instance, once the frozen call's lease would have run out: Meta's
	// redelivery and the inbox's leftovers, whichever Redis holds.
	later := messenger.DefaultInboxLease + time.Second
	next := webhook(messenger.WithWebhookClock(func() time.Time { return time.Now().Add(later) }))
	if _, err := next.Replay(ctx); err != nil {
		t.Fatal(err)
	}
	if code, _ := post(next, body); code != http.StatusOK {
		t.Fatalf("redelivery: status %d", code)
	}
	if err := next.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"m_warm": 1, "m_frozen": 1}, runs); diff != "" {
		t.Errorf("runs per event (-want +got):\n%s", diff)
	}
	for _, state := range []store.InboxState{store.InboxPending, store.InboxDead} {
		if es, err := st.Entries(ctx, state); err != nil || len(es) != 0 {
			t.Errorf("inbox %s entries at the end: %d, %v", state, len(es), err)
		}
	}
}
