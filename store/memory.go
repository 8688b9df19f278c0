package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomessenger/messenger/internal/dedupe"
)

// DefaultMaxDedupeKeys is how many dedupe keys a [Memory] store holds unless
// [WithMaxDedupeKeys] says otherwise: about a day of a busy Page's webhook events.
// Each key held costs its own bytes plus about 30 bytes, taken as keys come.
const DefaultMaxDedupeKeys = 1 << 20

// Memory is a [Store] held in process memory: for tests, and for a single process
// that may lose its state on restart. It is safe for concurrent use.
//
// Its memory stays bounded without a background goroutine: every call evicts the
// windows that expired by the store's clock (after [WindowRetention]) and the dedupe
// keys at the front of their queue that expired; when the dedupe keys reach their
// maximum the oldest one (recorded first) is dropped to make room. A dedupe key that
// expired behind a younger key with a longer TTL is no longer seen but keeps its
// room until it reaches the front. The webhook's default dedupe store keeps its keys
// the same way. Tokens stay until [Memory.PurgeTokens] and inbox entries until
// [Memory.Done].
type Memory struct {
	now     func() time.Time
	maxKeys int
	closed  atomic.Bool

	winMu   sync.Mutex
	windows map[pageUser]Window
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
	Token
	prevLastUsed time.Time
	undoable     bool
}

type memEntry struct {
	InboxEntry
	seq uint64
}

var (
	_ Store       = (*Memory)(nil)
	_ TopicTokens = (*Memory)(nil)
)

// MemoryOption configures [NewMemory]. Options check their argument: NewMemory fails
// with an error naming the option instead of building a store that misbehaves later.
type MemoryOption func(*Memory) error

// WithClock sets the clock the store reads to expire dedupe keys and windows
// (default time.Now). Tests pass a fake clock to move time instead of sleeping.
func WithClock(now func() time.Time) MemoryOption {
	return func(m *Memory) error {
		if now == nil {
			return errors.New("store: WithClock: clock must not be nil")
		}
		m.now = now
		return nil
	}
}

// WithMaxDedupeKeys bounds how many dedupe keys the store holds (default
// [DefaultMaxDedupeKeys]). When full, the oldest key is evicted first, so only the
// oldest deliveries lose their protection. n must be at least 1: a store that holds
// no key cannot dedupe anything.
func WithMaxDedupeKeys(n int) MemoryOption {
	return func(m *Memory) error {
		if n < 1 {
			return fmt.Errorf("store: WithMaxDedupeKeys: n must be at least 1, got %d", n)
		}
		m.maxKeys = n
		return nil
	}
}

// NewMemory returns an empty in-memory store, or the error of the first option that
// rejected its argument.
func NewMemory(opts ...MemoryOption) (*Memory, error) {
	m := &Memory{
		now:     time.Now,
		maxKeys: DefaultMaxDedupeKeys,
		windows: make(map[pageUser]Window),
		winExp:  newExpirySet[pageUser](),
		tokens:  make(map[string]*memToken),
		byUser:  make(map[pageUser]map[string]struct{}),
		byTopic: make(map[pageTopic]map[string]struct{}),
		inbox:   make(map[string]*memEntry),
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("store: NewMemory: nil MemoryOption")
		}
		if err := o(m); err != nil {
			return nil, err
		}
	}
	m.dedupe = dedupe.New(m.now, m.maxKeys)
	return m, nil
}

// check is the common entry test of every method.
func (m *Memory) check(ctx context.Context) error {
	if m.closed.Load() {
		return ErrClosed
	}
	return ctx.Err()
}

// Close makes every later call return [ErrClosed]. It releases nothing else: the
// store has no goroutine. Closing twice is harmless.
func (m *Memory) Close() error {
	m.closed.Store(true)
	return nil
}

// RecordAction implements [Windows].
func (m *Memory) RecordAction(ctx context.Context, page, user string, a Action) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	if err := CheckAction(page, user, a); err != nil {
		return err
	}
	now := m.now()
	k := pageUser{page, user}
	m.winMu.Lock()
	defer m.winMu.Unlock()
	m.sweepWindows(now)
	w, _ := m.windows[k].Apply(a)
	m.windows[k] = w
	keep := later(a.At, now).Add(WindowRetention)
	if old, ok := m.winExp.get(k); !ok || keep.After(old) {
		m.winExp.set(k, keep)
	}
	return nil
}

// Window implements [Windows].
func (m *Memory) Window(ctx context.Context, page, user string) (Window, error) {
	if err := m.check(ctx); err != nil {
		return Window{}, err
	}
	if err := CheckWindowKey("Window", page, user); err != nil {
		return Window{}, err
	}
	m.winMu.Lock()
	defer m.winMu.Unlock()
	m.sweepWindows(m.now())
	return m.windows[pageUser{page, user}], nil
}

