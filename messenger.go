package messenger

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomessenger/messenger/internal/transport"
)

// Client calls the Graph API on behalf of one Page. It is safe for concurrent use;
// build one per Page (or one, plus ForPage for the others) and share it.
type Client struct {
	token string
	proof string // appsecret_proof for token; "" without an app secret
	// credentials is the query that authenticates every call, built once:
	// access_token and, with an app secret, appsecret_proof.
	credentials string
	pageID      string
	cfg         *config
	tr          *transport.Transport
	limiter     Limiter
	shared      *sharedState
	base        *url.URL // the parsed base URL: scheme and host of every call
	basePath    string   // base path + "/" + version + "/"
	// sendPath is PagePath("messages"), the path of every send, and sendURLPath
	// the same after basePath: built once, not on every send.
	sendPath, sendURLPath string
	secretsRe             *strings.Replacer
}

// sharedState is what every Client made by ForPage from one New shares.
type sharedState struct {
	mu       sync.Mutex
	limiters map[string]Limiter // per Page id ("" = the token's own Page)
}

// ErrNoToken is returned by New and ForPage when the access token is empty.
var ErrNoToken = errors.New("messenger: empty page access token")

// New builds a Client for the Page that owns pageAccessToken. It never touches the
// network. Options are applied in order; the first invalid one fails New.
func New(pageAccessToken string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(pageAccessToken) == "" {
		return nil, ErrNoToken
	}
	cfg := &config{
		baseURL: DefaultBaseURL,
		version: DefaultGraphVersion,
		retry:   DefaultRetryPolicy,
		clock:   time.Now,

		attemptTimeout: DefaultAttemptTimeout,
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("messenger: nil Option")
		}
		if err := o(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.httpClient == nil {
		cfg.httpClient = &http.Client{Transport: defaultTransport()}
	}
	shared := &sharedState{limiters: map[string]Limiter{}}
	tcfg := transport.Config{
		HTTPClient: cfg.httpClient,
		Policy: transport.Policy{MaxAttempts: cfg.retry.MaxAttempts, MinWait: cfg.retry.MinWait,
			MaxWait: cfg.retry.MaxWait, RetryAmbiguous: cfg.retry.RetryAmbiguous,
			RetryTransient: cfg.retryTemporaryPOST, AttemptTimeout: cfg.attemptTimeout},
		Logger: cfg.logger,
	}
	if cfg.onUsage != nil {
		tcfg.OnResponse = func(h http.Header) {
			if u := parseUsage(h); !u.Empty() {
				cfg.onUsage(u)
			}
		}
	}
	base, err := url.Parse(cfg.baseURL)
	if err != nil {
		return nil, fmt.Errorf("messenger: base URL %q: %w", cfg.baseURL, err)
	}
	c := &Client{cfg: cfg, tr: transport.New(tcfg), shared: shared, base: base,
		basePath: base.Path + "/" + cfg.version + "/"}
	c.setPage(cfg.pageID, pageAccessToken)
	return c, nil
}

// defaultTransport is a pooled transport sized for many concurrent sends to one
// host (net/http's default keeps only 2 idle connections per host).
func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	t.IdleConnTimeout = 90 * time.Second
	return t
}

func (c *Client) setPage(pageID, token string) {
	c.pageID, c.token = pageID, token
	c.proof = ""
	if c.cfg.appSecret != "" {
		c.proof = AppSecretProof(token, c.cfg.appSecret)
	}
	// The token as it stands in a URL too (a repeated old string is harmless:
	// the first pair wins).
	var pairs []string
	for _, secret := range []string{token, url.QueryEscape(token), c.cfg.appSecret, c.proof} {
		if len(secret) >= minRedactLen {
			pairs = append(pairs, secret, "[redacted]")
		}
	}
	c.secretsRe = strings.NewReplacer(pairs...)
	c.credentials = "access_token=" + url.QueryEscape(token)
	if c.proof != "" {
		c.credentials += "&appsecret_proof=" + c.proof
	}
	c.limiter = c.shared.limiterFor(pageID, c.cfg.newLimiter)
	c.sendPath = c.PagePath("messages")
	c.sendURLPath = c.basePath + c.sendPath
}

func (s *sharedState) limiterFor(pageID string, newLimiter func(string) Limiter) Limiter {
	if newLimiter == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.limiters[pageID]
	if !ok {
		l = newLimiter(pageID)
		s.limiters[pageID] = l
	}
	return l
}

