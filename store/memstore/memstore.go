// Package memstore is the [store.Store] held in process memory: for tests, and for a
// single process that may lose its state on restart. It needs no server and no file,
// and it passes the same conformance suite (store/storetest) as the file store
// (store/filestore) and the Redis store (module
// github.com/gomessenger/messenger/redisstore).
package memstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomessenger/messenger/internal/dedupe"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storekit"
)

// DefaultMaxDedupeKeys is how many dedupe keys a [Store] holds unless
// [WithMaxDedupeKeys] says otherwise: about a day of a busy Page's webhook events.
// Each key held costs its own bytes plus about 40 bytes, taken as keys come.
const DefaultMaxDedupeKeys = 1 << 20

// Store is a [store.Store] held in process memory. It is safe for concurrent use.
//
// Its memory stays bounded without a background goroutine: every call evicts the
// windows that expired by the store's clock (after [store.WindowRetention]) and the
// dedupe keys at the front of their queue that expired; when the dedupe keys reach
// their maximum the oldest one (recorded first) is dropped to make room. A dedupe key
// that expired behind a younger key with a longer TTL is no longer seen but keeps its
// room until it reaches the front. The webhook's default dedupe store keeps its keys
// the same way. Tokens stay until [Store.PurgeTokens] and inbox entries until
// [Store.Done].
type Store struct {
	now     func() time.Time
	maxKeys int
	closed  atomic.Bool

	winMu   sync.Mutex
	windows map[pageUser]store.Window
	winExp  *expirySet[pageUser]

	tokMu  sync.Mutex
	tokens map[string]*memToken
	byUser map[pageUser]map[string]struct{}
	// byTopic indexes the tokens of (page, topic) for TokensByTopic; like byUser
	// it changes only when a token is put or purged, since a claim, release or
	// kill never moves a token to another page or topic.
	byTopic map[pageTopic]map[string]struct{}

	dedupe *dedupe.Memory

	inboxMu sync.Mutex
	inbox   map[string]*memEntry
	seq     uint64
}

type pageUser struct{ page, user string }

type pageTopic struct{ page, topic string }

// memToken is a stored token and the LastUsed it had before its latest claim, so
// ReleaseToken can give it back.
type memToken struct {
	store.Token
	prevLastUsed time.Time
	undoable     bool
}

type memEntry struct {
	store.InboxEntry
	seq uint64
}

var (
	_ store.Store       = (*Store)(nil)
	_ store.TopicTokens = (*Store)(nil)
)

// Option configures [New]. Options check their argument: New fails with an error
// naming the option instead of building a store that misbehaves later.
type Option func(*Store) error

// WithClock sets the clock the store reads to expire dedupe keys and windows
// (default time.Now). Tests pass a fake clock to move time instead of sleeping.
func WithClock(now func() time.Time) Option {
	return func(m *Store) error {
		if now == nil {
			return errors.New("memstore: WithClock: clock must not be nil")
		}
		m.now = now
		return nil
	}
}

// WithMaxDedupeKeys bounds how many dedupe keys the store holds (default
// [DefaultMaxDedupeKeys]). When full, the oldest key is evicted first, so only the
// oldest deliveries lose their protection. n must be at least 1: a store that holds
// no key cannot dedupe anything.
func WithMaxDedupeKeys(n int) Option {
	return func(m *Store) error {
		if n < 1 {
			return fmt.Errorf("memstore: WithMaxDedupeKeys: n must be at least 1, got %d", n)
		}
		m.maxKeys = n
		return nil
	}
}

// New returns an empty in-memory store, or the error of the first option that
// rejected its argument.
func New(opts ...Option) (*Store, error) {
	m := &Store{
		now:     time.Now,
		maxKeys: DefaultMaxDedupeKeys,
		windows: make(map[pageUser]store.Window),
		winExp:  newExpirySet[pageUser](),
		tokens:  make(map[string]*memToken),
		byUser:  make(map[pageUser]map[string]struct{}),
		byTopic: make(map[pageTopic]map[string]struct{}),
		inbox:   make(map[string]*memEntry),
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("memstore: New: nil Option")
		}
		if err := o(m); err != nil {
			return nil, err
		}
	}
	m.dedupe = dedupe.New(m.now, m.maxKeys)
	return m, nil
}

