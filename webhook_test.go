package messenger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/store/storetest"
)

const whVerifyToken = "verify-me"

func newTestWebhook(t testing.TB, opts ...WebhookOption) *Webhook {
	t.Helper()
	opts = append([]WebhookOption{WithWebhookLogger(slog.New(slog.DiscardHandler))}, opts...)
	w, err := NewWebhook(whSecret, whVerifyToken, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Bounded, so that a webhook that never drains fails the test instead of
		// hanging it (in a synctest bubble the sweeper's timers keep time moving).
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := w.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return w
}

// postBody delivers body with the given headers and returns the status.
func postBody(h http.Handler, body []byte, header map[string]string) int {
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// postSigned delivers body signed as Meta would.
func postSigned(h http.Handler, body []byte) int {
	return postBody(h, body, map[string]string{SignatureHeader: SignPayload(body, whSecret)})
}

// sink records what handlers and the error handler see.
type sink struct {
	mu     sync.Mutex
	events []Event
	errs   []error
}

func (s *sink) handle(_ context.Context, ev Event) error {
	s.mu.Lock()
	s.events = append(s.events, ev)
	s.mu.Unlock()
	return nil
}

func (s *sink) onError(_ context.Context, _ Event, err error) {
	s.mu.Lock()
	s.errs = append(s.errs, err)
	s.mu.Unlock()
}

func (s *sink) snapshot() ([]Event, []error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events), slices.Clone(s.errs)
}

// ids names events for comparisons: the mid when there is one, else the kind.
func ids(evs []Event) []string {
	var out []string
	for _, ev := range evs {
		switch e := ev.(type) {
		case *MessageEvent:
			out = append(out, e.Message.MID)
		case *PostbackEvent:
			out = append(out, e.MID)
		default:
			out = append(out, ev.Kind())
		}
	}
	return out
}

func waitIdle(t testing.TB, w *Webhook) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := w.WaitIdle(ctx); err != nil {
		t.Fatalf("webhook not idle after a minute: %v", err)
	}
}

// messageBody builds a body of text messages; each spec is "sender/mid/ms".
func messageBody(t testing.TB, pageID string, specs ...string) []byte {
	t.Helper()
	var evs []Event
	for _, s := range specs {
		p := strings.Split(s, "/")
		ms, _ := strconv.ParseInt(p[2], 10, 64)
		evs = append(evs, &MessageEvent{
			EventInfo: EventInfo{PageID: pageID, Sender: Party{ID: p[0]}, Recipient: Party{ID: pageID}, Time: millis(ms)},
			Message:   ReceivedMessage{MID: p[1], Text: "text of " + p[1]},
		})
	}
	b, err := MarshalEnvelope(evs...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWebhookHandshake(t *testing.T) {
	t.Parallel()
	w := newTestWebhook(t)
	tests := []struct {
		name, query string
		code        int
		body        string
	}{
		{"good", "hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444", 200, "1158201444"},
		{"wrong token", "hub.mode=subscribe&hub.verify_token=verify-you&hub.challenge=1", 403, ""},
		{"token prefix", "hub.mode=subscribe&hub.verify_token=verify&hub.challenge=1", 403, ""},
		{"no token", "hub.mode=subscribe&hub.challenge=1", 403, ""},
		{"wrong mode", "hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1", 403, ""},
		{"no challenge", "hub.mode=subscribe&hub.verify_token=verify-me", 403, ""},
		{"nothing", "", 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			w.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/webhook?"+tt.query, nil))
			if rec.Code != tt.code {
				t.Errorf("status %d, want %d", rec.Code, tt.code)
			}
			if tt.code == 200 {
				if rec.Body.String() != tt.body {
					t.Errorf("body %q, want %q", rec.Body.String(), tt.body)
				}
				if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
					t.Errorf("Content-Type %q, want text/plain", ct)
				}
			}
		})
	}
}

