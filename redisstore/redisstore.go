// Package redisstore implements [store.Store] on Redis, so many bot instances behind
// a load balancer share conversation windows, notification tokens, webhook dedupe
// keys and the inbox.
//
// It is its own module because it needs a Redis client (github.com/redis/go-redis/v9),
// which the core module should not make every user download.
//
// Every check-and-change is one Lua script run by Redis, so it is atomic across
// processes: of two instances claiming the same one-time token, or receiving the same
// webhook delivery, exactly one wins. Nothing is read in one round trip and written
// in another.
//
// # Keys
//
// All keys start with the prefix ([WithPrefix], default "messenger"). Per-Page state
// carries the Page ID in a hash tag, so one Page's keys live in one Redis Cluster slot
// and its scripts stay single-slot:
//
//	<prefix>:{<page>}:win:<user>    hash    window of (page, user)
//	<prefix>:{<page>}:tok:<value>   hash    one token
//	<prefix>:{<page>}:toks:<user>   set     values of the tokens of (page, user)
//	<prefix>:{<page>}:tokens        set     values of every token of the Page
//	<prefix>:{<page>}:topic:<topic> set     values of the tokens of (page, topic)
//	<prefix>:{<page>}:topics        string  set once the Page's topic sets hold
//	                                        every token (older versions kept none)
//	<prefix>:{<page>}:rate          string  the Page's shared call budget ([RateLimiter])
//	<prefix>:pages                  set     Pages that have tokens, for PurgeTokens
//	<prefix>:tokpage:<value>        string  the Page of a token, for KillToken
//	<prefix>:dedupe:<key>           string  a dedupe key and its expiry
//	<prefix>:ack                    string  written before each WAIT ([WithReplicaAck])
//
// The inbox's keys carry "<prefix>:inbox" in a hash tag, so they share one slot
// with each other and with the stream older versions kept the inbox in:
//
//	<prefix>:{<prefix>:inbox}:e:<id>   hash    one entry: body, received, state,
//	                                           attempts, last_error, retry_at,
//	                                           owner, lease_until, wait
//	<prefix>:{<prefix>:inbox}:pending  zset    ids of pending entries, by append order
//	<prefix>:{<prefix>:inbox}:ready    zset    ids of pending entries free to claim,
//	                                           by append order
//	<prefix>:{<prefix>:inbox}:waiting  zset    "<free at>:<id>" of the other pending
//	                                           entries, in the order they become free
//	<prefix>:{<prefix>:inbox}:dead     zset    ids of dead entries, by append order
//	<prefix>:{<prefix>:inbox}:seq      string  the latest entry id
//	<prefix>:{<prefix>:inbox}:migrated string  how many entries were moved from the stream
//	<prefix>:inbox                     stream  the inbox of older versions
//
// The first Claim or Entries moves the entries of the <prefix>:inbox stream into
// the keys above and deletes the stream: they keep their ids and received times,
// come before every entry appended since, and are free to claim at once. Entries an
// older instance still running adds to the stream later are moved by the next
// Claim or Entries, and Done with a stream id deletes it from the stream too.
//
// Claim moves at most 256 entries from waiting to ready and claims at most 256 per
// script, so one script's work is bounded however many entries are leased (O(log
// N) per entry touched, for N entries); Claim repeats the script while there is
// more to do. Renew takes 256 ids per script; Append, Release, Done and Redrive
// are one script each, O(log N).
//
// # Durability
//
// The store keeps what Redis keeps. Append and Admit return once Redis has the
// entry, and Release, Renew, Done and Redrive once Redis has the change; each is
// one script, so no other client ever sees an entry half claimed or half
// released. An event the webhook acknowledged to Meta is in Redis, and nowhere
// else, until it has run: run Redis with an append-only file (appendonly yes), not
// with snapshots alone, and never without persistence as tests do. With
// appendfsync everysec (Redis's default) a crash can lose the last second or two
// of writes (while a slow fsync runs, Redis answers writes it has not yet written
// to the file); appendfsync always loses none, at a cost in latency.
//
// Replication is asynchronous: a replica promoted after its primary failed may
// lack the last writes, among them events Meta was answered 200 for.
// [WithReplicaAck] makes those writes wait for replicas before they return, so
// that the webhook answers 200 only for what replicas have.
//
// With maxmemory set, a maxmemory-policy other than noeviction lets a full Redis
// evict inbox entries (allkeys-*) or dedupe keys and windows (volatile-*); with
// noeviction a full Redis refuses the write and the webhook answers 500.
// [Store.Durability] reads these settings from the server and says what each
// unsafe one can cost: call it at start and log what it says.
//
// # Redis Cluster
//
// The store is tested against a real Redis Cluster of 3 masters: the conformance
// suite, a webhook configured for a fleet, and Admit, which takes several steps
// there: the windows, the body, then the dedupe keys, so that a failed step cannot
// make Meta's redelivery a duplicate of an event that was never stored (tested with
// faults injected between the steps). Those tests run when REDIS_CLUSTER_ADDRS
// names the cluster's masters (host:port, comma-separated), and skip otherwise; the
// repository's scripts/test starts such a cluster for its run when redis-server and
// redis-cli are installed.
//
// # Deadlines
//
// Every call honours its context's deadline and cancellation, even while Redis
// stalls: a webhook that gives its store calls the deadline of its answer to Meta
// (5 s) answers in time. See [New] for the client the store uses to do so.
//
// # Expiry
//
// Decisions use the store's clock ([WithClock]) and the times passed in, to the
// nanosecond, so every instance decides alike and tests can move time. Redis TTLs
// only reclaim memory: a dedupe key lives for its ttl, a window for
// [store.WindowRetention] after its latest action, a token until a day after it
// expires (so PurgeTokens and ListTokens still see it when it has just expired);
// tokens without an expiry and inbox entries stay until deleted. Inbox leases and
// retry times are the times passed to the inbox's calls, to the nanosecond.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger/store"
)