// ForPage returns a Client acting as another Page with its own token, sharing this
// client's connections, retry policy and options. Each Page gets its own rate
// limiter (Meta's limits are per Page); ForPage with the same id shares one.
// CRMs serving many Pages keep one root Client and call ForPage per Page.
func (c *Client) ForPage(pageID, token string) (*Client, error) {
	if strings.TrimSpace(token) == "" {
		return nil, ErrNoToken
	}
	if err := checkPageID(pageID); err != nil {
		return nil, fmt.Errorf("messenger: ForPage: %w", err)
	}
	cp := &Client{cfg: c.cfg, tr: c.tr, shared: c.shared, base: c.base, basePath: c.basePath}
	cp.setPage(pageID, token)
	return cp, nil
}

// PageID is the Page this client acts as, or "" when only the token knows ("me").
func (c *Client) PageID() string { return c.pageID }

// PagePath is the Graph path of an edge of this client's Page: "<page id>/suffix",
// or "me/suffix" when the Page id is not known.
func (c *Client) PagePath(suffix string) string {
	if c.pageID == "" {
		return "me/" + suffix
	}
	return c.pageID + "/" + suffix
}

// GraphVersion is the Graph API version the client calls.
func (c *Client) GraphVersion() string { return c.cfg.version }

// BaseURL is the Graph address without the version.
func (c *Client) BaseURL() string { return c.cfg.baseURL }

// Now is the client's clock (WithClock), time.Now by default.
func (c *Client) Now() time.Time { return c.cfg.clock() }

// AppSecretProof computes appsecret_proof: the lowercase hex HMAC-SHA256 of the
// access token keyed by the app secret.
func AppSecretProof(token, appSecret string) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// MultipartBody is a multipart/form-data request body for Do, streamed: the file is
// copied from File as the request is written, never held in memory whole.
// A multipart body cannot be replayed, so such calls are not retried.
type MultipartBody struct {
	Fields      []MultipartField
	FileField   string // form field of the file part, e.g. "filedata"
	FileName    string // required by Graph when streaming
	ContentType string // the file's MIME type, e.g. "image/png"
	File        io.Reader
}

// MultipartField is one plain form field of a MultipartBody.
type MultipartField struct{ Name, Value string }

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Do performs one Graph call: method on path (relative to the versioned base URL,
// such as "me/messages" or "me/personas?limit=10"), with body encoded as JSON
// (any value), as a form (url.Values), as raw JSON ([]byte, json.RawMessage) or as
// multipart (*MultipartBody), and decodes a JSON answer into out (nil to discard).
// Every other API of the SDK is built on Do.
//
// Do adds access_token and appsecret_proof, waits on the rate limiter, retries
// what is safe to retry, and turns Graph's error envelope into a *GraphError.
// Errors never contain the token or the app secret.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	if ctx == nil {
		return errNilContext
	}
	call, err := c.newCall(method, path)
	if err != nil {
		return err
	}
	var buf *bytes.Buffer
	switch b := body.(type) {
	case nil:
	case *MultipartBody:
		if b == nil || b.File == nil || b.FileField == "" {
			return &ValidationError{Field: "multipart", Limit: "a file with a field name", Value: "none"}
		}
		call.Body, call.ContentType = multipartStream(b)
		call.OneShot = true
	case url.Values:
		data := []byte(b.Encode())
		call.BodyBytes = data
		call.ContentType = "application/x-www-form-urlencoded"
	case []byte:
		call.BodyBytes, call.ContentType = b, "application/json"
	case json.RawMessage:
		call.BodyBytes, call.ContentType = b, "application/json"
	default:
		buf = getBuffer()
		defer putBuffer(buf)
		if err := encodeJSON(buf, body); err != nil {
			return fmt.Errorf("messenger: encoding request body for %s: %w", call.LogPath, err)
		}
		call.BodyBytes, call.ContentType = buf.Bytes(), "application/json"
	}
	return c.do(ctx, &call, out)
}

var errNilContext = errors.New("messenger: nil context")

// newCall starts the transport call of method on path: its address, its
// retry class and the client's limiter.
func (c *Client) newCall(method, path string) (transport.Call, error) {
	call := transport.Call{Method: method, Scrub: c.secretsRe, Idempotent: idempotentMethod(method)}
	if err := c.callURL(path, &call); err != nil {
		return call, err
	}
	if c.limiter != nil {
		call.Limiter = c.limiter
	}
	return call, nil
}

// encodeJSON writes v as JSON into buf, without HTML escaping.
func encodeJSON(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// getBuffer takes an empty buffer from bufPool; putBuffer gives it back, unless
// it grew too large to keep.
func getBuffer() *bytes.Buffer {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	return buf
}

func putBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= 64<<10 {
		bufPool.Put(buf)
	}
}