// check is the common entry test of every method.
func (m *Store) check(ctx context.Context) error {
	if m.closed.Load() {
		return store.ErrClosed
	}
	return ctx.Err()
}

// Close makes every later call return [store.ErrClosed]. It releases nothing else: the
// store has no goroutine. Closing twice is harmless.
func (m *Store) Close() error {
	m.closed.Store(true)
	return nil
}

// RecordAction implements [store.Windows].
func (m *Store) RecordAction(ctx context.Context, page, user string, a store.Action) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	if err := storekit.CheckAction(page, user, a); err != nil {
		return err
	}
	now := m.now()
	k := pageUser{page, user}
	m.winMu.Lock()
	defer m.winMu.Unlock()
	m.sweepWindows(now)
	w, _ := m.windows[k].Apply(a)
	m.windows[k] = w
	keep := later(a.At, now).Add(store.WindowRetention)
	if old, ok := m.winExp.get(k); !ok || keep.After(old) {
		m.winExp.set(k, keep)
	}
	return nil
}

// Window implements [store.Windows].
func (m *Store) Window(ctx context.Context, page, user string) (store.Window, error) {
	if err := m.check(ctx); err != nil {
		return store.Window{}, err
	}
	if err := storekit.CheckWindowKey("Window", page, user); err != nil {
		return store.Window{}, err
	}
	m.winMu.Lock()
	defer m.winMu.Unlock()
	m.sweepWindows(m.now())
	return m.windows[pageUser{page, user}], nil
}

func (m *Store) sweepWindows(now time.Time) {
	m.winExp.popExpired(now, func(k pageUser) { delete(m.windows, k) })
}

// PutToken implements [store.Tokens].
func (m *Store) PutToken(ctx context.Context, t store.Token) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	t, err := storekit.PrepareToken(t)
	if err != nil {
		return err
	}
	m.tokMu.Lock()
	defer m.tokMu.Unlock()
	if old, ok := m.tokens[t.Value]; ok {
		m.unindex(old.Token)
	}
	m.tokens[t.Value] = &memToken{Token: t}
	addTo(m.byUser, pageUser{t.Page, t.User}, t.Value)
	addTo(m.byTopic, pageTopic{t.Page, t.Topic}, t.Value)
	return nil
}

func (m *Store) unindex(t store.Token) {
	removeFrom(m.byUser, pageUser{t.Page, t.User}, t.Value)
	removeFrom(m.byTopic, pageTopic{t.Page, t.Topic}, t.Value)
}

func addTo[K comparable](idx map[K]map[string]struct{}, k K, value string) {
	if idx[k] == nil {
		idx[k] = make(map[string]struct{})
	}
	idx[k][value] = struct{}{}
}

func removeFrom[K comparable](idx map[K]map[string]struct{}, k K, value string) {
	delete(idx[k], value)
	if len(idx[k]) == 0 {
		delete(idx, k)
	}
}

// ClaimToken implements [store.Tokens]: the pick and the update happen under one lock.
func (m *Store) ClaimToken(ctx context.Context, q store.TokenQuery, now time.Time) (store.Token, error) {
	if err := m.check(ctx); err != nil {
		return store.Token{}, err
	}
	if err := storekit.CheckClaim(q); err != nil {
		return store.Token{}, err
	}
	m.tokMu.Lock()
	defer m.tokMu.Unlock()
	var best *memToken
	for v := range m.byUser[pageUser{q.Page, q.User}] {
		t := m.tokens[v]
		if t.Topic != q.Topic || t.Kind != q.Kind || !t.Claimable(now) {
			continue
		}
		if best == nil || storekit.ClaimsBefore(t.Token, best.Token) {
			best = t
		}
	}
	if best == nil {
		return store.Token{}, store.ErrNoToken
	}
	best.prevLastUsed, best.undoable = best.LastUsed, true
	best.Token = best.Claim(now)
	return best.Token, nil
}

