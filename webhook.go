package messenger

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomessenger/messenger/store"
)

// Defaults of a [Webhook]; each has an option.
const (
	// DefaultMaxBodyBytes caps a webhook body: room for a batch of a thousand
	// events, far beyond what Messenger sends in one POST.
	DefaultMaxBodyBytes = 4 << 20
	// DefaultAckBudget is how long a POST may take before it is answered: below
	// Meta's 5 seconds with room for the network.
	DefaultAckBudget = 3 * time.Second
	// DefaultConcurrency is how many handlers run at once. Handlers mostly wait on
	// the network (Send API calls), so it is well above the number of CPUs.
	DefaultConcurrency = 32
	// DefaultQueueLimit is how many events may be queued or running at once.
	DefaultQueueLimit = 10000
	// DefaultDedupeTTL is how long an event key is remembered. Meta retries a failing
	// webhook for about an hour before disabling it; six hours covers that with a
	// margin and keeps the in-memory store small.
	DefaultDedupeTTL = 6 * time.Hour
	// DefaultHandlerTimeout bounds one event's handlers: their context ends then, so
	// a Graph call that never answers cannot pin a worker for ever.
	DefaultHandlerTimeout = time.Minute
	// DefaultInboxLease is how long an instance holds an inbox entry without
	// renewing it. It renews every third of it while the entry's events run; when it
	// dies, another instance takes the entry over once the lease has run out.
	DefaultInboxLease = 30 * time.Second
	// defaultDedupeKeys bounds the in-memory dedupe store.
	defaultDedupeKeys = 100000
)

// Webhook receives Messenger webhooks: it is the http.Handler to mount at the callback
// URL. It answers the subscription handshake (GET) and, for deliveries (POST), caps
// the body size, verifies X-Hub-Signature-256 on the raw bytes, decodes the events
// ([ParseEvents]), acknowledges within the ack budget and then hands each event to the
// registered handlers: in timestamp order within a conversation, in parallel across
// conversations, redeliveries dropped (dedupe store), recording the messaging windows
// users open (window store). With an inbox a failed event is retried and an
// acknowledged one survives a crash, at least once ([WithInbox]). See [NewWebhook]
// for the options.
//
// Status codes: 200 accepted (or nothing to do); 400 malformed JSON, or a body not
// read within the ack budget; 401 not signed; 403 bad signature or handshake, or a
// malformed signature header; 405 other methods; 413 body too large; 500 the inbox
// failed; 503 queue full past the ack budget, the inbox not done within it, or shut
// down. Meta retries everything but 200.
//
// A Webhook is safe for concurrent use. Register handlers before serving; handlers
// registered later see only later events.
type Webhook struct {
	core *webhookCore
	page string // set by ForPage
}

// WebhookOption configures a [Webhook].
type WebhookOption func(*webhookConfig) error

type webhookConfig struct {
	dedupe      store.Dedupe
	dedupeTTL   time.Duration
	windows     store.Windows
	inbox       store.Inbox
	lease       time.Duration
	retry       HandlerRetry
	handlerTime time.Duration
	onError     func(context.Context, Event, error)
	maxBody     int64
	concurrency int
	queueLimit  int
	ackBudget   time.Duration
	sha1        bool
	clock       func() time.Time
	logger      *slog.Logger
}

// WithDedupe sets the store that remembers handled events, so a redelivery is not
// handled twice. The default keeps up to 100,000 keys in memory; use a shared store
// (Redis) when several instances receive the same Page's webhooks, and a durable one
// with [WithInbox].
//
// Keys are the message id for messages, echoes and postbacks, the watermark for reads
// and deliveries, and a hash of the exact item otherwise. A store that fails counts
// the event as new: handling twice beats losing an event.
//
// When a handler fails (error or panic), what happens next depends on the inbox. With
// [WithInbox] the event is retried from the inbox (see [WithHandlerRetry]) and a
// redelivery is still dropped, since the retry owns it. Without an inbox the failure
// goes to the error handler and the event is not run again: the POST was already
// answered 200, so Meta does not deliver it again. The key is forgotten all the same,
// so should the same event arrive again it is handled.
func WithDedupe(d store.Dedupe) WebhookOption {
	return func(c *webhookConfig) error {
		if d == nil {
			return errors.New("messenger: WithDedupe: store is nil")
		}
		c.dedupe = d
		return nil
	}
}

