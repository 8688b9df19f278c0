package messenger

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/store/storetest"
)

// readCounter is a body that counts the reads made of it.
type readCounter struct {
	r     io.Reader
	reads atomic.Int32
}

func (c *readCounter) Read(p []byte) (int, error) {
	c.reads.Add(1)
	return c.r.Read(p)
}

// A request without a well-formed signature header is refused before one byte of
// its body is read.
func TestWebhookRefusesBadSignatureHeaderBeforeReadingBody(t *testing.T) {
	t.Parallel()
	w := newTestWebhook(t)
	body := messageBody(t, "p", "a/m1/1")
	hex64 := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name, header string
		code         int
	}{
		{"missing", "", http.StatusUnauthorized},
		{"no algorithm", hex64, http.StatusForbidden},
		{"other algorithm", "md5=" + hex64, http.StatusForbidden},
		{"short digest", "sha256=" + hex64[:63], http.StatusForbidden},
		{"long digest", "sha256=" + hex64 + "00", http.StatusForbidden},
		{"not hex", "sha256=" + strings.Repeat("zz", 32), http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := &readCounter{r: bytes.NewReader(body)}
			req := httptest.NewRequest(http.MethodPost, "/webhook", rc)
			if tc.header != "" {
				req.Header.Set(SignatureHeader, tc.header)
			}
			rec := httptest.NewRecorder()
			w.ServeHTTP(rec, req)
			if rec.Code != tc.code {
				t.Errorf("status %d, want %d", rec.Code, tc.code)
			}
			if n := rc.reads.Load(); n != 0 {
				t.Errorf("body read %d times before the refusal, want 0", n)
			}
		})
	}
	// A well-formed but wrong signature is checked on the body, as it must be.
	if code := postBody(w, body, map[string]string{SignatureHeader: "sha256=" + hex64}); code != http.StatusForbidden {
		t.Errorf("wrong signature: status %d, want 403", code)
	}
}

// The signature headers are found whatever case the sender wrote their names in:
// the server files them under the canonical name, which is the one looked up.
func TestWebhookFindsSignatureHeadersInAnyCase(t *testing.T) {
	t.Parallel()
	w := newTestWebhook(t, WithSHA1())
	body := messageBody(t, "p", "a/m1/1")
	for _, tc := range []struct{ name, value string }{
		{"x-hub-signature-256", SignPayload(body, whSecret)},
		{"X-HUB-SIGNATURE-256", SignPayload(body, whSecret)},
		{"x-hub-signature", SignPayloadSHA1(body, whSecret)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := fmt.Sprintf("POST /webhook HTTP/1.1\r\nHost: bot.example\r\n%s: %s\r\nContent-Length: %d\r\n\r\n%s", tc.name, tc.value, len(body), body)
			req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			w.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Errorf("status %d, want 200", rec.Code)
			}
		})
	}
}

// Content-Length is the claim of a client not yet verified: it reserves nothing.
// (Not parallel: it reads the process's allocation counter.)
func TestWebhookDoesNotReserveClaimedContentLength(t *testing.T) {
	w := newTestWebhook(t)
	body := messageBody(t, "p", "a/m1/1")
	claim := int64(DefaultMaxBodyBytes) // 4 MiB claimed, a few hundred bytes sent
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 10 {
		req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
		req.ContentLength = claim
		req.Header.Set(SignatureHeader, "sha256="+strings.Repeat("00", 32))
		rec := httptest.NewRecorder()
		w.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Fatalf("status %d, want 403", rec.Code)
		}
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("10 requests claiming %d bytes each allocated %d bytes; want well under one claim", claim, got)
	}
}

// A client that drips its body cannot hold the connection past the ack budget.
func TestWebhookBodyReadEndsAtAckBudget(t *testing.T) {
	t.Parallel()
	budget := 200 * time.Millisecond
	w := newTestWebhook(t, WithAckBudget(budget))
	for name, h := range map[string]http.Handler{
		"webhook": w,
		// Middleware that wraps the ResponseWriter (and unwraps, as
		// http.ResponseController expects) still gets the deadline.
		"behind middleware": http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			w.ServeHTTP(&wrappedWriter{rw}, r)
		}),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dripOneRequest(t, h, budget)
		})
	}
}

