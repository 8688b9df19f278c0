package reliability

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
)

// sign returns the X-Hub-Signature-256 value for body, computed here rather than
// with the SDK's SignPayload so the SDK is checked against an independent signer.
func sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// loadDelivery is one webhook POST of the load test.
type loadDelivery struct {
	body   []byte
	sig    string // "" : unsigned
	mids   []string
	valid  bool // signed with the right secret
	sender []string
}

// newLoadDelivery builds a delivery of k text messages with unique mids; the
// events of one sender in it have increasing timestamps.
func newLoadDelivery(id int, k int, rng *rand.Rand, prefix string) loadDelivery {
	d := loadDelivery{}
	entries := make([]string, k)
	base := int64(1767225600000) + int64(id)*10
	for j := range k {
		mid := fmt.Sprintf("m_%s_%d_%d", prefix, id, j)
		sender := fmt.Sprintf("69000000000%05d", rng.IntN(50))
		d.mids = append(d.mids, mid)
		d.sender = append(d.sender, sender)
		entries[j] = fmt.Sprintf(`{"id":%q,"time":%d,"messaging":[{"sender":{"id":%q},"recipient":{"id":%q},"timestamp":%d,"message":{"mid":%q,"text":"load %d/%d"}}]}`,
			secPageID, base+int64(j), sender, secPageID, base+int64(j), mid, id, j)
	}
	d.body = []byte(`{"object":"page","entry":[` + strings.Join(entries, ",") + `]}`)
	return d
}

// loadResult is the answer to one POST.
type loadResult struct {
	status  int
	latency time.Duration
}

func post(client *http.Client, url string, d loadDelivery) (loadResult, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(d.body))
	if err != nil {
		return loadResult{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if d.sig != "" {
		req.Header.Set("X-Hub-Signature-256", d.sig)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return loadResult{}, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return loadResult{status: resp.StatusCode, latency: time.Since(start)}, nil
}

// handled records what the webhook's handler saw.
type handled struct {
	mu    sync.Mutex
	count map[string]int // mid → times dispatched
	order map[string]int // mid → dispatch sequence number (the first one)
	seq   int
}

func newHandled() *handled { return &handled{count: map[string]int{}, order: map[string]int{}} }

func (h *handled) add(mid string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.count[mid]++
	if _, ok := h.order[mid]; !ok {
		h.order[mid] = h.seq
		h.seq++
	}
}

func (h *handled) total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.count {
		n += c
	}
	return n
}

// TestWebhookLoad posts -load.n deliveries (3,000 by default) from 32 concurrent
// clients over loopback into one Webhook: valid ones of 1 to 3 events, exact
// redeliveries of earlier valid ones, forged signatures and unsigned bodies.
// Deliveries answered 503 are posted again, as Meta would. Then: every valid
// event was handled exactly once, in timestamp order within a delivery for each
// sender; no event of a forged or unsigned body was handled; forgeries got 403
// and unsigned bodies 401; the 99th percentile acknowledgement stays well inside
// Meta's 5 s; and the webhook shuts down without leaving a goroutine behind.
func TestWebhookLoad(t *testing.T) {
	n := *loadN
	if testing.Short() {
		n = min(n, 500)
	}
	goroutinesBefore := runtime.NumGoroutine()
	sink := newSecretSink(t, allSecrets()...)
	seen := newHandled()
	wh, err := messenger.NewWebhook(secAppSecret, secVerifyTok,
		messenger.WithConcurrency(8), messenger.WithQueueLimit(512),
		messenger.WithWebhookLogger(sink.logger()))
	if err != nil {
		t.Fatal(err)
	}
	wh.OnEvent(func(_ context.Context, ev messenger.Event) error {
		if m, ok := ev.(*messenger.MessageEvent); ok {
			seen.add(m.Message.MID)
		}
		return nil
	})
	srv := httptest.NewServer(wh)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	client := &http.Client{Transport: tr}

	// The plan: which delivery each POST is, decided up front so runs repeat.
	rng := rand.New(rand.NewPCG(11, 12))
	var plan []loadDelivery
	var valid []loadDelivery
	for i := range n {
		switch r := rng.Float64(); {
		case r < 0.15 && len(valid) > 0: // redelivery of an earlier valid body
			plan = append(plan, valid[rng.IntN(len(valid))])
		case r < 0.25:
			d := newLoadDelivery(i, 1+rng.IntN(3), rng, "forged")
			d.sig = sign(d.body, "not-the-app-secret")
			plan = append(plan, d)
		case r < 0.30:
			d := newLoadDelivery(i, 1+rng.IntN(3), rng, "unsigned")
			plan = append(plan, d)
		default:
			d := newLoadDelivery(i, 1+rng.IntN(3), rng, "valid")
			d.sig, d.valid = sign(d.body, secAppSecret), true
			plan = append(plan, d)
			valid = append(valid, d)
		}
	}

	results := make([]loadResult, len(plan))
	var retries atomic.Int64
	var wg sync.WaitGroup
	next := make(chan int)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				for attempt := 0; ; attempt++ {
					res, err := post(client, srv.URL, plan[i])
					if err != nil {
						t.Errorf("delivery %d: %v", i, err)
						break
					}
					results[i] = res
					if res.status != http.StatusServiceUnavailable || attempt == 20 {
						break
					}
					retries.Add(1)
				}
			}
		}()
	}
	start := time.Now()
	for i := range plan {
		next <- i
	}
	close(next)
	wg.Wait()
	posted := time.Since(start)
	if err := wh.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Answers.
	var latencies []time.Duration
	for i, d := range plan {
		r := results[i]
		latencies = append(latencies, r.latency)
		want := http.StatusOK
		switch {
		case d.sig == "":
			want = http.StatusUnauthorized
		case !d.valid:
			want = http.StatusForbidden
		}
		if r.status != want {
			t.Errorf("delivery %d (%s): status %d, want %d", i, d.mids[0], r.status, want)
		}
	}
	slices.Sort(latencies)
	p99 := latencies[len(latencies)*99/100]
	t.Logf("%d deliveries in %v (%d re-posted after 503); ack latency p50 %v, p99 %v, max %v",
		len(plan), posted.Round(time.Millisecond), retries.Load(), latencies[len(latencies)/2], p99, latencies[len(latencies)-1])
	if p99 > time.Second {
		t.Errorf("p99 acknowledgement %v: want well inside Meta's 5 s (under 1 s)", p99)
	}

	// Dispatch: exactly once for valid events, never for the others.
	validEvents := 0
	for _, d := range valid {
		for j, mid := range d.mids {
			validEvents++
			if c := seen.count[mid]; c != 1 {
				t.Errorf("valid event %s handled %d times, want 1", mid, c)
			}
			// Within a delivery, one sender's events run in timestamp order.
			for k := range j {
				if d.sender[k] == d.sender[j] && seen.order[d.mids[k]] > seen.order[mid] {
					t.Errorf("events %s and %s of sender %s handled out of order", d.mids[k], mid, d.sender[j])
				}
			}
		}
	}
	for mid, c := range seen.count {
		if !strings.HasPrefix(mid, "m_valid_") {
			t.Errorf("event %s of a forged or unsigned body was handled %d times", mid, c)
		}
	}
	if got := seen.total(); got != validEvents {
		t.Errorf("handled %d events, want the %d valid ones", got, validEvents)
	}

	shutdown(t, wh, srv, tr)
	checkNoGoroutineLeak(t, goroutinesBefore, 2)
}