// do performs call and reads its answer into out: Graph's error envelope into a
// *GraphError, a failure to get an answer into an error without secrets.
func (c *Client) do(ctx context.Context, call *transport.Call, out any) error {
	resp, err := c.tr.Do(ctx, call)
	if err != nil {
		return c.transportError(call.Method, call.LogPath, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, transport.MaxErrorBody))
		ge := decodeGraphError(resp.StatusCode, b, c.scrub, call.Idempotent)
		ge.Usage = parseUsage(resp.Header)
		ge.RetryAfter = transport.Hint(resp)
		return ge
	}
	if err := decodeResponse(resp.Body, out); err != nil {
		// Graph answered success, but the answer is cut or not JSON: the call ran,
		// or may have, and its result is lost. For a send that is "maybe delivered".
		return &callError{method: call.Method, path: call.LogPath, msg: c.scrub(err.Error()), cause: err,
			ambiguous: !call.Idempotent, answered: true}
	}
	if uc, ok := out.(usageCarrier); ok {
		uc.setUsage(parseUsage(resp.Header))
	}
	return nil
}

// idempotentMethod reports whether repeating a call with method cannot change more
// than the first call did: reads and deletions. Every POST is treated as a send.
func idempotentMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodDelete || method == http.MethodHead
}

const maxResponseBody = 32 << 20

// graphDecoder is implemented by answers that decode themselves faster than
// encoding/json's reflection (the send answer, on the hot path).
type graphDecoder interface {
	decodeGraph(body []byte) error
}

// decodeResponse reads a success answer into out. Its errors say what failed, not
// which call: the caller adds that.
func decodeResponse(r io.Reader, out any) error {
	switch o := out.(type) {
	case nil:
		_, _ = io.Copy(io.Discard, io.LimitReader(r, maxResponseBody))
		return nil
	case *[]byte:
		b, err := io.ReadAll(io.LimitReader(r, maxResponseBody))
		*o = b
		return readError(err)
	case *json.RawMessage:
		b, err := io.ReadAll(io.LimitReader(r, maxResponseBody))
		*o = b
		return readError(err)
	}
	// Read into a pooled buffer and decode from it: cheaper than a json.Decoder,
	// which allocates its own buffer on every call.
	buf := getBuffer()
	defer putBuffer(buf)
	if err := readCapped(buf, r, maxResponseBody); err != nil {
		return readError(err)
	}
	if buf.Len() == 0 {
		return nil
	}
	var err error
	if d, ok := out.(graphDecoder); ok {
		err = d.decodeGraph(buf.Bytes())
	} else {
		err = json.Unmarshal(buf.Bytes(), out)
	}
	if err != nil {
		return fmt.Errorf("decoding the answer: %w", err)
	}
	return nil
}

func readError(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("reading the answer: %w", err)
}

// errResponseTooLarge is returned for an answer larger than maxResponseBody.
var errResponseTooLarge = fmt.Errorf("response larger than %d bytes", maxResponseBody)