// ReleaseToken implements [store.Tokens]. It returns [store.ErrNoToken] when no token has the
// claimed Value.
func (m *Store) ReleaseToken(ctx context.Context, claimed store.Token) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	m.tokMu.Lock()
	defer m.tokMu.Unlock()
	t, ok := m.tokens[claimed.Value]
	if !ok {
		return store.ErrNoToken
	}
	if u, ok := storekit.Unclaim(t.Token, claimed, storekit.ClaimUndo{PrevLastUsed: t.prevLastUsed, Undoable: t.undoable}); ok {
		t.Token, t.undoable = u, false
	}
	return nil
}

// KillToken implements [store.Tokens]. It returns [store.ErrNoToken] when no token has the value.
func (m *Store) KillToken(ctx context.Context, value string) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	m.tokMu.Lock()
	defer m.tokMu.Unlock()
	t, ok := m.tokens[value]
	if !ok {
		return store.ErrNoToken
	}
	t.State = store.TokenDead
	return nil
}

// ListTokens implements [store.Tokens].
func (m *Store) ListTokens(ctx context.Context, page, user string) ([]store.Token, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	if err := storekit.CheckWindowKey("ListTokens", page, user); err != nil {
		return nil, err
	}
	m.tokMu.Lock()
	defer m.tokMu.Unlock()
	return m.tokensOf(m.byUser[pageUser{page, user}]), nil
}

// TokensByTopic implements [store.TopicTokens] from an index of (page, topic), so it
// reads only the tokens it returns.
func (m *Store) TokensByTopic(ctx context.Context, page, topic string) ([]store.Token, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	if err := storekit.CheckTopicTokens(page); err != nil {
		return nil, err
	}
	m.tokMu.Lock()
	defer m.tokMu.Unlock()
	return m.tokensOf(m.byTopic[pageTopic{page, topic}]), nil
}

// tokensOf copies the tokens whose values are in index, in ListTokens order.
// m.tokMu must be held.
func (m *Store) tokensOf(index map[string]struct{}) []store.Token {
	var out []store.Token
	for v := range index {
		out = append(out, m.tokens[v].Token)
	}
	storekit.SortForList(out)
	return out
}

// PurgeTokens implements [store.Tokens].
func (m *Store) PurgeTokens(ctx context.Context, now time.Time) (int, error) {
	if err := m.check(ctx); err != nil {
		return 0, err
	}
	m.tokMu.Lock()
	defer m.tokMu.Unlock()
	n := 0
	for v, t := range m.tokens {
		if t.Purgeable(now) {
			m.unindex(t.Token)
			delete(m.tokens, v)
			n++
		}
	}
	return n, nil
}

// FirstSeen implements [store.Dedupe]; ttl counts from the store's clock.
func (m *Store) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := m.check(ctx); err != nil {
		return false, err
	}
	if err := storekit.CheckDedupe(key, ttl); err != nil {
		return false, err
	}
	return m.dedupe.FirstSeen(ctx, key, ttl)
}

// Forget implements [store.Dedupe].
func (m *Store) Forget(ctx context.Context, key string) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	return m.dedupe.Forget(ctx, key)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Stats counts what a [Store] holds, for metrics and tests.
type Stats struct {
	Windows, Tokens, DedupeKeys, InboxEntries int
}

// Stats counts what the store holds now, after evicting what expired.
func (m *Store) Stats() Stats {
	now := m.now()
	var st Stats
	m.winMu.Lock()
	m.sweepWindows(now)
	st.Windows = len(m.windows)
	m.winMu.Unlock()
	m.tokMu.Lock()
	st.Tokens = len(m.tokens)
	m.tokMu.Unlock()
	st.DedupeKeys = m.dedupe.Len()
	m.inboxMu.Lock()
	st.InboxEntries = len(m.inbox)
	m.inboxMu.Unlock()
	return st
}