// WithDedupeTTL sets how long handled events are remembered; default [DefaultDedupeTTL].
func WithDedupeTTL(ttl time.Duration) WebhookOption {
	return func(c *webhookConfig) error {
		if ttl <= 0 {
			return fmt.Errorf("messenger: WithDedupeTTL: ttl must be positive, got %v", ttl)
		}
		c.dedupeTTL = ttl
		return nil
	}
}

// WithWindows makes the webhook record every window-opening user action (message,
// postback, referral, reaction, plugin opt-in, ad click; docs/platform.md, “The 24-hour window”) in w before the
// event's handlers run, so the policy guard and the application know when each person
// last opened the 24-hour window.
func WithWindows(w store.Windows) WebhookOption {
	return func(c *webhookConfig) error {
		if w == nil {
			return errors.New("messenger: WithWindows: store is nil")
		}
		c.windows = w
		return nil
	}
}

// WithInbox makes every acknowledged event be handled even when a handler fails or
// the process dies: each verified body is appended to in, leased to this instance,
// before the 200 is sent, and removed once all its events were handled.
//
//   - A handler that fails (error or panic) leaves the entry in the inbox; it is run
//     again after a backoff, up to [WithHandlerRetry]'s attempts, and then moved to
//     the dead letters, where [Webhook.DeadLetters] lists it and [Webhook.Redrive]
//     runs it again. Events of the entry that succeeded are not run again.
//   - While its events run, the instance renews its lease on the entry; another
//     instance sharing the inbox never runs it. When an instance dies, its entries
//     are taken over by the others (or by the restarted process) once their lease
//     ([WithInboxLease]) has run out.
//   - [Webhook.Shutdown] hands the entries it could not finish back at once.
//
// The webhook looks for entries due (retries, entries of dead instances) every third
// of the lease, and [Webhook.Replay] does so at once. Pair the inbox with a shared,
// durable [WithDedupe] store (the same Redis, the same file) so that events finished
// before a crash are not handled again.
//
// With the memory store (store/memstore) the retries work, but nothing survives a
// restart; use store/filestore for one instance and redisstore for a fleet.
func WithInbox(in store.Inbox) WebhookOption {
	return func(c *webhookConfig) error {
		if in == nil {
			return errors.New("messenger: WithInbox: store is nil")
		}
		c.inbox = in
		return nil
	}
}

// WithInboxLease sets how long an instance holds an inbox entry between renewals
// (default [DefaultInboxLease]): the longer, the later a dead instance's entries are
// taken over; the shorter, the more often the store is written. It must be at least
// a second.
func WithInboxLease(d time.Duration) WebhookOption {
	return func(c *webhookConfig) error {
		if d < time.Second {
			return fmt.Errorf("messenger: WithInboxLease: must be at least 1s, got %v", d)
		}
		c.lease = d
		return nil
	}
}

// WithHandlerTimeout bounds how long the handlers of one event may run (default
// [DefaultHandlerTimeout]): their context ends then. Past it a handler that does not
// watch its context still holds its worker, and is reported as failed.
func WithHandlerTimeout(d time.Duration) WebhookOption {
	return func(c *webhookConfig) error {
		if d <= 0 {
			return fmt.Errorf("messenger: WithHandlerTimeout: must be positive, got %v", d)
		}
		c.handlerTime = d
		return nil
	}
}

// WithErrorHandler sets the function that receives every handler failure (each
// attempt: the handler's error, a panic as [*HandlerPanicError]), events moved to the
// dead letters ([ErrDeadLettered]), store errors, and events dropped at shutdown
// ([ErrEventDropped]). ev is nil for errors not tied to one event. The default logs
// the error with the event's kind and Page, never its content.
func WithErrorHandler(fn func(ctx context.Context, ev Event, err error)) WebhookOption {
	return func(c *webhookConfig) error {
		if fn == nil {
			return errors.New("messenger: WithErrorHandler: handler is nil")
		}
		c.onError = fn
		return nil
	}
}