// readCapped reads r into buf, failing past limit bytes, without the allocation of
// an io.LimitReader.
func readCapped(buf *bytes.Buffer, r io.Reader, limit int) error {
	for {
		if buf.Available() < 512 {
			buf.Grow(512)
		}
		b := buf.AvailableBuffer()
		n, err := r.Read(b[:cap(b)])
		buf.Write(b[:n])
		if buf.Len() > limit {
			return errResponseTooLarge
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// multipartStream writes the form through a pipe as the transport reads it. The
// body can be read once: a retry gets ErrNotReplayable and the call ends.
func multipartStream(b *MultipartBody) (func() (io.Reader, error), string) {
	s := &multipartSource{b: b, mw: nil}
	pr, pw := io.Pipe()
	s.pr, s.pw = pr, pw
	s.mw = multipart.NewWriter(pw)
	open := func() (io.Reader, error) { return &lazyPart{src: s}, nil }
	return open, s.mw.FormDataContentType()
}

type multipartSource struct {
	b       *MultipartBody
	mw      *multipart.Writer
	pr      *io.PipeReader
	pw      *io.PipeWriter
	started atomic.Bool
}

// lazyPart claims the single stream on its first Read, so that a reader opened only
// to measure the body (and closed unread) does not use it up.
type lazyPart struct {
	src     *multipartSource
	claimed bool
	err     error
}

func (l *lazyPart) Read(p []byte) (int, error) {
	if !l.claimed && l.err == nil {
		if !l.src.started.CompareAndSwap(false, true) {
			l.err = transport.ErrNotReplayable()
		} else {
			l.claimed = true
			go func() { l.src.pw.CloseWithError(writeMultipart(l.src.mw, l.src.b)) }()
		}
	}
	if l.err != nil {
		return 0, l.err
	}
	return l.src.pr.Read(p)
}

func (l *lazyPart) Close() error {
	if l.claimed {
		return l.src.pr.Close()
	}
	return nil
}

func writeMultipart(mw *multipart.Writer, b *MultipartBody) error {
	for _, f := range b.Fields {
		if err := mw.WriteField(f.Name, f.Value); err != nil {
			return err
		}
	}
	h := make(map[string][]string, 2)
	name := b.FileName
	if name == "" {
		name = "file"
	}
	h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name=%q; filename=%q`, b.FileField, name)}
	ct := b.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h["Content-Type"] = []string{ct}
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, b.File); err != nil {
		return err
	}
	return mw.Close()
}

// callURL sets the address of call from path (relative to the versioned base,
// with an optional query): its path and its query with the credentials, and
// LogPath, the same without credentials for logs and errors.
func (c *Client) callURL(path string, call *transport.Call) error {
	path = strings.TrimPrefix(path, "/")
	p, rawQuery, _ := strings.Cut(path, "?")
	if p == "" && rawQuery == "" && path != "" {
		return fmt.Errorf("messenger: invalid path %q", path)
	}
	call.LogPath = p
	query := c.credentials
	if rawQuery != "" {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return fmt.Errorf("messenger: invalid query in path %q: %w", path, err)
		}
		if q.Has("access_token") || q.Has("appsecret_proof") {
			return errors.New("messenger: path must not carry access_token or appsecret_proof: the client adds them")
		}
		call.LogPath = path
		query = q.Encode() + "&" + c.credentials
	}
	call.URL, call.RawQuery = c.base, query
	if p == c.sendPath {
		call.Path = c.sendURLPath
	} else {
		call.Path = c.basePath + p
	}
	if c.base.RawPath != "" || !plainPath(p) {
		// Escapes or characters a URL gives a meaning to: let url.Parse read
		// the path as it always has.
		u, err := url.Parse(c.cfg.baseURL + "/" + c.cfg.version + "/" + p)
		if err != nil {
			return fmt.Errorf("messenger: invalid path %q: %w", path, err)
		}
		call.URL, call.Path, call.RawPath = u, u.Path, u.RawPath
	}
	return nil
}

// plainPath reports whether p holds only characters that stand for themselves
// in a URL path, so that it needs no parsing.
func plainPath(p string) bool {
	for i := 0; i < len(p); i++ {
		switch b := p[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9',
			b == '/', b == '-', b == '_', b == '.', b == '~':
		default:
			return false
		}
	}
	return true
}

// minRedactLen is the length below which a credential is not searched for in text.
// Real credentials are far longer (a Page token runs to about two hundred
// characters, an app secret is 32 hex digits, appsecret_proof 64), while replacing
// a value of a few characters garbles every word that contains it ("s" turns
// "no such host" into "no [redacted]uch ho[redacted]t") and hides nothing. A
// shorter value is still never written by the client itself: the token travels
// only in the URL query, which no error or log line carries, and the app secret
// only keys an HMAC. 8 is also the shortest piece of a secret the tests allow to
// appear anywhere.
const minRedactLen = 8

// scrub removes the token, app secret and proof from text that may reach a person.
func (c *Client) scrub(s string) string { return c.secretsRe.Replace(s) }

// transportError turns a failure to get any answer into an error without secrets.
// It matches ErrAmbiguous when the request may have reached Graph and the call is
// not idempotent (so a send may have been delivered), and ErrNotSent when it
// provably did not reach Graph.
func (c *Client) transportError(method, logPath string, err error) error {
	maybeSent := true
	var f *transport.Failure
	if errors.As(err, &f) {
		maybeSent = f.MaybeSent
		err = f.Err
	}
	var le *transport.LimitError
	if errors.As(err, &le) {
		return &callError{method: method, path: logPath, msg: "waiting for the rate limiter: " + le.Err.Error(), cause: le.Err}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &callError{method: method, path: logPath, msg: c.scrub(err.Error()), cause: err,
		ambiguous: maybeSent && !idempotentMethod(method), answered: maybeSent}
}

// callError is a failure of a call that got no usable answer, with secrets removed
// from its text. Unwrap gives the underlying error (for net.Error checks); its own
// text is scrubbed.
type callError struct {
	method, path, msg string
	cause             error
	// ambiguous: the call may have taken effect and is not idempotent.
	ambiguous bool
	// answered: the request may have reached Graph (so it is not ErrNotSent).
	answered bool
}

func (e *callError) Error() string {
	s := "messenger: " + e.method + " " + e.path + ": " + e.msg
	if e.ambiguous {
		s += " (the request may have reached Graph)"
	}
	return s
}

func (e *callError) Unwrap() error { return e.cause }

func (e *callError) Is(target error) bool {
	return (target == ErrAmbiguous && e.ambiguous) || (target == ErrNotSent && !e.answered)
}

// ErrNotSent matches transport failures that prove the request never reached
// Graph (the connection could not be made, the rate limiter refused to wait, the
// context ended first), so repeating it cannot duplicate.
var ErrNotSent = errors.New("messenger: request not sent")