func TestWebhookSignatureStatuses(t *testing.T) {
	t.Parallel()
	body := messageBody(t, "p", "u/m1/1000")
	good := SignPayload(body, whSecret)
	tests := []struct {
		name   string
		sha1   bool
		header map[string]string
		code   int
	}{
		{"valid", false, map[string]string{SignatureHeader: good}, 200},
		{"missing", false, nil, 401},
		{"empty", false, map[string]string{SignatureHeader: ""}, 401},
		{"malformed", false, map[string]string{SignatureHeader: "md5=abc"}, 403},
		{"wrong secret", false, map[string]string{SignatureHeader: SignPayload(body, "other")}, 403},
		{"signature of another body", false, map[string]string{SignatureHeader: SignPayload(append(body, ' '), whSecret)}, 403},
		{"sha1 only, not enabled", false, map[string]string{SignatureHeaderSHA1: SignPayloadSHA1(body, whSecret)}, 401},
		{"sha1 only, enabled", true, map[string]string{SignatureHeaderSHA1: SignPayloadSHA1(body, whSecret)}, 200},
		{"sha1 wrong, enabled", true, map[string]string{SignatureHeaderSHA1: SignPayloadSHA1(body, "other")}, 403},
		{"sha256 wrong beats a good sha1", true, map[string]string{SignatureHeader: SignPayload(body, "other"), SignatureHeaderSHA1: SignPayloadSHA1(body, whSecret)}, 403},
		{"both good", true, map[string]string{SignatureHeader: good, SignatureHeaderSHA1: SignPayloadSHA1(body, whSecret)}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s sink
			opts := []WebhookOption{}
			if tt.sha1 {
				opts = append(opts, WithSHA1())
			}
			w := newTestWebhook(t, opts...)
			w.OnEvent(s.handle)
			if code := postBody(w, body, tt.header); code != tt.code {
				t.Errorf("status %d, want %d", code, tt.code)
			}
			waitIdle(t, w)
			evs, _ := s.snapshot()
			if want := map[bool]int{true: 1, false: 0}[tt.code == 200]; len(evs) != want {
				t.Errorf("%d events handled, want %d", len(evs), want)
			}
		})
	}
}

func TestWebhookOversizedBody(t *testing.T) {
	t.Parallel()
	var s sink
	w := newTestWebhook(t, WithMaxBodyBytes(64))
	w.OnEvent(s.handle)
	small := []byte(`{"object":"page","entry":[]}`)
	if code := postSigned(w, small); code != 200 {
		t.Errorf("small body: status %d", code)
	}
	big := messageBody(t, "p", "u/m1/1000")
	if code := postSigned(w, big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("declared length over the cap: status %d, want 413", code)
	}
	// Without a Content-Length (chunked), the cap applies while reading.
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(big))
	req.ContentLength = -1
	req.Header.Set(SignatureHeader, SignPayload(big, whSecret))
	rec := httptest.NewRecorder()
	w.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked body over the cap: status %d, want 413", rec.Code)
	}
	waitIdle(t, w)
	if evs, _ := s.snapshot(); len(evs) != 0 {
		t.Errorf("%d events handled from oversized bodies", len(evs))
	}
}

func TestWebhookMalformedJSON(t *testing.T) {
	t.Parallel()
	var s sink
	w := newTestWebhook(t)
	w.OnEvent(s.handle)
	for _, body := range []string{`{"object":"page","entry":[{"id":"1","messaging":[{"message":{"mid":"m"}}`, `[]`, ``} {
		if code := postSigned(w, []byte(body)); code != http.StatusBadRequest {
			t.Errorf("%q: status %d, want 400", body, code)
		}
	}
	waitIdle(t, w)
	if evs, _ := s.snapshot(); len(evs) != 0 {
		t.Errorf("%d events handled from malformed bodies", len(evs))
	}
}