// WithMaxBodyBytes caps the body of a POST; bigger ones get 413. Default
// [DefaultMaxBodyBytes].
func WithMaxBodyBytes(n int64) WebhookOption {
	return func(c *webhookConfig) error {
		if n <= 0 {
			return fmt.Errorf("messenger: WithMaxBodyBytes: limit must be positive, got %d", n)
		}
		c.maxBody = n
		return nil
	}
}

// WithConcurrency bounds how many handlers run at once; default [DefaultConcurrency].
func WithConcurrency(n int) WebhookOption {
	return func(c *webhookConfig) error {
		if n < 1 {
			return fmt.Errorf("messenger: WithConcurrency: must be at least 1, got %d", n)
		}
		c.concurrency = n
		return nil
	}
}

// WithQueueLimit bounds how many events may be queued or running; a POST that does not
// fit waits up to the ack budget, then gets 503 and Meta retries it. Default
// [DefaultQueueLimit].
func WithQueueLimit(n int) WebhookOption {
	return func(c *webhookConfig) error {
		if n < 1 {
			return fmt.Errorf("messenger: WithQueueLimit: must be at least 1, got %d", n)
		}
		c.queueLimit = n
		return nil
	}
}

// WithAckBudget sets how long a POST may take, from arrival to answer: reading the
// body, waiting for queue room and for the inbox, whatever the store does. It must
// stay below Meta's 5 seconds. Default [DefaultAckBudget].
func WithAckBudget(d time.Duration) WebhookOption {
	return func(c *webhookConfig) error {
		if d <= 0 || d >= 5*time.Second {
			return fmt.Errorf("messenger: WithAckBudget: must be above 0 and below Meta's 5s, got %v", d)
		}
		c.ackBudget = d
		return nil
	}
}

// WithSHA1 also accepts deliveries signed only with the legacy X-Hub-Signature (sha1)
// header. Without it such deliveries get 401. X-Hub-Signature-256 is checked whenever
// it is present.
func WithSHA1() WebhookOption {
	return func(c *webhookConfig) error {
		c.sha1 = true
		return nil
	}
}

// WithWebhookClock sets the clock used for inbox receive times, window times of events
// without a timestamp, and the in-memory dedupe store's expiry.
func WithWebhookClock(now func() time.Time) WebhookOption {
	return func(c *webhookConfig) error {
		if now == nil {
			return errors.New("messenger: WithWebhookClock: clock is nil")
		}
		c.clock = now
		return nil
	}
}

// WithWebhookLogger sets the logger for rejected requests and the default error
// handler; default slog.Default(). Nothing secret or personal is logged.
func WithWebhookLogger(l *slog.Logger) WebhookOption {
	return func(c *webhookConfig) error {
		if l == nil {
			return errors.New("messenger: WithWebhookLogger: logger is nil")
		}
		c.logger = l
		return nil
	}
}

type webhookCore struct {
	webhookConfig
	sig256              *verifier
	sig1                *verifier
	tokenHash           [sha256.Size]byte
	ctx                 context.Context // handlers' context; canceled by Shutdown
	cancel              context.CancelFunc
	storeCtx            context.Context // for store bookkeeping: never canceled
	bufs                sync.Pool       // of *[]byte
	owner               string          // this instance's name on inbox leases
	intake              store.Intake    // the inbox, when it is also the dedupe and window store
	inboxKeepsDeadlines bool            // the inbox is a store.DeadlineBound that says so: called inline
	stats               webhookCounters

	heldMu    sync.Mutex
	held      map[string]struct{} // ids of the inbox entries this instance runs
	nextRetry time.Time           // earliest retry this instance scheduled (clock time)

	complMu   sync.Mutex
	compl     []removal     // finished entries waiting to be removed, oldest first
	complSeq  uint64        // the number of entries ever queued in compl
	complWake chan struct{} // tells the completer there is work
	stopOnce  sync.Once
	sweepWake chan struct{} // makes the sweeper look for due entries now
	sweepStop chan struct{} // closed once Shutdown has drained

	routesMu sync.Mutex
	routes   atomic.Pointer[[]route]

	mu          sync.Mutex
	convs       map[convKey]*conv
	ready       convRing
	freeConvs   []*conv
	freeBatches []*batch
	queued      int // admitted events not yet finished
	unsettled   int // finished inbox entries waiting for the completer
	admitting   int // requests between admit and enqueue
	workers     int // running worker goroutines, lingering ones included
	lingering   int // workers idle and waiting for c.wake
	wake        chan struct{}
	closed      bool        // no new requests
	shut        atomic.Bool // closed, for the check before a POST's body is read
	forced      bool        // Shutdown ran out of time: queued events were dropped
	// sweepWaits: a sweep found no room for due entries; the worker that frees
	// half the queue wakes the sweeper instead of leaving them to its next round.
	sweepWaits bool
	changed    chan struct{}
	wg         sync.WaitGroup
}