// TestWebhookQueueBound blocks every handler, posts until the webhook refuses,
// and checks that the events it accepted never exceed its queue limit, that the
// refusals (503, so Meta retries) come within the ack budget, and that once the
// handlers run again every accepted event is handled exactly once.
func TestWebhookQueueBound(t *testing.T) {
	const limit = 40
	goroutinesBefore := runtime.NumGoroutine()
	gate := make(chan struct{})
	seen := newHandled()
	var running, maxRunning atomic.Int64
	wh, err := messenger.NewWebhook(secAppSecret, secVerifyTok,
		messenger.WithConcurrency(4), messenger.WithQueueLimit(limit), messenger.WithAckBudget(200*time.Millisecond),
		messenger.WithWebhookLogger(newSecretSink(t, allSecrets()...).logger()))
	if err != nil {
		t.Fatal(err)
	}
	wh.OnEvent(func(_ context.Context, ev messenger.Event) error {
		r := running.Add(1)
		for {
			m := maxRunning.Load()
			if r <= m || maxRunning.CompareAndSwap(m, r) {
				break
			}
		}
		<-gate
		running.Add(-1)
		if m, ok := ev.(*messenger.MessageEvent); ok {
			seen.add(m.Message.MID)
		}
		return nil
	})
	srv := httptest.NewServer(wh)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	client := &http.Client{Transport: tr}

	rng := rand.New(rand.NewPCG(21, 22))
	accepted, refused := 0, 0
	var acceptedMids []string
	var slowest time.Duration
	for i := 0; refused < 5 && i < 10*limit; i++ {
		d := newLoadDelivery(i, 1+rng.IntN(3), rng, "valid")
		d.sig = sign(d.body, secAppSecret)
		res, err := post(client, srv.URL, d)
		if err != nil {
			t.Fatal(err)
		}
		slowest = max(slowest, res.latency)
		switch res.status {
		case http.StatusOK:
			accepted += len(d.mids)
			acceptedMids = append(acceptedMids, d.mids...)
		case http.StatusServiceUnavailable:
			refused++
		default:
			t.Fatalf("delivery %d: status %d", i, res.status)
		}
	}
	if refused == 0 {
		t.Fatalf("accepted %d events with every handler blocked and a queue limit of %d", accepted, limit)
	}
	if accepted > limit {
		t.Errorf("accepted %d events with every handler blocked: over the queue limit of %d", accepted, limit)
	}
	if slowest > 2*time.Second {
		t.Errorf("slowest answer %v: a full queue must be answered within the ack budget (200ms)", slowest)
	}
	if m := maxRunning.Load(); m > 4 {
		t.Errorf("%d handlers ran at once, concurrency is 4", m)
	}
	close(gate)
	if err := wh.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, mid := range acceptedMids {
		if c := seen.count[mid]; c != 1 {
			t.Errorf("accepted event %s handled %d times, want 1", mid, c)
		}
	}
	t.Logf("queue limit %d: accepted %d events before refusing; slowest answer %v", limit, accepted, slowest)
	shutdown(t, wh, srv, tr)
	checkNoGoroutineLeak(t, goroutinesBefore, 2)
}

func shutdown(t *testing.T, wh *messenger.Webhook, srv *httptest.Server, tr *http.Transport) {
	t.Helper()
	tr.CloseIdleConnections()
	srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := wh.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}