func TestWebhookMethods(t *testing.T) {
	t.Parallel()
	w := newTestWebhook(t)
	rec := httptest.NewRecorder()
	w.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/webhook", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, POST" {
		t.Errorf("PUT: status %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestWebhookRedeliveryDispatchedOnce(t *testing.T) {
	t.Parallel()
	var s sink
	w := newTestWebhook(t)
	w.OnEvent(s.handle)
	body, err := MarshalEnvelope(append(mustParse(t, "batched_entries.json"), mustParse(t, "feed_comment.json")...)...)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if code := postSigned(w, body); code != 200 {
			t.Fatalf("status %d", code)
		}
		waitIdle(t, w)
	}
	evs, _ := s.snapshot()
	if len(evs) != 5 {
		t.Errorf("%d events handled after three deliveries of five, want 5: %v", len(evs), ids(evs))
	}
}

func mustParse(t testing.TB, name string) []Event {
	t.Helper()
	evs, err := ParseEvents(readWebhookFile(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestDispatchOrderWithinConversation(t *testing.T) {
	t.Parallel()
	var s sink
	w := newTestWebhook(t, WithConcurrency(4))
	w.OnEvent(s.handle)
	var specs []string
	for _, u := range []string{"alice", "bob", "carol"} {
		for i := range 40 {
			specs = append(specs, fmt.Sprintf("%s/%s-%02d/%d", u, u, i, 1000+i))
		}
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(specs), func(i, j int) { specs[i], specs[j] = specs[j], specs[i] })
	// Half in one batch, half in later POSTs of a few events each.
	if code := postSigned(w, messageBody(t, "p", specs[:60]...)); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitIdle(t, w)
	rest := specs[60:]
	sort.SliceStable(rest, func(i, j int) bool { return rest[i] < rest[j] }) // a late redelivery is in order again
	for len(rest) > 0 {
		n := min(7, len(rest))
		if code := postSigned(w, messageBody(t, "p", rest[:n]...)); code != 200 {
			t.Fatalf("status %d", code)
		}
		rest = rest[n:]
	}
	waitIdle(t, w)
	evs, _ := s.snapshot()
	if len(evs) != len(specs) {
		t.Fatalf("%d events handled, want %d", len(evs), len(specs))
	}
	perUser := map[string][]string{}
	for _, ev := range evs {
		perUser[ev.Info().Sender.ID] = append(perUser[ev.Info().Sender.ID], ev.(*MessageEvent).Message.MID)
	}
	// Within the first batch each person's messages run in timestamp order.
	firstBatch := map[string]bool{}
	for _, s := range specs[:60] {
		firstBatch[strings.Split(s, "/")[1]] = true
	}
	for u, mids := range perUser {
		var first []string
		for _, m := range mids {
			if firstBatch[m] {
				first = append(first, m)
			}
		}
		if !slices.IsSorted(first) {
			t.Errorf("%s: first batch handled out of order: %v", u, first)
		}
	}
}

func TestDispatchParallelAcrossConversations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var s sink
		w := newTestWebhook(t, WithConcurrency(2))
		w.OnEvent(func(ctx context.Context, ev Event) error {
			if ev.Info().Sender.ID == "slow" {
				<-release
			}
			return s.handle(ctx, ev)
		})
		if code := postSigned(w, messageBody(t, "p", "slow/s1/1", "slow/s2/2", "fast/f1/3", "fast/f2/4")); code != 200 {
			t.Fatalf("status %d", code)
		}
		synctest.Wait()
		evs, _ := s.snapshot()
		if diff := cmp.Diff([]string{"f1", "f2"}, ids(evs)); diff != "" {
			t.Errorf("while one conversation is blocked, the other runs (-want +got):\n%s", diff)
		}
		close(release)
		waitIdle(t, w)
		evs, _ = s.snapshot()
		if diff := cmp.Diff([]string{"f1", "f2", "s1", "s2"}, ids(evs)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

func TestWebhookPanickingHandler(t *testing.T) {
	t.Parallel()
	var s sink
	w := newTestWebhook(t, WithErrorHandler(s.onError), WithConcurrency(1))
	panicked := false
	w.OnEvent(func(ctx context.Context, ev Event) error {
		if ev.(*MessageEvent).Message.MID == "m1" && !panicked {
			panicked = true
			panic("handler bug")
		}
		return s.handle(ctx, ev)
	})
	body := messageBody(t, "p", "u/m1/1", "u/m2/2")
	if code := postSigned(w, body); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitIdle(t, w)
	evs, errs := s.snapshot()
	if diff := cmp.Diff([]string{"m2"}, ids(evs)); diff != "" {
		t.Errorf("events after the panic (-want +got):\n%s", diff)
	}
	var pe *HandlerPanicError
	if len(errs) != 1 || !errors.As(errs[0], &pe) || !errors.Is(errs[0], ErrHandlerPanic) || pe.Value != "handler bug" || len(pe.Stack) == 0 {
		t.Fatalf("errors = %v, want one HandlerPanicError", errs)
	}
	// The failed event's dedupe key was forgotten: a redelivery is handled again.
	if code := postSigned(w, body); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitIdle(t, w)
	evs, _ = s.snapshot()
	if diff := cmp.Diff([]string{"m2", "m1"}, ids(evs)); diff != "" {
		t.Errorf("after redelivery (-want +got):\n%s", diff)
	}
}

func TestWebhookHandlerErrorsReported(t *testing.T) {
	t.Parallel()
	var s sink
	w := newTestWebhook(t, WithErrorHandler(func(ctx context.Context, ev Event, err error) {
		s.onError(ctx, ev, fmt.Errorf("%s: %w", ev.Kind(), err))
	}))
	boom := errors.New("boom")
	w.OnEvent(func(context.Context, Event) error { return boom })
	w.OnEvent(s.handle) // still runs after the failing one
	if code := postSigned(w, messageBody(t, "p", "u/m1/1")); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitIdle(t, w)
	evs, errs := s.snapshot()
	if len(evs) != 1 || len(errs) != 1 || !errors.Is(errs[0], boom) || !strings.HasPrefix(errs[0].Error(), "message: ") {
		t.Errorf("events %v, errors %v", ids(evs), errs)
	}
}

func TestWebhookShutdownDrains(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var s sink
		w := newTestWebhook(t)
		w.OnEvent(func(ctx context.Context, ev Event) error {
			<-release
			return s.handle(ctx, ev)
		})
		if code := postSigned(w, messageBody(t, "p", "u/m1/1", "u/m2/2", "v/m3/3")); code != 200 {
			t.Fatalf("status %d", code)
		}
		done := make(chan error)
		go func() { done <- w.Shutdown(context.Background()) }()
		synctest.Wait()
		if code := postSigned(w, messageBody(t, "p", "u/m4/4")); code != http.StatusServiceUnavailable {
			t.Errorf("POST during shutdown: status %d, want 503", code)
		}
		select {
		case err := <-done:
			t.Fatalf("Shutdown returned %v with handlers still running", err)
		default:
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
		evs, _ := s.snapshot()
		if got := ids(evs); len(got) != 3 {
			t.Errorf("handled %v, want m1, m2, m3", got)
		}
	})
}

func TestWebhookShutdownDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s sink
		w := newTestWebhook(t, WithErrorHandler(s.onError))
		started := make(chan struct{})
		w.OnEvent(func(ctx context.Context, ev Event) error {
			close(started)
			<-ctx.Done() // a handler that takes too long, but honours its context
			return ctx.Err()
		})
		if code := postSigned(w, messageBody(t, "p", "u/m1/1", "u/m2/2", "u/m3/3")); code != 200 {
			t.Fatalf("status %d", code)
		}
		<-started
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		if err := w.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Shutdown = %v, want DeadlineExceeded", err)
		}
		if d := time.Since(start); d != 2*time.Second {
			t.Errorf("Shutdown took %v, want the 2s of its context", d)
		}
		_, errs := s.snapshot()
		var dropped, canceled int
		for _, err := range errs {
			switch {
			case errors.Is(err, ErrEventDropped):
				dropped++
			case errors.Is(err, context.Canceled):
				canceled++
			}
		}
		if dropped != 2 || canceled != 1 {
			t.Errorf("errors %v: want 2 dropped and 1 canceled", errs)
		}
	})
}

