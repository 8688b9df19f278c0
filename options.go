package messenger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// DefaultGraphVersion is the Graph API version the client calls unless told
// otherwise: the version of Meta's current Messenger examples.
const DefaultGraphVersion = "v25.0"

// DefaultBaseURL is Graph's address.
const DefaultBaseURL = "https://graph.facebook.com"

// Option configures a Client. Options validate their arguments: New fails with an
// error naming the option rather than building a client that misbehaves later.
type Option func(*config) error

// RetryPolicy says how often failed calls are repeated and how long to wait between
// attempts. Which failures are repeated at all is the table in the package
// documentation (section Errors): in short, any call is retried after throttling
// (4, 17, 32, 613, 80001, 80006, 341, 368, HTTP 429) and after a connection that
// could not be made; reads (GET, DELETE) also after temporary failures (1, 2,
// 1200), HTTP 5xx, timeouts and lost connections; a POST is not, since it may have
// been delivered (see WithRetryTemporaryPOST and RetryAmbiguous). Waits back off
// exponentially with jitter, honouring Retry-After and the
// estimated_time_to_regain_access of X-Business-Use-Case-Usage. Window, permission,
// token, invalid-parameter and person-unavailable errors are never retried.
type RetryPolicy struct {
	// MaxAttempts counts the first try; 1 disables retries. Default 4.
	MaxAttempts int
	// MinWait is the first backoff (doubled each attempt); default 500 ms.
	MinWait time.Duration
	// MaxWait caps one wait; default 30 s. When Graph asks for a longer wait the
	// call fails at once with GraphError.RetryAfter set, so the caller can pause
	// instead of blocking inside Send.
	MaxWait time.Duration
	// RetryAmbiguous also retries POSTs whose outcome is unknown (a connection
	// lost or an attempt timed out after the request went out, Graph's 1/1357046,
	// an HTTP 5xx without Graph's error envelope, temporary failures 1, 2, 1200).
	// The Send API has no idempotency key, so this may deliver a message twice.
	// Default false.
	RetryAmbiguous bool
}

// DefaultRetryPolicy is the policy of a client built without WithRetry.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 4, MinWait: 500 * time.Millisecond, MaxWait: 30 * time.Second}

type config struct {
	// attemptTimeout bounds each attempt of a call (WithAttemptTimeout).
	attemptTimeout time.Duration
	// retryTemporaryPOST retries POSTs answered 1, 2, 1200 or is_transient.
	retryTemporaryPOST bool

	baseURL    string
	appSecret  string
	version    string
	httpClient *http.Client
	newLimiter func(pageID string) Limiter // nil: no limit
	limiterBy  string                      // the option that set newLimiter
	retry      RetryPolicy
	logger     *slog.Logger
	clock      func() time.Time
	pageID     string
	onUsage    func(Usage)
	guard      *guardConfig
}

var versionPattern = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// WithBaseURL points the client at another Graph address (a proxy, or
// messengertest's fake server). The URL must be absolute http(s) without a query.
func WithBaseURL(raw string) Option {
	return func(c *config) error {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("messenger: WithBaseURL: %q is not an absolute http(s) URL", raw)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("messenger: WithBaseURL: %q must not have a query or fragment", raw)
		}
		c.baseURL = strings.TrimRight(u.String(), "/")
		return nil
	}
}

// WithAppSecret adds appsecret_proof (HMAC-SHA256 of the token keyed by the app
// secret) to every call, as Pages with "Require App Secret" demand.
func WithAppSecret(secret string) Option {
	return func(c *config) error {
		if secret == "" {
			return errors.New("messenger: WithAppSecret: empty secret")
		}
		c.appSecret = secret
		return nil
	}
}

// WithGraphVersion sets the Graph API version, such as "v25.0".
func WithGraphVersion(v string) Option {
	return func(c *config) error {
		if !versionPattern.MatchString(v) {
			return fmt.Errorf("messenger: WithGraphVersion: %q is not a version like %q", v, DefaultGraphVersion)
		}
		c.version = v
		return nil
	}
}

// WithHTTPClient sends calls through a copy of hc (hc itself is not changed).
// Its Timeout bounds each attempt; the context bounds the whole call.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("messenger: WithHTTPClient: nil client")
		}
		cp := *hc
		c.httpClient = &cp
		return nil
	}
}

// WithRateLimit limits calls per second per Page, with a burst. Meta allows 300
// send calls per second per Page (10 for audio and video); the limiter waits with
// the caller's context. Without this option (or WithLimiter) the client does not
// limit itself.
func WithRateLimit(limit rate.Limit, burst int) Option {
	return func(c *config) error {
		if limit <= 0 {
			return fmt.Errorf("messenger: WithRateLimit: limit must be positive, got %v", limit)
		}
		if burst < 1 {
			return fmt.Errorf("messenger: WithRateLimit: burst must be at least 1, got %d", burst)
		}
		return c.setLimiter("WithRateLimit", func(string) Limiter { return rate.NewLimiter(limit, burst) })
	}
}

// Limiter paces Graph calls: Wait blocks until a call may go, or returns an error
// (the context ended, or its deadline comes before the call could go) and the call
// is not made. It must be safe for concurrent use. *rate.Limiter satisfies it;
// redisstore.RateLimiter shares one budget across a fleet of processes.
type Limiter interface {
	Wait(ctx context.Context) error
}

