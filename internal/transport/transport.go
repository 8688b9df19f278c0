// Package transport carries Graph API calls for the messenger client: rate limiting,
// the retry decision, backoff honouring Graph's hints, and usage headers. It wraps
// go-retryablehttp, replacing its logger and its retry decision with this package's.
// Nothing outside the module imports it.
package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// MaxErrorBody caps how much of an error response is read.
const MaxErrorBody = 1 << 20

// Policy is when and how long to retry.
type Policy struct {
	// MaxAttempts counts the first try; 1 disables retries.
	MaxAttempts int
	// MinWait and MaxWait bound the exponential backoff. A hint from Graph
	// (Retry-After, estimated_time_to_regain_access) longer than MaxWait ends the
	// retries at once: the caller learns how long to wait instead of blocking.
	MinWait, MaxWait time.Duration
	// RetryAmbiguous allows retrying non-idempotent calls whose outcome is unknown
	// (a connection lost after the request went out, Graph's 1/1357046, temporary
	// failures), accepting that a message may be delivered twice.
	RetryAmbiguous bool
	// RetryTransient allows retrying non-idempotent calls that Graph answered with
	// a temporary failure (Transient), accepting that Graph may have acted on the
	// first attempt.
	RetryTransient bool
	// AttemptTimeout bounds one attempt, from the moment the limiter lets it go
	// until its answer has been read (or its error body buffered); 0: no bound.
	AttemptTimeout time.Duration
}

// Call is one logical Graph call, retried as a whole.
type Call struct {
	Method string
	URL    string
	// Body returns a fresh reader for each attempt; nil for no body.
	Body func() (io.Reader, error)
	// BodyBytes is a body held in memory, replayed for each attempt; it is used
	// when Body is nil (cheaper: no reader is made just to learn the length).
	BodyBytes []byte
	// OneShot marks a body that cannot be produced twice (a stream): the call is
	// never retried, since a second attempt would reach the server without it.
	OneShot     bool
	ContentType string
	// Limiter, when set, is waited on before every attempt with the call's context.
	Limiter interface{ Wait(context.Context) error }
	// Idempotent calls (GET, DELETE and settings writes) may be retried after an
	// ambiguous failure.
	Idempotent bool
	// LogPath is the call's path with secrets removed, for log lines.
	LogPath string
	// Scrub removes secrets from text before it is logged.
	Scrub func(string) string
}

// Config sets up a Transport.
type Config struct {
	HTTPClient *http.Client // used as is; the caller copies it first
	Policy     Policy
	Logger     *slog.Logger // nil: no logging
	// OnResponse is called with every response's headers (usage hints).
	OnResponse func(http.Header)
}

// Transport performs calls with retries. It is safe for concurrent use.
type Transport struct {
	rc     *retryablehttp.Client
	policy Policy
	log    *slog.Logger
	onResp func(http.Header)
}

type callKey struct{}