// DefaultPrefix starts every key unless [WithPrefix] says otherwise.
const DefaultPrefix = "messenger"

// TokenGrace is how long Redis keeps a token after it expired, so that ListTokens
// and PurgeTokens see it.
const TokenGrace = 24 * time.Hour

// Store is a [store.Store] on Redis. It is safe for concurrent use by many
// goroutines and many processes sharing one Redis (or Redis Cluster).
type Store struct {
	rdb    redis.UniversalClient
	own    redis.UniversalClient // the store's copy of the caller's client, closed by Close; nil when it uses the caller's
	bound  bool                  // rdb honours context deadlines
	prefix string
	now    func() time.Time
	ack    replicaAck
	loaded sync.Map // the scripts runAcked has loaded: *redis.Script → struct{}
	closed atomic.Bool
}

var (
	_ store.Store         = (*Store)(nil)
	_ store.TopicTokens   = (*Store)(nil)
	_ store.DeadlineBound = (*Store)(nil)
)

// Option configures [New]. Options check their argument: New fails with an error
// naming the option instead of building a store that misbehaves later.
type Option func(*Store) error

// WithPrefix sets the first part of every key (default [DefaultPrefix]), so several
// bots, or tests, share one Redis. The prefix must not be empty nor contain '{' or
// '}', which would break the per-Page hash tags.
func WithPrefix(prefix string) Option {
	return func(s *Store) error {
		if prefix == "" || strings.ContainsAny(prefix, "{}") {
			return fmt.Errorf("redisstore: WithPrefix: prefix must be non-empty without '{' or '}', got %q", prefix)
		}
		s.prefix = prefix
		return nil
	}
}

// WithClock sets the clock that decides when dedupe keys and windows expire
// (default time.Now). Tests pass a fake clock to move time instead of sleeping.
func WithClock(now func() time.Time) Option {
	return func(s *Store) error {
		if now == nil {
			return errors.New("redisstore: WithClock: clock must not be nil")
		}
		s.now = now
		return nil
	}
}

// New returns a store on client, or the error of the first option that rejected its
// argument. It does not touch the network.
//
// Every call of the store honours its context's deadline, which go-redis does only
// for clients with ContextTimeoutEnabled. When client is a *redis.Client or
// *redis.ClusterClient without it, New makes the store its own copy of client
// with the same options and ContextTimeoutEnabled set; Close closes that copy;
// hooks added to client (tracing, metrics) do not see the store's calls, and the
// copy handles push notifications with a processor of its own. Build
// client with ContextTimeoutEnabled to have the store use it as it is; Close
// leaves the caller's client open.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: New: client must not be nil")
	}
	s := &Store{prefix: DefaultPrefix, now: time.Now}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("redisstore: New: nil Option")
		}
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if err := checkReplicaAck(s, client); err != nil {
		return nil, err
	}
	s.rdb, s.own, s.bound = deadlineClient(client)
	return s, nil
}