func (m *Memory) sweepWindows(now time.Time) {
	m.winExp.popExpired(now, func(k pageUser) { delete(m.windows, k) })
}

// PutToken implements [Tokens].
func (m *Memory) PutToken(ctx context.Context, t Token) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	t, err := PrepareToken(t)
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

func (m *Memory) unindex(t Token) {
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

// ClaimToken implements [Tokens]: the pick and the update happen under one lock.
func (m *Memory) ClaimToken(ctx context.Context, q TokenQuery, now time.Time) (Token, error) {
	if err := m.check(ctx); err != nil {
		return Token{}, err
	}
	if err := CheckClaim(q); err != nil {
		return Token{}, err
	}
	m.tokMu.Lock()
	defer m.tokMu.Unlock()
	var best *memToken
	for v := range m.byUser[pageUser{q.Page, q.User}] {
		t := m.tokens[v]
		if t.Topic != q.Topic || t.Kind != q.Kind || !t.Claimable(now) {
			continue
		}
		if best == nil || ClaimsBefore(t.Token, best.Token) {
			best = t
		}
	}
	if best == nil {
		return Token{}, ErrNoToken
	}
	best.prevLastUsed, best.undoable = best.LastUsed, true
	best.Token = best.Claim(now)
	return best.Token, nil
}

// ReleaseToken implements [Tokens]. It returns [ErrNoToken] when no token has the
// claimed Value.
func (m *Memory) ReleaseToken(ctx context.Context, claimed Token) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	m.tokMu.Lock()
	defer m.tokMu.Unlock()
	t, ok := m.tokens[claimed.Value]
	if !ok {
		return ErrNoToken
	}
	if u, ok := Unclaim(t.Token, claimed, ClaimUndo{PrevLastUsed: t.prevLastUsed, Undoable: t.undoable}); ok {
		t.Token, t.undoable = u, false
	}
	return nil
}

// KillToken implements [Tokens]. It returns [ErrNoToken] when no token has the value.
func (m *Memory) KillToken(ctx context.Context, value string) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	m.tokMu.Lock()
	defer m.tokMu.Unlock()
	t, ok := m.tokens[value]
	if !ok {
		return ErrNoToken
	}
	t.State = TokenDead
	return nil
}

// ListTokens implements [Tokens].
func (m *Memory) ListTokens(ctx context.Context, page, user string) ([]Token, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	if err := CheckWindowKey("ListTokens", page, user); err != nil {
		return nil, err
	}
	m.tokMu.Lock()
	defer m.tokMu.Unlock()
	return m.tokensOf(m.byUser[pageUser{page, user}]), nil
}

// TokensByTopic implements [TopicTokens] from an index of (page, topic), so it
// reads only the tokens it returns.
func (m *Memory) TokensByTopic(ctx context.Context, page, topic string) ([]Token, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	if err := CheckTopicTokens(page); err != nil {
		return nil, err
	}
	m.tokMu.Lock()
	defer m.tokMu.Unlock()
	return m.tokensOf(m.byTopic[pageTopic{page, topic}]), nil
}

// tokensOf copies the tokens whose values are in index, in ListTokens order.
// m.tokMu must be held.
func (m *Memory) tokensOf(index map[string]struct{}) []Token {
	var out []Token
	for v := range index {
		out = append(out, m.tokens[v].Token)
	}
	SortForList(out)
	return out
}

// PurgeTokens implements [Tokens].
func (m *Memory) PurgeTokens(ctx context.Context, now time.Time) (int, error) {
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

// FirstSeen implements [Dedupe]; ttl counts from the store's clock.
func (m *Memory) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := m.check(ctx); err != nil {
		return false, err
	}
	if err := CheckDedupe(key, ttl); err != nil {
		return false, err
	}
	return m.dedupe.FirstSeen(ctx, key, ttl)
}

// Forget implements [Dedupe].
func (m *Memory) Forget(ctx context.Context, key string) error {
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

// compareBy turns a less function into a slices.SortFunc comparison.
func compareBy[T any](less func(a, b T) bool) func(a, b T) int {
	return func(a, b T) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	}
}

// MemoryStats counts what a [Memory] store holds, for metrics and tests.
type MemoryStats struct {
	Windows, Tokens, DedupeKeys, InboxEntries int
}

// Stats counts what the store holds now, after evicting what expired.
func (m *Memory) Stats() MemoryStats {
	now := m.now()
	var st MemoryStats
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