// wrappedWriter is a middleware's ResponseWriter.
type wrappedWriter struct{ http.ResponseWriter }

func (w *wrappedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// dripOneRequest sends headers and a few bytes of a body, then nothing, and checks
// that the server answers and closes within the ack budget (+2 s).
func dripOneRequest(t *testing.T, h http.Handler, budget time.Duration) {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n%s: sha256=%s\r\n\r\n{\"obj", SignatureHeader, strings.Repeat("00", 32))
	// The guard only keeps a broken server from hanging the test.
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a dripping client: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400", resp.StatusCode)
	}
	if took := time.Since(start); took > budget+2*time.Second {
		t.Errorf("answered after %v, want within the ack budget (%v) + 2s", took, budget)
	}
	// And the connection is closed: the server reads nothing more from it.
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Error("connection still open after the refusal")
	}
}

// stuckInbox is an inbox whose Append ignores its context and waits for the test.
type stuckInbox struct {
	*memstore.Store
	unblock  chan struct{}
	appended chan string
}

func (s *stuckInbox) Append(_ context.Context, body []byte, received time.Time, l store.Lease) (string, error) {
	<-s.unblock
	id, err := s.Store.Append(context.Background(), body, received, l)
	s.appended <- id
	return id, err
}

// Whatever the store does, the POST is answered within the ack budget; an append
// that lands after the 503 is removed again, since Meta will deliver the body again.
func TestWebhookAnswersWithinBudgetWhenInboxStalls(t *testing.T) {
	t.Parallel()
	budget := 100 * time.Millisecond
	in := &stuckInbox{Store: storetest.NewMemory(t), unblock: make(chan struct{}), appended: make(chan string, 1)}
	var errs sink
	w := newTestWebhook(t, WithInbox(in), WithAckBudget(budget), WithErrorHandler(errs.onError))
	var runs atomic.Int32
	w.OnEvent(func(context.Context, Event) error { runs.Add(1); return nil })
	start := time.Now()
	if code := postSigned(w, messageBody(t, "p", "a/m1/1")); code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503 so that Meta delivers again", code)
	}
	if took := time.Since(start); took > budget+time.Second {
		t.Errorf("answered after %v with the inbox stalled; budget %v", took, budget)
	}
	close(in.unblock)
	<-in.appended
	if err := w.Shutdown(context.Background()); err != nil { // waits for the late append's clean-up
		t.Fatal(err)
	}
	if es, _ := in.Store.Entries(context.Background(), store.InboxPending); len(es) != 0 {
		t.Errorf("inbox holds %d entries for a POST answered 503", len(es))
	}
	if runs.Load() != 0 {
		t.Errorf("events of a POST answered 503 ran %d times", runs.Load())
	}
}

// lateIntake is a memory store whose Admit waits for unblock, whatever its
// context, and then takes effect; with failForget its Forget fails, as when the
// dedupe keys' server is out of reach.
type lateIntake struct {
	*memstore.Store
	unblock    chan struct{}
	failForget bool
}

func (s *lateIntake) Admit(_ context.Context, d store.Delivery) (store.Admitted, error) {
	<-s.unblock
	return s.Store.Admit(context.Background(), d)
}

func (s *lateIntake) Forget(ctx context.Context, key string) error {
	if s.failForget {
		return errors.New("dedupe store out of reach")
	}
	return s.Store.Forget(ctx, key)
}