// New builds a Transport.
func New(cfg Config) *Transport {
	t := &Transport{policy: cfg.Policy, log: cfg.Logger, onResp: cfg.OnResponse}
	hc := *cfg.HTTPClient
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = limitedRoundTripper{base: base, timeout: cfg.Policy.AttemptTimeout}
	rc := &retryablehttp.Client{
		HTTPClient:   &hc,
		Logger:       nil, // this package logs itself, with secrets removed
		RetryWaitMin: cfg.Policy.MinWait,
		RetryWaitMax: cfg.Policy.MaxWait,
		RetryMax:     max(cfg.Policy.MaxAttempts-1, 0),
		CheckRetry:   t.checkRetry,
		Backoff:      t.backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	t.rc = rc
	return t
}

// HTTPClient is the client calls go through (with the limiter in its transport).
func (t *Transport) HTTPClient() *http.Client { return t.rc.HTTPClient }

type callState struct {
	call     Call
	attempts int
	// maybeSent is set while the latest attempt may have reached the server
	// without a definite answer: handed to the network, then no response, or a
	// response that does not say whether the call took effect.
	maybeSent atomic.Bool
}

// Do performs c, retrying what is safe to retry. It returns the final response
// (whatever its status) or the transport error of the last attempt. On return
// the response body of an error status has been read into memory (capped).
func (t *Transport) Do(ctx context.Context, c *Call) (_ *http.Response, err error) {
	st := statePool.Get().(*callState)
	st.call, st.attempts = *c, 0
	st.maybeSent.Store(false)
	defer func() {
		st.call = Call{}
		statePool.Put(st)
	}()
	ctx = context.WithValue(ctx, callKey{}, st)
	defer func() {
		if err != nil {
			err = &Failure{Err: err, MaybeSent: st.maybeSent.Load()}
		}
	}()
	var body any
	switch {
	case c.Body != nil:
		body = retryablehttp.ReaderFunc(c.Body)
	case c.BodyBytes != nil:
		body = c.BodyBytes
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, c.Method, c.URL, body)
	if err != nil {
		return nil, err
	}
	if c.ContentType != "" {
		req.Header.Set("Content-Type", c.ContentType)
	}
	start := time.Now()
	resp, err := t.rc.Do(req)
	if t.log != nil && t.log.Enabled(ctx, slog.LevelDebug) {
		attrs := []slog.Attr{slog.String("method", c.Method), slog.String("path", c.LogPath),
			slog.Int("attempts", st.attempts), slog.Duration("elapsed", time.Since(start))}
		if resp != nil {
			attrs = append(attrs, slog.Int("status", resp.StatusCode))
		}
		if err != nil {
			msg := err.Error()
			var ue *url.Error
			if errors.As(err, &ue) {
				msg = ue.Err.Error() // its URL carries the token
			}
			if c.Scrub != nil {
				msg = c.Scrub(msg)
			}
			attrs = append(attrs, slog.String("error", msg))
		}
		t.log.LogAttrs(ctx, slog.LevelDebug, "graph call", attrs...)
	}
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return resp, err
}

// statePool recycles call states: a call's state is referenced only while Do runs.
var statePool = sync.Pool{New: func() any { return new(callState) }}

// Failure is a call that got no usable answer. MaybeSent reports whether the
// request may have reached the server (so a send may have been delivered); when
// false, nothing was sent: the limiter refused to wait, the connection could not
// be made, or the context ended before any attempt went out.
type Failure struct {
	Err       error
	MaybeSent bool
}

func (f *Failure) Error() string { return f.Err.Error() }
func (f *Failure) Unwrap() error { return f.Err }

// GraphCode is the part of Graph's error envelope the retry decision reads.
type GraphCode struct {
	Code        int  `json:"code"`
	Subcode     int  `json:"error_subcode"`
	IsTransient bool `json:"is_transient"`
}

// PeekError reads the code of a Graph error envelope; ok is false when body is not one.
func PeekError(body []byte) (g GraphCode, ok bool) {
	var env struct {
		Error *GraphCode `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil || env.Error == nil {
		return g, false
	}
	return *env.Error, true
}

// bufferErrorBody replaces resp.Body with an in-memory copy (capped) so it can be
// inspected here and decoded again by the caller.
func bufferErrorBody(resp *http.Response) []byte {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// checkRetry is the one place that decides whether an attempt is retried. It also
// notes whether the attempt may have taken effect, for the caller's error.
func (t *Transport) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st, _ := ctx.Value(callKey{}).(*callState)
	if st == nil { // not our call: never retry
		return false, nil
	}
	st.attempts++
	var class Class
	switch {
	case err != nil:
		var le *LimitError
		switch {
		case errors.Is(err, errNotReplayable) || errors.As(err, &le):
			return false, err
		case notSent(err):
			st.maybeSent.Store(false)
			class = Refused // nothing reached Graph: as safe to repeat as a refusal
		default:
			class = Ambiguous // the request may have reached Graph
		}
	default:
		if t.onResp != nil {
			t.onResp(resp.Header)
		}
		st.maybeSent.Store(false)
		if resp.StatusCode < 400 {
			return false, nil
		}
		g, _ := PeekError(bufferErrorBody(resp))
		class = Classify(resp.StatusCode, g.Code, g.Subcode, g.IsTransient)
		if MayHaveRun(class, st.call.Idempotent) {
			st.maybeSent.Store(true)
		}
		if (class == Refused || class == Transient) && Hint(resp) > t.policy.MaxWait {
			return false, nil // the caller learns the hint from the error instead
		}
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if st.call.OneShot {
		return false, nil // a second attempt would reach Graph without its body
	}
	return t.policy.Retry(class, st.call.Idempotent), nil
}

// Hint is how long Graph asked the client to wait: Retry-After or the
// X-Business-Use-Case-Usage estimate, whichever is longer.
func Hint(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	var d time.Duration
	if v := resp.Header.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s > 0 {
			d = time.Duration(s) * time.Second
		} else if at, err := http.ParseTime(v); err == nil {
			d = time.Until(at)
		}
	}
	if resp.Header.Get("X-Business-Use-Case-Usage") != "" {
		d = max(d, ParseUsage(resp.Header).RegainAccessIn())
	}
	return max(d, 0)
}

// backoff waits exponentially with jitter, or as long as Graph asked.
func (t *Transport) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if h := Hint(resp); h > 0 {
		return h
	}
	d := minWait << min(attempt, 30)
	if d <= 0 || d > maxWait {
		d = maxWait
	}
	// Equal jitter: half fixed, half random, so a fleet of clients spreads out.
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

var errNotReplayable = errors.New("request body cannot be sent twice")

// ErrNotReplayable is returned by a Call.Body that cannot produce its body again.
func ErrNotReplayable() error { return errNotReplayable }

// notSent reports whether err proves the request never reached the server.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// limitedRoundTripper waits on the call's rate limiter before every attempt, then
// bounds the attempt by the attempt timeout.
type limitedRoundTripper struct {
	base    http.RoundTripper
	timeout time.Duration
}

func (l limitedRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	st, _ := req.Context().Value(callKey{}).(*callState)
	if st != nil && st.call.Limiter != nil {
		if err := st.call.Limiter.Wait(req.Context()); err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, &LimitError{Err: err}
		}
	}
	if err := req.Context().Err(); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err // nothing sent
	}
	if st != nil {
		st.maybeSent.Store(true) // until an answer or a dial error says otherwise
	}
	if l.timeout <= 0 {
		return l.base.RoundTrip(req)
	}
	// The timer starts after the limiter: waiting for a turn is bounded by the
	// caller's context, not by the attempt timeout.
	ctx, cancel := context.WithTimeoutCause(req.Context(), l.timeout, errAttemptTimeout)
	resp, err := l.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, l.timeoutError(ctx, err)
	}
	// The timer runs on while the caller reads the answer; closing it stops the timer.
	resp.Body = &timedBody{rc: resp.Body, ctx: ctx, cancel: cancel, l: l}
	return resp, nil
}

// errAttemptTimeout is the cause of an attempt's context when its timer fired.
var errAttemptTimeout = errors.New("attempt timeout")

// timeoutError turns err into an *AttemptTimeoutError when the attempt's own
// timer, not the caller's context, ended it.
func (l limitedRoundTripper) timeoutError(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), errAttemptTimeout) {
		return &AttemptTimeoutError{After: l.timeout, Err: err}
	}
	return err
}

// timedBody is a response body read under its attempt's timer.
type timedBody struct {
	rc     io.ReadCloser
	ctx    context.Context
	cancel context.CancelFunc
	l      limitedRoundTripper
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		err = b.l.timeoutError(b.ctx, err)
	}
	return n, err
}

func (b *timedBody) Close() error {
	err := b.rc.Close()
	b.cancel()
	return err
}

// AttemptTimeoutError is an attempt that got no complete answer within the attempt
// timeout. The request may have reached the server. It matches
// context.DeadlineExceeded with errors.Is, and reports Timeout() like a net.Error.
type AttemptTimeoutError struct {
	After time.Duration
	Err   error // what the transport reported when the timer fired
}

func (e *AttemptTimeoutError) Error() string {
	return "no complete answer within the attempt timeout of " + e.After.String()
}

// Timeout reports true, as net.Error does for timeouts.
func (e *AttemptTimeoutError) Timeout() bool { return true }

// Unwrap gives the transport's own error and context.DeadlineExceeded.
func (e *AttemptTimeoutError) Unwrap() []error { return []error{e.Err, context.DeadlineExceeded} }

// LimitError is returned when waiting on the rate limiter failed (the context ended,
// or its deadline comes before the limiter would allow the call). Nothing was sent.
type LimitError struct{ Err error }

func (e *LimitError) Error() string { return "rate limiter: " + e.Err.Error() }
func (e *LimitError) Unwrap() error { return e.Err }
