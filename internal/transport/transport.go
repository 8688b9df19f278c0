// Package transport carries Graph API calls for the messenger client: rate limiting,
// the retry decision, backoff honouring Graph's hints, the attempt timeout, and
// usage headers. Nothing outside the module imports it.
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
	"time"
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
	// URL holds the scheme and host (and anything else but path and query) of
	// the address; it is only read. Path, RawPath and RawQuery complete it, as
	// in url.URL.
	URL      *url.URL
	Path     string
	RawPath  string
	RawQuery string
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
	// Scrub removes secrets from text before it is logged; nil when there are
	// none to remove.
	Scrub interface{ Replace(string) string }
}

// Config sets up a Transport.
type Config struct {
	HTTPClient *http.Client // copied; the copy is used as is
	Policy     Policy
	Logger     *slog.Logger // nil: no logging
	// OnResponse is called with every response's headers (usage hints).
	OnResponse func(http.Header)
}

// Transport performs calls with retries. It is safe for concurrent use.
type Transport struct {
	hc     *http.Client
	policy Policy
	log    *slog.Logger
	onResp func(http.Header)
}

// New builds a Transport.
func New(cfg Config) *Transport {
	hc := *cfg.HTTPClient
	return &Transport{hc: &hc, policy: cfg.Policy, log: cfg.Logger, onResp: cfg.OnResponse}
}

// HTTPClient is the client calls go through.
func (t *Transport) HTTPClient() *http.Client { return t.hc }

// callState is what the attempts of one call learn as they go.
type callState struct {
	attempts int
	// maybeSent is set while the latest attempt may have reached the server
	// without a definite answer: handed to the network, then no response, or a
	// response that does not say whether the call took effect.
	maybeSent bool
}

// Do performs c, retrying what is safe to retry. It returns the final response
// (whatever its status) or the transport error of the last attempt, as a
// *Failure. On return the response body of an error status has been read into
// memory (capped). c is not kept after Do returns.
func (t *Transport) Do(ctx context.Context, c *Call) (*http.Response, error) {
	var st callState
	var start time.Time
	if t.log != nil {
		start = time.Now()
	}
	resp, err := t.retry(ctx, c, &st)
	if t.log != nil && t.log.Enabled(ctx, slog.LevelDebug) {
		t.logCall(ctx, c, &st, time.Since(start), resp, err)
	}
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, &Failure{Err: err, MaybeSent: st.maybeSent}
	}
	return resp, nil
}