// An Admit the POST gave up on takes effect after the 503, and Meta delivers the
// body again, to another instance, which then replays what is due: the event runs
// once. When the late Admit's keys can be forgotten the redelivery runs it; when
// they cannot, the redelivery is a duplicate and the entry, kept, runs instead.
func TestWebhookLateAdmitUndone(t *testing.T) {
	t.Parallel()
	for _, failForget := range []bool{false, true} {
		t.Run(fmt.Sprintf("forget fails=%v", failForget), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			in := &lateIntake{Store: storetest.NewMemory(t), unblock: make(chan struct{}), failForget: failForget}
			var runs atomic.Int32
			var errs sink
			newInstance := func(clock func() time.Time) *Webhook {
				w := newTestWebhook(t, WithInbox(in), WithDedupe(in), WithWindows(in), WithAckBudget(100*time.Millisecond),
					WithWebhookClock(clock), WithErrorHandler(errs.onError))
				w.OnEvent(func(context.Context, Event) error { runs.Add(1); return nil })
				return w
			}
			body := messageBody(t, "p", "a/m1/1")

			a := newInstance(time.Now)
			if code := postSigned(a, body); code != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want 503 while Admit hangs", code)
			}
			close(in.unblock)
			if err := a.Shutdown(ctx); err != nil { // waits for the late Admit and its undo
				t.Fatal(err)
			}

			// Meta delivers again, to an instance whose clock is past the first
			// entry's lease; it then replays what is due.
			b := newInstance(func() time.Time { return time.Now().Add(time.Hour) })
			if code := postSigned(b, body); code != http.StatusOK {
				t.Fatalf("redelivery: status %d, want 200", code)
			}
			if _, err := b.Replay(ctx); err != nil {
				t.Fatal(err)
			}
			if err := b.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			if got := runs.Load(); got != 1 {
				t.Errorf("the event ran %d times, want once", got)
			}
			if es, _ := in.Store.Entries(ctx, store.InboxPending); len(es) != 0 {
				t.Errorf("inbox holds %d entries at the end, want none", len(es))
			}
			_, reported := errs.snapshot()
			heard := slices.ContainsFunc(reported, func(err error) bool { return strings.Contains(err.Error(), "out of reach") })
			if heard != failForget {
				t.Errorf("errors reported: %v; want the failed Forget among them only when it fails", reported)
			}
		})
	}
}

// boundInbox is a memory store that says whether it keeps its deadlines, and
// records whether its Admit ran on the goroutine serving the request; with wait
// set, Admit waits for its context to end.
type boundInbox struct {
	*memstore.Store
	bound  bool
	wait   bool
	inline chan bool
}

func (b *boundInbox) DeadlineBound() bool { return b.bound }

func (b *boundInbox) Admit(ctx context.Context, d store.Delivery) (store.Admitted, error) {
	stack := make([]byte, 64<<10)
	stack = stack[:runtime.Stack(stack, false)]
	b.inline <- bytes.Contains(stack, []byte("(*Webhook).ServeHTTP"))
	if b.wait {
		<-ctx.Done()
		return store.Admitted{}, ctx.Err()
	}
	return b.Store.Admit(ctx, d)
}

// An inbox that keeps its deadlines is called on the request's own goroutine (no
// goroutine of its own per delivery); any other on a goroutine the POST can
// abandon. Either way a call cut at the ack budget is a 503 within it.
func TestWebhookCallsDeadlineBoundInboxInline(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		bound, wait bool
		wantCode    int
	}{
		{"bound", true, false, http.StatusOK},
		{"not bound", false, false, http.StatusOK},
		{"bound, cut at the budget", true, true, http.StatusServiceUnavailable},
		{"not bound, cut at the budget", false, true, http.StatusServiceUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			budget := 100 * time.Millisecond
			in := &boundInbox{Store: storetest.NewMemory(t), bound: tc.bound, wait: tc.wait, inline: make(chan bool, 1)}
			w := newTestWebhook(t, WithInbox(in), WithDedupe(in), WithWindows(in), WithAckBudget(budget),
				WithErrorHandler(func(context.Context, Event, error) {}))
			w.OnEvent(func(context.Context, Event) error { return nil })
			start := time.Now()
			code := postSigned(w, messageBody(t, "p", "a/m1/1"))
			took := time.Since(start)
			if code != tc.wantCode {
				t.Errorf("status %d, want %d", code, tc.wantCode)
			}
			if inline := <-in.inline; inline != tc.bound {
				t.Errorf("Admit ran on the request's goroutine: %v, want %v", inline, tc.bound)
			}
			if took > budget+2*time.Second {
				t.Errorf("answered after %v, want within the ack budget (%v)", took, budget)
			}
		})
	}
}
