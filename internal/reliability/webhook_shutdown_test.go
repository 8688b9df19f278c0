package reliability

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storetest"
)

// shutdownRun posts n one-event deliveries from four people, so their events queue
// up behind each other, then shuts the webhook down with only 50 ms to drain, as a
// host whose orchestrator kills it quickly would. The first handlers finish at once;
// from the hundredth on they wait on their context, as a handler stuck on a slow
// call does, so Shutdown runs out of time with most events still queued. It returns
// the webhook's stats, how many ErrEventDropped reports the error handler got, and
// which events ran.
func shutdownRun(t *testing.T, n int, opts ...messenger.WebhookOption) (messenger.WebhookStats, int, map[string]int) {
	t.Helper()
	var mu sync.Mutex
	ran := map[string]int{}
	var dropped atomic.Int64
	opts = append([]messenger.WebhookOption{
		messenger.WithWebhookLogger(newSecretSink(t).logger()),
		messenger.WithErrorHandler(func(_ context.Context, _ messenger.Event, err error) {
			if errors.Is(err, messenger.ErrEventDropped) {
				dropped.Add(1)
			}
		}),
	}, opts...)
	wh, err := messenger.NewWebhook(secAppSecret, secVerifyTok, opts...)
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{}) // the handlers' work waits until every delivery is in
	var started atomic.Int64
	messenger.On(wh, func(ctx context.Context, ev *messenger.MessageEvent) error {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
		if started.Add(1) > 100 {
			<-ctx.Done() // stuck until Shutdown gives up
			return ctx.Err()
		}
		mu.Lock()
		ran[ev.Message.MID]++
		mu.Unlock()
		return nil
	})
	srv := httptest.NewServer(wh)
	defer srv.Close()
	for i := range n {
		body := fmt.Appendf(nil, `{"object":"page","entry":[{"id":"p","time":1,"messaging":[{"sender":{"id":"u%d"},"recipient":{"id":"p"},"timestamp":%d,"message":{"mid":"m%d","text":"hi"}}]}]}`, i%4, 1000+i, i)
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(string(body)))
		req.Header.Set(messenger.SignatureHeader, messenger.SignPayload(body, secAppSecret))
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("delivery %d: status %d", i, resp.StatusCode)
		}
	}
	close(gate)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := wh.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	out := map[string]int{}
	for k, v := range ran {
		out[k] = v
	}
	return wh.Stats(), int(dropped.Load()), out
}

// Without an inbox, what Shutdown drops is lost but never silently: every dropped
// event is reported and counted, and counted events add up.
func TestWebhookShutdownWithoutInboxCountsDrops(t *testing.T) {
	const n = 3000
	st, reported, ran := shutdownRun(t, n)
	if st.Events != n {
		t.Fatalf("acknowledged %d events, want %d", st.Events, n)
	}
	if st.Dropped == 0 {
		t.Fatal("nothing was queued at shutdown; the test needs a backlog to mean anything")
	}
	if int(st.Dropped) != reported {
		t.Errorf("Stats().Dropped = %d, but the error handler got %d ErrEventDropped", st.Dropped, reported)
	}
	if got := int(st.Handled) + int(st.Failed) + int(st.Dropped); got != n {
		t.Errorf("handled %d + failed %d + dropped %d = %d, want the %d acknowledged", st.Handled, st.Failed, st.Dropped, got, n)
	}
	t.Logf("without an inbox: %d acknowledged, %d handled, %d cut short, %d dropped and reported (%d distinct events ran)",
		st.Events, st.Handled, st.Failed, st.Dropped, len(ran))
}

// With an inbox, nothing Shutdown could not finish is lost: the next process runs
// exactly what was left, once.
func TestWebhookShutdownWithInboxLosesNothing(t *testing.T) {
	const n = 3000
	mem := storetest.NewMemory(t)
	opts := []messenger.WebhookOption{messenger.WithInbox(mem), messenger.WithDedupe(mem)}
	st, reported, ran := shutdownRun(t, n, opts...)
	next, err := messenger.NewWebhook(secAppSecret, secVerifyTok, append(opts, messenger.WithWebhookLogger(newSecretSink(t).logger()))...)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	messenger.On(next, func(_ context.Context, ev *messenger.MessageEvent) error {
		mu.Lock()
		ran[ev.Message.MID]++
		mu.Unlock()
		return nil
	})
	replayed, err := next.Replay(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Dropped == 0 || replayed == 0 {
		t.Fatalf("dropped %d, replayed %d: the test needs a backlog at shutdown to mean anything", st.Dropped, replayed)
	}
	if err := next.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if k := ran[fmt.Sprintf("m%d", i)]; k != 1 {
			t.Errorf("m%d ran %d times, want once", i, k)
		}
	}
	if es, _ := mem.Entries(context.Background(), store.InboxPending); len(es) != 0 {
		t.Errorf("inbox still holds %d entries", len(es))
	}
	t.Logf("with an inbox: %d acknowledged, %d dropped at shutdown (%d reported), %d events replayed by the next process; every one ran once",
		st.Events, st.Dropped, reported, replayed)
}
