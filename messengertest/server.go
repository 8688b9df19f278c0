package messengertest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a fake Graph API for one Page, with simulated users. It is safe for
// concurrent use. Build one with NewServer in tests or Start elsewhere.
type Server struct {
	// URL is the server's base URL, "http://127.0.0.1:port", without a Graph version:
	// the Graph API is under URL + "/v25.0/" (or any other version, or none) and the
	// control API under URL + "/_fake/".
	URL string

	cfg  config
	ln   net.Listener
	http *http.Server
	tb   testing.TB

	mu      sync.Mutex // guards st and changed
	st      *state
	changed chan struct{} // closed and replaced whenever a send is recorded

	deliverMu sync.Mutex // serialises webhook deliveries so they arrive in order
	closed    chan struct{}
	closeOnce sync.Once
	closeErr  error
	conns     connTracker
	served    chan struct{} // closed when http.Server.Serve returned
}

// NewServer starts a fake Graph server and stops it when the test ends. It fails the
// test when an option is invalid or the server cannot listen.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := Start(opts...)
	if err != nil {
		tb.Fatalf("messengertest.NewServer: %v", err)
	}
	s.tb = tb
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// Start starts a fake Graph server outside a test (the command line's "messenger fake"
// uses it). Close stops it.
func Start(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("messengertest: nil Option")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.start.IsZero() {
		cfg.start = time.Now().UTC().Truncate(time.Millisecond)
	}
	cfg.appVersion = cmp.Or(cfg.appVersion, cfg.version, defaultGraphVersion)
	for _, v := range []struct{ option, version string }{{"WithAppGraphVersion", cfg.appVersion}, {"WithGraphVersion", cfg.version}} {
		if _, ok := cfg.versions.find(v.version); v.version != "" && !ok {
			return nil, fmt.Errorf("messengertest: %s: %s is not a version of the schedule (WithGraphVersions adds one)", v.option, v.version)
		}
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("messengertest: listen on %s: %w", cfg.addr, err)
	}
	s := &Server{
		URL:     "http://" + ln.Addr().String(),
		cfg:     cfg,
		ln:      ln,
		st:      newState(cfg.start),
		changed: make(chan struct{}),
		closed:  make(chan struct{}),
		served:  make(chan struct{}),
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ConnState: s.conns.track}
	go func() {
		defer close(s.served)
		_ = s.http.Serve(ln)
	}()
	return s, nil
}

// closeGrace bounds how long Close waits for calls in flight (a latency fault, a
// slow webhook) before it drops their connections.
const closeGrace = 5 * time.Second

// Close stops the server promptly: it stops listening, drops connections that carry
// no call (idle keep-alive connections and ones dialed but never used, which
// http.Server.Shutdown alone would wait seconds for), lets calls in flight finish
// (dropping them after a grace period), fails waiters of WaitForSent and returns
// once the server's goroutines are done. Calling Close more than once is harmless.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.http.SetKeepAlivesEnabled(false)
		s.conns.closeQuiet()
		ctx, cancel := context.WithTimeout(context.Background(), closeGrace)
		defer cancel()
		s.closeErr = s.http.Shutdown(ctx)
		if errors.Is(s.closeErr, context.DeadlineExceeded) {
			s.closeErr = s.http.Close()
		}
		<-s.served
	})
	return s.closeErr
}

// Addr is the host:port the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// PageID is the id of the fake Page.
func (s *Server) PageID() string { return s.cfg.pageID }

// PageToken is the Page access token the server accepts.
func (s *Server) PageToken() string { return s.cfg.token }

// AppSecret is the app secret that signs the server's webhooks and checks
// appsecret_proof (required only with WithRequireProof).
func (s *Server) AppSecret() string { return s.cfg.appSecret }

// AppID is the id of the app the server's clients act as.
func (s *Server) AppID() string { return s.cfg.appID }

// GraphURL is the versioned base of the Graph API on this server, e.g.
// "http://127.0.0.1:4321/v25.0".
func (s *Server) GraphURL() string {
	return s.URL + "/" + cmp.Or(s.cfg.version, s.cfg.appVersion)
}

// defaultGraphVersion is the app's default version unless an option sets one.
const defaultGraphVersion = "v25.0"

// Now is the time on the fake clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.now
}

// Advance moves the fake clock forward by d (d may not be negative) and returns the
// new time. Windows, token lifetimes and private-reply deadlines follow the fake clock.
func (s *Server) Advance(d time.Duration) time.Time {
	if d < 0 {
		d = 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.now = s.st.now.Add(d)
	return s.st.now
}

// SetNow sets the fake clock to t, forward or back.
func (s *Server) SetNow(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.now = t
}

// ServeHTTP routes a request: the control API under /_fake/, the Graph API under
// /vNN.N/ and, as Graph serves them, under paths without a version. Every Graph
// answer carries a Facebook-API-Version header naming the version the call ran as.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	if strings.HasPrefix(path, "_fake/") || path == "_fake" {
		s.serveControl(w, r, strings.TrimPrefix(strings.TrimPrefix(path, "_fake"), "/"))
		return
	}
	asked, rest := "", path
	if v, after, _ := strings.Cut(path, "/"); graphVersion.MatchString(v) {
		asked, rest = v, after
	}
	trace := s.traceID()
	if s.cfg.version != "" && asked != "" && asked != s.cfg.version {
		s.writeError(w, errf(100, 0, "messengertest: this server serves Graph %s only; the call used %s", s.cfg.version, asked), trace)
		return
	}
	version, gerr := s.effectiveVersion(asked, s.Now())
	if gerr != nil {
		s.writeError(w, gerr, trace)
		return
	}
	w.Header().Set("Facebook-API-Version", version)
	s.serveGraph(w, r, &call{version: version, path: strings.Trim(rest, "/"), trace: trace})
	s.deliverEchoes(w)
}

// call is one Graph API call being served.
type call struct {
	version string
	path    string // after the version, without slashes at the ends
	trace   string
	params  *params
	inBatch bool
}