func TestWebhookBackPressure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var s sink
		w := newTestWebhook(t, WithQueueLimit(2), WithConcurrency(1), WithAckBudget(time.Second))
		w.OnEvent(func(ctx context.Context, ev Event) error {
			<-release
			return s.handle(ctx, ev)
		})
		if code := postSigned(w, messageBody(t, "p", "u/m1/1", "u/m2/2")); code != 200 {
			t.Fatalf("first POST: status %d", code)
		}
		// The queue is full: the next POST waits its whole budget, then asks Meta to retry.
		start := time.Now()
		if code := postSigned(w, messageBody(t, "p", "u/m3/3")); code != http.StatusServiceUnavailable {
			t.Errorf("POST into a full queue: status %d, want 503", code)
		}
		if d := time.Since(start); d != time.Second {
			t.Errorf("503 after %v, want the 1s ack budget", d)
		}
		// Room that frees up within the budget lets the POST through.
		got := make(chan int)
		go func() { got <- postSigned(w, messageBody(t, "p", "u/m4/4")) }()
		synctest.Wait()
		release <- struct{}{} // m1 finishes
		if code := <-got; code != 200 {
			t.Errorf("POST after room freed: status %d, want 200", code)
		}
		// A batch bigger than the whole queue still gets in once the queue is empty.
		close(release)
		waitIdle(t, w)
		if code := postSigned(w, messageBody(t, "p", "v/m5/5", "v/m6/6", "v/m7/7")); code != 200 {
			t.Errorf("oversized batch into an empty queue: status %d, want 200", code)
		}
		waitIdle(t, w)
		evs, _ := s.snapshot()
		if diff := cmp.Diff([]string{"m1", "m2", "m4", "m5", "m6", "m7"}, ids(evs)); diff != "" {
			t.Errorf("handled (-want +got):\n%s", diff)
		}
	})
}