// NewWebhook returns a webhook for the app whose secret signs deliveries and the verify
// token configured for the subscription. A missing app secret or verify token is an
// error: the webhook never skips verification.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/webhooks
func NewWebhook(appSecret, verifyToken string, opts ...WebhookOption) (*Webhook, error) {
	if appSecret == "" {
		return nil, fmt.Errorf("messenger: NewWebhook: %w", ErrMissingAppSecret)
	}
	if verifyToken == "" {
		return nil, errors.New("messenger: NewWebhook: verify token is empty")
	}
	c := &webhookCore{webhookConfig: webhookConfig{
		dedupeTTL:   DefaultDedupeTTL,
		maxBody:     DefaultMaxBodyBytes,
		concurrency: DefaultConcurrency,
		queueLimit:  DefaultQueueLimit,
		ackBudget:   DefaultAckBudget,
		lease:       DefaultInboxLease,
		retry:       DefaultHandlerRetry,
		handlerTime: DefaultHandlerTimeout,
		clock:       time.Now,
	}}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("messenger: NewWebhook: option is nil")
		}
		if err := o(&c.webhookConfig); err != nil {
			return nil, err
		}
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	if c.onError == nil {
		c.onError = c.logError
	}
	if c.dedupe == nil {
		c.dedupe = newMemoryDedupe(c.clock, defaultDedupeKeys)
	}
	c.sig256 = newVerifier(sha256Alg, appSecret)
	if c.sha1 {
		c.sig1 = newVerifier(sha1Alg, appSecret)
	}
	c.tokenHash = sha256.Sum256([]byte(verifyToken))
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.storeCtx = context.WithoutCancel(c.ctx)
	c.convs = make(map[convKey]*conv)
	c.wake = make(chan struct{}, c.concurrency)
	c.bufs.New = func() any { b := make([]byte, 0, 4096); return &b }
	if c.inbox != nil {
		c.startInbox()
	}
	return &Webhook{core: c}, nil
}

// OnEvent registers fn for every event (of the Page, for a webhook returned by
// [Webhook.ForPage]). Handlers run in registration order; an error or panic goes to
// the error handler and does not stop the others. With an inbox the event is then
// retried ([WithInbox]); without one it is not. Standby events are included: check
// [EventInfo.Standby] before answering, the thread belongs to another app.
//
// Handlers must be idempotent to the extent retries demand: a retry runs every
// handler of the failed event again, including those that had succeeded.
//
// The context ends after [WithHandlerTimeout], or when [Webhook.Shutdown] gives up
// waiting.
func (w *Webhook) OnEvent(fn func(ctx context.Context, ev Event) error) {
	if fn == nil {
		panic("messenger: OnEvent: nil handler")
	}
	w.core.addRoute(route{page: w.page, fn: fn})
}

// On registers fn for the events of type T, checked at compile time:
//
//	messenger.On(wh, func(ctx context.Context, m *messenger.MessageEvent) error { … })
//
// It is [Webhook.OnEvent] filtered by type; the same rules apply.
func On[T Event](w *Webhook, fn func(ctx context.Context, ev T) error) {
	if fn == nil {
		panic("messenger: On: nil handler")
	}
	w.core.addRoute(route{page: w.page, fn: func(ctx context.Context, ev Event) error {
		if t, ok := ev.(T); ok {
			return fn(ctx, t)
		}
		return nil
	}})
}