// retry runs the attempts of c until one may not be repeated, the policy's
// attempts are spent, or ctx ends.
func (t *Transport) retry(ctx context.Context, c *Call, st *callState) (*http.Response, error) {
	for i := 0; ; i++ {
		if c.Limiter != nil {
			if err := c.Limiter.Wait(ctx); err != nil {
				return nil, &LimitError{Err: err}
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err // nothing sent
		}
		st.maybeSent = true // until an answer or a dial error says otherwise
		resp, err := t.attempt(ctx, c)
		again, stop := t.checkRetry(ctx, c, st, resp, err)
		if stop != nil {
			err = stop
		}
		if !again || i+1 >= t.policy.MaxAttempts {
			return resp, err
		}
		if resp != nil {
			drain(resp.Body)
		}
		if err := sleep(ctx, t.backoff(i, resp)); err != nil {
			return nil, err
		}
	}
}

// attempt sends c once, bounded by the attempt timeout.
func (t *Transport) attempt(ctx context.Context, c *Call) (*http.Response, error) {
	d := t.policy.AttemptTimeout
	if d <= 0 {
		return t.send(ctx, c)
	}
	if dl, ok := ctx.Deadline(); ok && !dl.After(time.Now().Add(d)) {
		// The caller's deadline comes first: it ends the attempt exactly as an
		// attempt context would (with the caller's error), at no cost.
		return t.send(ctx, c)
	}
	// The timer starts after the limiter: waiting for a turn is bounded by the
	// caller's context, not by the attempt timeout.
	actx, cancel := context.WithTimeoutCause(ctx, d, errAttemptTimeout)
	resp, err := t.send(actx, c)
	if err != nil {
		cancel()
		return nil, timeoutError(actx, d, err)
	}
	// The timer runs on while the caller reads the answer; closing it stops the timer.
	resp.Body = &timedBody{rc: resp.Body, ctx: actx, cancel: cancel, after: d}
	return resp, nil
}

// send makes the request of one attempt and hands it to the HTTP client.
func (t *Transport) send(ctx context.Context, c *Call) (*http.Response, error) {
	// An empty address parses without work; the URL it allocates is then filled
	// in from c, which spares parsing the whole address (with its long token)
	// on every attempt.
	req, err := http.NewRequestWithContext(ctx, c.Method, "", nil)
	if err != nil {
		return nil, err
	}
	*req.URL = *c.URL
	req.URL.Path, req.URL.RawPath, req.URL.RawQuery = c.Path, c.RawPath, c.RawQuery
	req.Host = c.URL.Host
	switch {
	case c.Body != nil:
		body := c.Body
		r, err := body()
		if err != nil {
			return nil, err
		}
		req.Body = readCloser(r)
		if lr, ok := r.(interface{ Len() int }); ok {
			req.ContentLength = int64(lr.Len())
		}
		req.GetBody = func() (io.ReadCloser, error) {
			r, err := body()
			if err != nil {
				return nil, err
			}
			return readCloser(r), nil
		}
	case c.BodyBytes != nil:
		b := c.BodyBytes
		// A *bytes.Reader under io.NopCloser is what net/http knows to be in
		// memory: it writes such a body with the header, in one write.
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	switch c.ContentType {
	case "":
	case jsonType[0]:
		req.Header["Content-Type"] = jsonType[:1:1]
	default:
		req.Header["Content-Type"] = []string{c.ContentType}
	}
	return t.hc.Do(req)
}

// jsonType is the Content-Type value of JSON bodies, shared by every request:
// nothing writes into a header value slice in place, and the capacity of one
// makes an append copy it.
var jsonType = []string{"application/json"}

func readCloser(r io.Reader) io.ReadCloser {
	if rc, ok := r.(io.ReadCloser); ok {
		return rc
	}
	return io.NopCloser(r)
}

// drain reads what is left of a body so that its connection can be reused.
func drain(rc io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, MaxErrorBody))
	_ = rc.Close()
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

func (t *Transport) logCall(ctx context.Context, c *Call, st *callState, elapsed time.Duration, resp *http.Response, err error) {
	attrs := []slog.Attr{slog.String("method", c.Method), slog.String("path", c.LogPath),
		slog.Int("attempts", st.attempts), slog.Duration("elapsed", elapsed)}
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
			msg = c.Scrub.Replace(msg)
		}
		attrs = append(attrs, slog.String("error", msg))
	}
	t.log.LogAttrs(ctx, slog.LevelDebug, "graph call", attrs...)
}

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
// notes whether the attempt may have taken effect, for the caller's error. A
// non-nil error ends the call with that error.
func (t *Transport) checkRetry(ctx context.Context, c *Call, st *callState, resp *http.Response, err error) (bool, error) {
	st.attempts++
	var class Class
	switch {
	case err != nil:
		switch {
		case errors.Is(err, errNotReplayable):
			return false, err
		case notSent(err):
			st.maybeSent = false
			class = Refused // nothing reached Graph: as safe to repeat as a refusal
		default:
			class = Ambiguous // the request may have reached Graph
		}
	default:
		if t.onResp != nil {
			t.onResp(resp.Header)
		}
		st.maybeSent = false
		if resp.StatusCode < 400 {
			return false, nil
		}
		g, _ := PeekError(bufferErrorBody(resp))
		class = Classify(resp.StatusCode, g.Code, g.Subcode, g.IsTransient)
		if MayHaveRun(class, c.Idempotent) {
			st.maybeSent = true
		}
		if (class == Refused || class == Transient) && Hint(resp) > t.policy.MaxWait {
			return false, nil // the caller learns the hint from the error instead
		}
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if c.OneShot {
		return false, nil // a second attempt would reach Graph without its body
	}
	return t.policy.Retry(class, c.Idempotent), nil
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

// backoff is the wait before the attempt after attempt i (0 for the first):
// exponential with jitter, or as long as Graph asked.
func (t *Transport) backoff(i int, resp *http.Response) time.Duration {
	if h := Hint(resp); h > 0 {
		return h
	}
	maxWait := t.policy.MaxWait
	d := t.policy.MinWait << min(i, 30)
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

// errAttemptTimeout is the cause of an attempt's context when its timer fired.
var errAttemptTimeout = errors.New("attempt timeout")

// timeoutError turns err into an *AttemptTimeoutError when the attempt's own
// timer, not the caller's context, ended it. An error of the HTTP client keeps
// its *url.Error shape, with the timeout inside.
func timeoutError(actx context.Context, after time.Duration, err error) error {
	if !errors.Is(context.Cause(actx), errAttemptTimeout) {
		return err
	}
	if ue, ok := err.(*url.Error); ok {
		ue.Err = &AttemptTimeoutError{After: after, Err: ue.Err}
		return ue
	}
	return &AttemptTimeoutError{After: after, Err: err}
}

// timedBody is a response body read under its attempt's timer.
type timedBody struct {
	rc     io.ReadCloser
	ctx    context.Context
	cancel context.CancelFunc
	after  time.Duration
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		err = timeoutError(b.ctx, b.after, err)
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