// failingInbox is the memory store's inbox with an Append that fails.
type failingInbox struct {
	*memstore.Store
	fail error
}

func (f *failingInbox) Append(context.Context, []byte, time.Time, store.Lease) (string, error) {
	return "", f.fail
}

// inboxLen counts the pending entries of a memory store.
func inboxLen(t *testing.T, m *memstore.Store) int {
	t.Helper()
	es, err := m.Entries(context.Background(), store.InboxPending)
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestWebhookInboxReplayAfterCrash(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := &fakeClock{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
		inbox := storetest.NewMemory(t, memstore.WithClock(clock.Now))
		dedupe := newMemoryDedupe(clock.Now, 1000) // stands for a durable store shared across restarts
		opts := []WebhookOption{WithInbox(inbox), WithDedupe(dedupe), WithWebhookClock(clock.Now)}

		// First process: m1 is handled, m2 is in flight when the process goes down,
		// m3 (same person, later) never started.
		var s1 sink
		w1 := newTestWebhook(t, append(opts, WithErrorHandler(s1.onError))...)
		m2started := holdUntilCancelled(w1, "m2", &s1)
		body := messageBody(t, "p", "a/m1/1", "b/m2/2", "b/m3/3")
		if code := postSigned(w1, body); code != 200 {
			t.Fatalf("status %d", code)
		}
		if inboxLen(t, inbox) != 1 {
			t.Fatalf("inbox holds %d entries after the 200, want 1", inboxLen(t, inbox))
		}
		<-m2started
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := w1.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Shutdown = %v", err)
		}
		if inboxLen(t, inbox) != 1 {
			t.Fatalf("inbox entry was marked done although m2 and m3 were not handled")
		}
		if st := w1.Stats(); st.Dropped != 1 {
			t.Errorf("Stats().Dropped = %d, want 1 (m3)", st.Dropped)
		}

		// Second process: Replay finishes the body, without handling m1 again.
		clock.Advance(time.Minute)
		var s2 sink
		w2 := newTestWebhook(t, opts...)
		w2.OnEvent(s2.handle)
		n, err := w2.Replay(context.Background())
		if err != nil || n != 3 {
			t.Fatalf("Replay = %d, %v; want 3 events re-dispatched", n, err)
		}
		evs, _ := s2.snapshot()
		if diff := cmp.Diff([]string{"m2", "m3"}, ids(evs)); diff != "" {
			t.Errorf("replayed (-want +got):\n%s", diff)
		}
		if inboxLen(t, inbox) != 0 {
			t.Errorf("inbox still holds %d entries after Replay", inboxLen(t, inbox))
		}
		// Meta's own redelivery of the body is now dropped, and Replay has nothing left.
		if code := postSigned(w2, body); code != 200 {
			t.Fatalf("status %d", code)
		}
		waitIdle(t, w2)
		if n, err := w2.Replay(context.Background()); n != 0 || err != nil {
			t.Errorf("second Replay = %d, %v", n, err)
		}
		if evs, _ := s2.snapshot(); len(evs) != 2 {
			t.Errorf("handled %v after redelivery, want only m2, m3", ids(evs))
		}
	})
}