// WithLimiter paces calls with limiters of the caller's making, one per Page:
// newLimiter is called once for each Page id the client acts as ("" for the
// token's own Page when WithPageID was not given), and its Limiter is waited on
// before every attempt of every call for that Page. Use it to share a Page's
// budget across processes; it cannot be combined with WithRateLimit.
func WithLimiter(newLimiter func(pageID string) Limiter) Option {
	return func(c *config) error {
		if newLimiter == nil {
			return errors.New("messenger: WithLimiter: nil func")
		}
		return c.setLimiter("WithLimiter", newLimiter)
	}
}

func (c *config) setLimiter(by string, f func(string) Limiter) error {
	if c.limiterBy != "" && c.limiterBy != by {
		return fmt.Errorf("messenger: %s: the client is already limited by %s; use one of them", by, c.limiterBy)
	}
	c.newLimiter, c.limiterBy = f, by
	return nil
}

// WithRetry replaces DefaultRetryPolicy.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		if p.MaxAttempts < 1 {
			return fmt.Errorf("messenger: WithRetry: MaxAttempts must be at least 1, got %d", p.MaxAttempts)
		}
		if p.MinWait < 0 || p.MaxWait < p.MinWait {
			return fmt.Errorf("messenger: WithRetry: need 0 <= MinWait <= MaxWait, got %s and %s", p.MinWait, p.MaxWait)
		}
		c.retry = p
		return nil
	}
}

// DefaultAttemptTimeout bounds each attempt of a Graph call unless
// WithAttemptTimeout says otherwise. Graph answers a send in well under a second;
// 30 s leaves room for an attachment upload of a few tens of megabytes on a
// modest link.
const DefaultAttemptTimeout = 30 * time.Second

// WithAttemptTimeout bounds each attempt of every Graph call to d (default
// DefaultAttemptTimeout), so a server that accepts a connection and never answers
// cannot hold a call forever, even under context.Background(). The clock starts
// once the rate limiter lets the attempt go and stops when its answer has been
// read: for an upload (Upload, a *MultipartBody) it covers streaming the whole
// file, so raise d for large files on slow links. The context still bounds the
// whole call, retries and waits included.
//
// An attempt that times out after its request went out may have reached Graph: a
// POST (a send) then fails with an error matching ErrAmbiguous and is not retried
// (unless RetryPolicy.RetryAmbiguous); a GET or DELETE is retried under the retry
// policy. The error also matches context.DeadlineExceeded. d must be positive.
func WithAttemptTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("messenger: WithAttemptTimeout: duration must be positive, got %s", d)
		}
		c.attemptTimeout = d
		return nil
	}
}

// WithRetryTemporaryPOST makes the client retry POSTs (sends among them) that Graph
// answered with a temporary failure: code 1 (other than 1/1357046), 2, 1200, or
// any error marked is_transient. By default such a POST is not retried and its
// error matches ErrAmbiguous, because Graph has answered these codes for sends it
// delivered: retrying may deliver a message twice, or spend a one-time
// notification token on a message that already went out. Choose this option when
// a duplicate costs less than a lost message.
//
// What a POST retries, with and without this option:
//
//	failure                                         default    with option
//	throttling 4, 17, 32, 613, 80001, 80006, 341,   retried    retried
//	  368; HTTP 429; no connection could be made
//	temporary 1, 2, 1200, is_transient              ambiguous  retried
//	1/1357046; HTTP 5xx without Graph's envelope;   ambiguous  ambiguous
//	  timeout or connection lost after sending
//	a 2xx answer cut short or not JSON, decoded     ambiguous  ambiguous
//	window, permission, token, parameter, person    never      never
//
// "Ambiguous" means: not retried, and the error matches ErrAmbiguous.
// RetryPolicy.RetryAmbiguous retries the second and third rows as well.
func WithRetryTemporaryPOST() Option {
	return func(c *config) error {
		c.retryTemporaryPOST = true
		return nil
	}
}

// WithLogger logs each of the Client's Graph calls at debug level (method, path
// without secrets, status, attempts, time). Tokens and secrets never appear in log
// lines. It is an option of New only: the Webhook's logger is WithWebhookLogger, an
// option of NewWebhook, so a bot can log its two sides apart.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("messenger: WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithClock replaces time.Now as the Client's clock (Client.Now): the time the
// policy guard judges at, so tests move time instead of sleeping. It is an option
// of New only: the Webhook's clock is WithWebhookClock, an option of NewWebhook.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("messenger: WithClock: nil clock")
		}
		c.clock = now
		return nil
	}
}

// WithPageID names the Page the token belongs to. Paths then use the id instead
// of "me", and the policy guard and multi-page routing know which Page acts.
func WithPageID(id string) Option {
	return func(c *config) error {
		if err := checkPageID(id); err != nil {
			return fmt.Errorf("messenger: WithPageID: %w", err)
		}
		c.pageID = id
		return nil
	}
}

// WithUsageHook calls fn with the usage headers of every Graph response that has
// them (X-App-Usage, X-Page-Usage, X-Business-Use-Case-Usage), so an application
// can slow down before Graph throttles it. fn must be quick and safe for
// concurrent use.
func WithUsageHook(fn func(Usage)) Option {
	return func(c *config) error {
		if fn == nil {
			return errors.New("messenger: WithUsageHook: nil func")
		}
		c.onUsage = fn
		return nil
	}
}

func checkPageID(id string) error {
	if id == "" {
		return errors.New("empty page id")
	}
	for i, r := range id {
		if r < '0' || r > '9' {
			return fmt.Errorf("page id %q: character %q at %d is not a digit", id, r, i)
		}
	}
	return nil
}
