package reliability

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
)

// Many clients that claim a 4 MiB body under a forged signature and then send almost
// nothing: before the signature is checked they may cost only what they sent, every
// connection is closed within the ack budget (+2 s), and Meta's real deliveries are
// answered 200 throughout. The webhook runs with default options behind a plain
// http.Server, as the README sets it up.
func TestWebhookSlowUnsignedBodiesAreCheap(t *testing.T) {
	conns := envInt("MESSENGER_SLOWBODY_CONNS", 1000)
	wh, handled, _ := countingWebhook(t)
	var entered atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered.Add(1)
		wh.ServeHTTP(w, r)
	}))
	srv.Start()
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()

	base := heapAlloc()
	forged := "sha256=" + strings.Repeat("0f", 32)
	var wg sync.WaitGroup
	closedAfter := make([]time.Duration, conns)
	dialErrs := make(chan error, conns)
	for i := range conns {
		opened := time.Now()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		fmt.Fprintf(c, "POST /webhook HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s: %s\r\n\r\n{\"object\":",
			messenger.DefaultMaxBodyBytes, messenger.SignatureHeader, forged)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			// A guard against a server that never closes: the test fails below.
			_ = c.SetReadDeadline(time.Now().Add(messenger.DefaultAckBudget + 10*time.Second))
			r := bufio.NewReader(c)
			if resp, err := http.ReadResponse(r, nil); err == nil {
				resp.Body.Close()
			}
			// Then wait for the server to close the connection.
			var b [1]byte
			for {
				if _, err := r.Read(b[:]); err != nil {
					if ne, ok := err.(net.Error); ok && ne.Timeout() {
						dialErrs <- fmt.Errorf("connection %d still open after %v", i, time.Since(opened))
					}
					break
				}
			}
			closedAfter[i] = time.Since(opened)
		}()
	}
	if !waitUntil(30*time.Second, func() bool { return entered.Load() >= int64(conns) }) {
		t.Fatalf("only %d of %d requests reached the handler", entered.Load(), conns)
	}
	grown := int64(heapAlloc()) - int64(base)
	t.Logf("%d slow forged requests in flight: live heap grew by %.1f MiB", conns, float64(grown)/(1<<20))
	if grown > 64<<20 {
		t.Errorf("live heap grew by %d bytes with %d slow forged requests in flight; want < 64 MiB", grown, conns)
	}

	// Real deliveries still get through while the attack holds its connections.
	client := srv.Client()
	for i := range 20 {
		body := fmt.Appendf(nil, `{"object":"page","entry":[{"id":"p","time":1,"messaging":[{"sender":{"id":"u%d"},"recipient":{"id":"p"},"timestamp":%d,"message":{"mid":"real-%d","text":"hi"}}]}]}`, i, 1000+i, i)
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/webhook", strings.NewReader(string(body)))
		req.Header.Set(messenger.SignatureHeader, messenger.SignPayload(body, secAppSecret))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("real delivery %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("real delivery %d during the attack: status %d", i, resp.StatusCode)
		}
	}

	wg.Wait()
	close(dialErrs)
	for err := range dialErrs {
		t.Error(err)
	}
	var slowest time.Duration
	for _, d := range closedAfter {
		slowest = max(slowest, d)
	}
	t.Logf("slowest forged connection closed %v after it opened (ack budget %v)", slowest, messenger.DefaultAckBudget)
	if limit := messenger.DefaultAckBudget + 2*time.Second; slowest > limit {
		t.Errorf("slowest forged connection closed after %v, want within %v", slowest, limit)
	}
	if err := wh.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := handled.Load(); n != 20 {
		t.Errorf("handled %d events, want the 20 real ones", n)
	}
}