// TestWebhookReplaySkipsFinishedEvents builds the state a hard crash leaves (no
// Shutdown ran): one event finished, one claimed but unfinished, one untouched.
func TestWebhookReplaySkipsFinishedEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	inbox := storetest.NewMemory(t, memstore.WithClock(clock.Now))
	dedupe := newMemoryDedupe(clock.Now, 1000)
	body := messageBody(t, "p", "a/m1/1", "b/m2/2", "c/m3/3")
	// Leased to a process that died: the lease has run out by the time of Replay.
	if _, err := inbox.Append(ctx, body, clock.Now(), store.Lease{Owner: "crashed", Until: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	dedupe.FirstSeen(ctx, "message:m1", time.Hour)
	dedupe.FirstSeen(ctx, doneKey("message:m1"), time.Hour)
	dedupe.FirstSeen(ctx, "message:m2", time.Hour) // claimed when the process died
	clock.Advance(time.Second)

	var s sink
	w := newTestWebhook(t, WithInbox(inbox), WithDedupe(dedupe), WithWebhookClock(clock.Now))
	w.OnEvent(s.handle)
	if n, err := w.Replay(ctx); n != 3 || err != nil {
		t.Fatalf("Replay = %d, %v", n, err)
	}
	evs, _ := s.snapshot()
	if diff := cmp.Diff([]string{"m2", "m3"}, ids(evs)); diff != "" {
		t.Errorf("replayed (-want +got):\n%s", diff)
	}
	// An entry another live instance holds is left to it.
	live := store.Lease{Owner: "live", Until: clock.Now().Add(DefaultInboxLease)}
	if _, err := inbox.Append(ctx, messageBody(t, "p", "d/m4/4"), clock.Now(), live); err != nil {
		t.Fatal(err)
	}
	if n, err := w.Replay(ctx); n != 0 || err != nil {
		t.Errorf("Replay of an entry a live instance holds = %d, %v", n, err)
	}
	if w2 := newTestWebhook(t); func() error { _, err := w2.Replay(ctx); return err }() == nil {
		t.Error("Replay without an inbox: no error")
	}
}

func TestWebhookInboxAppendFails(t *testing.T) {
	t.Parallel()
	var s sink
	w := newTestWebhook(t, WithInbox(&failingInbox{storetest.NewMemory(t), errors.New("disk full")}), WithErrorHandler(s.onError))
	w.OnEvent(s.handle)
	if code := postSigned(w, messageBody(t, "p", "u/m1/1")); code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", code)
	}
	waitIdle(t, w)
	evs, errs := s.snapshot()
	if len(evs) != 0 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "disk full") {
		t.Errorf("events %v, errors %v", ids(evs), errs)
	}
	w.core.mu.Lock()
	defer w.core.mu.Unlock()
	if w.core.queued != 0 || w.core.admitting != 0 {
		t.Errorf("queue not released: queued %d, admitting %d", w.core.queued, w.core.admitting)
	}
}

// fakeWindows records window actions as "page/user/kind@ms".
type fakeWindows struct {
	mu   sync.Mutex
	got  []string
	fail error
}