func (c *webhookCore) addRoute(r route) {
	c.routesMu.Lock()
	defer c.routesMu.Unlock()
	var rs []route
	if old := c.routes.Load(); old != nil {
		rs = append(rs, *old...)
	}
	rs = append(rs, r)
	c.routes.Store(&rs)
}

// ForPage returns a view of w for one Page of a multi-page app: handlers registered on
// it ([Webhook.OnEvent], [On]) receive only events whose PageID is pageID. It shares
// everything else with w (serving it, shutting it down); handlers registered on w
// itself receive every Page's events.
func (w *Webhook) ForPage(pageID string) *Webhook {
	return &Webhook{core: w.core, page: pageID}
}

// Shutdown stops accepting deliveries (they get 503, so Meta retries them) and waits
// until every accepted event was handled. If ctx ends first, it cancels the handlers'
// context, drops the events that had not started, waits for the running handlers to
// return, and returns ctx's error.
//
// Dropped events are reported with [ErrEventDropped] and counted in
// [WebhookStats].Dropped. Without an inbox they are lost: Meta was told they arrived.
// With one they are not: their entries are handed back to the inbox at once, for
// another instance or [Webhook.Replay] after the restart. No goroutine of the webhook
// outlives Shutdown.
func (w *Webhook) Shutdown(ctx context.Context) error { return w.core.shutdown(ctx) }

// Replay runs at once every inbox entry that is due and free: entries left by a
// process that died (once their lease ran out), failed entries whose retry time has
// come, entries handed back at a shutdown. It returns how many events it queued, once
// they were all handled. Entries another live instance holds are left to it, and
// events the dedupe store knows as finished are skipped. The webhook does the same on
// its own every third of the lease; call Replay at startup to start at once. It needs
// [WithInbox].
func (w *Webhook) Replay(ctx context.Context) (int, error) { return w.core.replay(ctx) }

// DeadLetters lists the inbox entries whose events failed every attempt
// [WithHandlerRetry] allows, oldest first, with the number of attempts and the last
// error. It needs [WithInbox].
func (w *Webhook) DeadLetters(ctx context.Context) ([]store.InboxEntry, error) {
	return w.core.deadLetters(ctx)
}

// Redrive makes the dead-lettered entry id pending again, with a fresh count of
// attempts, and has it run at once. It needs [WithInbox].
func (w *Webhook) Redrive(ctx context.Context, id string) error { return w.core.redrive(ctx, id) }

// Stats returns counts of what the webhook did since it was created.
func (w *Webhook) Stats() WebhookStats { return w.core.stats.snapshot() }

// WaitIdle blocks until no event is queued or running, or ctx ends. Tests use it to
// wait for the handlers of a delivery they posted.
func (w *Webhook) WaitIdle(ctx context.Context) error { return w.core.waitIdle(ctx) }

// ServeHTTP answers the handshake (GET) and deliveries (POST).
func (w *Webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		w.core.receive(rw, r)
	case http.MethodGet, http.MethodHead:
		w.core.handshake(rw, r)
	default:
		rw.Header().Set("Allow", "GET, POST")
		http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// handshake answers the subscription check (docs/platform.md, “Webhook subscription”): hub.mode=subscribe and
// the right hub.verify_token get hub.challenge back as plain text, anything else 403.
func (c *webhookCore) handshake(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	challenge := q.Get("hub.challenge")
	// Hash both sides so the comparison is constant-time in the length too.
	got := sha256.Sum256([]byte(q.Get("hub.verify_token")))
	if q.Get("hub.mode") != "subscribe" || challenge == "" || subtle.ConstantTimeCompare(got[:], c.tokenHash[:]) != 1 {
		c.logger.Warn("messenger: webhook handshake refused", "mode", q.Get("hub.mode"))
		http.Error(rw, "forbidden", http.StatusForbidden)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	rw.WriteHeader(http.StatusOK)
	io.WriteString(rw, challenge)
}