// DeadlineBound implements [store.DeadlineBound]: true unless the client given to
// [New] is one the store uses as it is without ContextTimeoutEnabled (a Sentinel
// failover client, or another implementation of redis.UniversalClient), whose
// calls may outlast their deadline while Redis stalls.
func (s *Store) DeadlineBound() bool { return s.bound }

// Prefix returns the prefix of the store's keys.
func (s *Store) Prefix() string { return s.prefix }

// Client returns the Redis client the store uses: the one given to [New], or the
// store's own copy of it (see New).
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Close makes every later call return [store.ErrClosed] and closes the store's own
// copy of the client, if New made one (rate limiters made by the store stop with
// it); the client given to New stays open. Closing twice is harmless.
func (s *Store) Close() error {
	if s.closed.Swap(true) || s.own == nil {
		return nil
	}
	return s.own.Close()
}

func (s *Store) check(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return ctx.Err()
}

// wrap names the operation in a Redis error. Redis errors carry no key names, so no
// token value reaches the message.
func wrap(op string, err error) error {
	if err == nil || errors.Is(err, store.ErrNoToken) {
		return err
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// Key builders. The page goes in braces: Redis Cluster hashes only what is inside,
// so a Page's keys share a slot.
func (s *Store) pageKey(page string) string         { return s.prefix + ":{" + page + "}:" }
func (s *Store) windowKey(page, user string) string { return s.pageKey(page) + "win:" + user }
func (s *Store) tokenPrefix(page string) string     { return s.pageKey(page) + "tok:" }
func (s *Store) userTokensKey(page, user string) string {
	return s.pageKey(page) + "toks:" + user
}
func (s *Store) pageTokensKey(page string) string   { return s.pageKey(page) + "tokens" }
func (s *Store) topicPrefix(page string) string     { return s.pageKey(page) + "topic:" }
func (s *Store) topicsMarkerKey(page string) string { return s.pageKey(page) + "topics" }
func (s *Store) pagesKey() string                   { return s.prefix + ":pages" }
func (s *Store) tokenPageKey(value string) string   { return s.prefix + ":tokpage:" + value }
func (s *Store) dedupeKey(key string) string        { return s.prefix + ":dedupe:" + key }
func (s *Store) ackKey() string                     { return s.prefix + ":ack" }

// checkPage refuses Page IDs that would break the hash tag.
func checkPage(op, field, page string) error {
	if strings.ContainsAny(page, "{}") {
		return &store.InputError{Op: op, Field: field, Limit: "must not contain '{' or '}' in the Redis store", Value: fmt.Sprintf("%q", page)}
	}
	return nil
}

// Times travel to Lua as two integers, seconds and nanoseconds: Lua's numbers are
// doubles, exact to 2^53, which nanoseconds since 1970 are not.
func secs(t time.Time) string  { return strconv.FormatInt(t.Unix(), 10) }
func nanos(t time.Time) string { return strconv.Itoa(t.Nanosecond()) }

// clockPair is t as "<seconds>:<nanoseconds>", the form of a dedupe key's expiry.
func clockPair(t time.Time) string {
	b := make([]byte, 0, 32)
	b = strconv.AppendInt(b, t.Unix(), 10)
	b = append(b, ':')
	return string(strconv.AppendInt(b, int64(t.Nanosecond()), 10))
}

// parseClockPair reads a clockPair back.
func parseClockPair(v string) (time.Time, bool) {
	s, n, ok := parseIntPair(v, ":")
	if !ok || n < 0 || n >= 1e9 {
		return time.Time{}, false
	}
	return time.Unix(s, n), true
}

// parseIntPair reads "<a><sep><b>", two decimal integers: the form of clock pairs
// and of stamps.
func parseIntPair(v, sep string) (a, b int64, ok bool) {
	av, bv, ok := strings.Cut(v, sep)
	if !ok {
		return 0, 0, false
	}
	a, err1 := strconv.ParseInt(av, 10, 64)
	b, err2 := strconv.ParseInt(bv, 10, 64)
	return a, b, err1 == nil && err2 == nil
}

// ttlMillis is d in whole milliseconds, rounded up and at least 1, for PX/PEXPIRE.
func ttlMillis(d time.Duration) int64 {
	ms := (d + time.Millisecond - 1) / time.Millisecond
	return max(int64(ms), 1)
}