func (f *fakeWindows) RecordAction(_ context.Context, page, user string, a store.Action) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, fmt.Sprintf("%s/%s/%s@%d", page, user, a.Kind, a.At.UnixMilli()))
	return f.fail
}

func (f *fakeWindows) Window(context.Context, string, string) (store.Window, error) {
	return store.Window{}, nil
}

func TestWebhookRecordsWindows(t *testing.T) {
	t.Parallel()
	var evs []Event
	for _, name := range []string{"message_text.json", "message_ad_referral.json", "echo.json", "postback.json",
		"referral_chat_plugin.json", "reaction.json", "optin_plugin.json", "optin_checkbox.json", "optin_one_time.json",
		"read.json", "delivery.json", "standby.json", "feed_comment.json", "policy_enforcement.json"} {
		evs = append(evs, mustParse(t, name)...)
	}
	body, err := MarshalEnvelope(evs...)
	if err != nil {
		t.Fatal(err)
	}
	windows := &fakeWindows{}
	w := newTestWebhook(t, WithWindows(windows), WithConcurrency(1))
	if code := postSigned(w, body); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitIdle(t, w)
	want := []string{
		"1234567890/6783274623/message@1458692752478",
		"1234567890/6783274623/message@1458692752478",
		"1234567890/6783274623/ad@1458692752478",
		"1234567890/6783274623/postback@1458692752478",
		"1234567890/ref-9f1c2e/referral@1458692752478",
		"1234567890/6783274623/reaction@1458668856463", // the react; the unreact opens nothing
		"1234567890/6783274623/optin@1457764197627",
		"1234567890/UNIQUE_REF_123/optin@1457764197627", // checkbox: the user_ref
		"1234567890/6783274623/message@1458692752478",   // standby: the person still wrote to the Page
		"1234567890/6783274623/postback@1458692752490",
	}
	windows.mu.Lock()
	got := slices.Clone(windows.got)
	windows.mu.Unlock()
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recorded windows (-want +got):\n%s", diff)
	}
}

// failingDedupe fails every call.
type failingDedupe struct{}

func (failingDedupe) FirstSeen(context.Context, string, time.Duration) (bool, error) {
	return false, errors.New("dedupe down")
}
func (failingDedupe) Forget(context.Context, string) error { return errors.New("dedupe down") }

func TestWebhookStoreErrorsAreReportedNotFatal(t *testing.T) {
	t.Parallel()
	var s sink
	w := newTestWebhook(t, WithDedupe(failingDedupe{}), WithWindows(&fakeWindows{fail: errors.New("windows down")}), WithErrorHandler(s.onError))
	w.OnEvent(s.handle)
	if code := postSigned(w, messageBody(t, "p", "u/m1/1")); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitIdle(t, w)
	evs, errs := s.snapshot()
	if len(evs) != 1 {
		t.Errorf("handled %v: an unavailable store must not lose the event", ids(evs))
	}
	var msgs []string
	for _, err := range errs {
		msgs = append(msgs, err.Error())
	}
	if diff := cmp.Diff([]string{"messenger: dedupe store: dedupe down", "messenger: window store: windows down"}, msgs); diff != "" {
		t.Errorf("reported (-want +got):\n%s", diff)
	}
}

