package bench

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// Webhook handlers are driven in process: the same *http.Request (its body reset
// to the payload) and a ResponseWriter that keeps nothing, so the figures are the
// library's work and not loopback noise. What this driving costs by itself is
// measured with an empty handler (lib=plumbing) and subtracted in BENCHMARKS.md.

// body is a request body that can be rewound without allocating.
type body struct{ bytes.Reader }

func (*body) Close() error { return nil }

// discardWriter is an http.ResponseWriter that records the status and drops the rest.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(p), nil
}
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

// driver delivers one payload to a handler per call.
type driver struct {
	req  *http.Request
	body *body
	w    discardWriter
	raw  []byte
}

func newDriver(d delivery) *driver {
	dr := &driver{body: &body{}, w: discardWriter{h: http.Header{}}}
	dr.req = httptest.NewRequest(http.MethodPost, "/webhook", nil)
	dr.req.Header.Set("Content-Type", "application/json")
	dr.req.Header.Set("X-Hub-Signature", "")
	dr.req.Header.Set("X-Hub-Signature-256", "")
	dr.load(d)
	return dr
}

// load makes d the payload of the next serve. It writes the signatures into the
// header values already there, so it allocates nothing.
func (d *driver) load(dl delivery) {
	d.raw = dl.body
	d.req.Header["X-Hub-Signature"][0] = dl.sha1
	d.req.Header["X-Hub-Signature-256"][0] = dl.sha256
}

// serve delivers the payload once and returns the status the handler answered.
func (d *driver) serve(h http.Handler) int {
	d.body.Reset(d.raw)
	d.req.Body = d.body
	d.req.ContentLength = int64(len(d.raw))
	clear(d.w.h)
	d.w.status = 0
	h.ServeHTTP(&d.w, d.req)
	if d.w.status == 0 {
		return http.StatusOK
	}
	return d.w.status
}

// waitFor spins until cond holds: libraries that dispatch on goroutines of their
// own finish their work after ServeHTTP returns, and that work belongs in their
// time. It gives up after a minute so that a library that loses events fails
// instead of hanging.
func waitFor(tb testing.TB, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatal("condition not met within a minute")
		}
		runtime.Gosched()
	}
}

// sendServer is the loopback Graph server every sender posts to. It reads the
// whole body, answers the same JSON to everyone and counts the TCP connections
// it accepted, so connection reuse can be reported (conns/op).
type sendServer struct {
	*httptest.Server
	conns    atomic.Int64
	requests atomic.Int64
	last     atomic.Pointer[[]byte] // the last body, when recording
	record   bool
}

func newSendServer(tb testing.TB, record bool) *sendServer {
	s := &sendServer{record: record}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.record {
			b, _ := io.ReadAll(r.Body)
			s.last.Store(&b)
		} else {
			_, _ = io.Copy(io.Discard, r.Body)
		}
		s.requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, sendAnswer)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	tb.Cleanup(s.Close)
	return s
}

// redirect sends every request to the loopback server, for libraries whose Graph
// address is a constant. It rewrites the request in place (two field writes, no
// allocation) instead of cloning it, so the detour costs the library nothing
// measurable; the library never reuses its requests, which makes that safe here.
type redirect struct {
	host  string
	inner http.RoundTripper
}

func (r *redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req.URL.Scheme, req.URL.Host = "http", r.host
	return r.inner.RoundTrip(req)
}

// withDefaultTransport swaps http.DefaultTransport for the duration of a
// benchmark: the peers that build their own http.Client (or use
// http.DefaultClient) go through it. A fresh clone each time so that no
// connection pool is shared between benchmarks.
func withDefaultTransport(tb testing.TB, rt func(base *http.Transport) http.RoundTripper) {
	old := http.DefaultTransport
	base := old.(*http.Transport).Clone()
	http.DefaultTransport = rt(base)
	tb.Cleanup(func() {
		base.CloseIdleConnections()
		http.DefaultTransport = old
	})
}

// pooledTransport is the transport a careful caller builds for many concurrent
// sends to one host: net/http's default keeps only two idle connections per host.
func pooledTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	return t
}

// sendersPerProc makes RunParallel run 64 goroutines in all.
func sendersPerProc() int {
	p := runtime.GOMAXPROCS(0)
	return (64 + p - 1) / p
}

var bg = context.Background()