func TestWebhookForPageAndTypedHandlers(t *testing.T) {
	t.Parallel()
	var all, pageA, msgsB, postbacks sink
	w := newTestWebhook(t)
	w.OnEvent(all.handle)
	w.ForPage("A").OnEvent(pageA.handle)
	On(w.ForPage("B"), func(ctx context.Context, m *MessageEvent) error { return msgsB.handle(ctx, m) })
	On(w, func(ctx context.Context, p *PostbackEvent) error { return postbacks.handle(ctx, p) })
	var evs []Event
	for _, pg := range []string{"A", "B"} {
		evs = append(evs,
			&MessageEvent{EventInfo: EventInfo{PageID: pg, Sender: Party{ID: "u"}, Time: millis(1)}, Message: ReceivedMessage{MID: pg + "-msg"}},
			&PostbackEvent{EventInfo: EventInfo{PageID: pg, Sender: Party{ID: "u"}, Time: millis(2)}, MID: pg + "-pb"})
	}
	body, err := MarshalEnvelope(evs...)
	if err != nil {
		t.Fatal(err)
	}
	if code := postSigned(w, body); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitIdle(t, w)
	for _, tc := range []struct {
		name string
		s    *sink
		want []string
	}{
		{"all", &all, []string{"A-msg", "A-pb", "B-msg", "B-pb"}},
		{"page A", &pageA, []string{"A-msg", "A-pb"}},
		{"messages of page B", &msgsB, []string{"B-msg"}},
		{"postbacks", &postbacks, []string{"A-pb", "B-pb"}},
	} {
		evs, _ := tc.s.snapshot()
		got := ids(evs)
		slices.Sort(got)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestNewWebhookErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		secret, token string
		opt           WebhookOption
		want          string
	}{
		{"no secret", "", "t", nil, "app secret is empty"},
		{"no verify token", "s", "", nil, "verify token is empty"},
		{"nil option", "s", "t", nil, "option is nil"},
		{"dedupe nil", "s", "t", WithDedupe(nil), "WithDedupe: store is nil"},
		{"windows nil", "s", "t", WithWindows(nil), "WithWindows: store is nil"},
		{"inbox nil", "s", "t", WithInbox(nil), "WithInbox: store is nil"},
		{"error handler nil", "s", "t", WithErrorHandler(nil), "WithErrorHandler: handler is nil"},
		{"body cap", "s", "t", WithMaxBodyBytes(0), "WithMaxBodyBytes: limit must be positive, got 0"},
		{"concurrency", "s", "t", WithConcurrency(0), "WithConcurrency: must be at least 1, got 0"},
		{"queue", "s", "t", WithQueueLimit(-1), "WithQueueLimit: must be at least 1, got -1"},
		{"budget too long", "s", "t", WithAckBudget(5 * time.Second), "WithAckBudget: must be above 0 and below Meta's 5s, got 5s"},
		{"ttl", "s", "t", WithDedupeTTL(0), "WithDedupeTTL: ttl must be positive, got 0s"},
		{"clock", "s", "t", WithWebhookClock(nil), "WithWebhookClock: clock is nil"},
		{"logger", "s", "t", WithWebhookLogger(nil), "WithWebhookLogger: logger is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []WebhookOption
			if tt.opt != nil || tt.name == "nil option" {
				opts = append(opts, tt.opt)
			}
			w, err := NewWebhook(tt.secret, tt.token, opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || w != nil {
				t.Errorf("NewWebhook = %v, %v; want error containing %q", w, err, tt.want)
			}
		})
	}
	if _, err := NewWebhook("", "t"); !errors.Is(err, ErrMissingAppSecret) {
		t.Errorf("missing secret: %v, want ErrMissingAppSecret", err)
	}
}

func TestWebhookDefaultErrorHandlerLogsNoContent(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	w, err := NewWebhook(whSecret, whVerifyToken, WithWebhookLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	w.OnEvent(func(context.Context, Event) error { return errors.New("send failed") })
	if code := postSigned(w, messageBody(t, "p", "u/m1/1")); code != 200 {
		t.Fatalf("status %d", code)
	}
	if err := w.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, "kind=message") || !strings.Contains(out, "send failed") || strings.Contains(out, "text of m1") || strings.Contains(out, whSecret) {
		t.Errorf("log:\n%s", out)
	}
}

// holdUntilCancelled makes w's handler keep the message mid running until its
// context ends (and fail then), and hand every other event to s. The channel closes
// when mid starts.
func holdUntilCancelled(w *Webhook, mid string, s *sink) <-chan struct{} {
	started := make(chan struct{})
	w.OnEvent(func(ctx context.Context, ev Event) error {
		if ev.(*MessageEvent).Message.MID == mid {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		}
		return s.handle(ctx, ev)
	})
	return started
}
