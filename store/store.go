// Package store defines the state the SDK keeps between webhook deliveries and sends:
// the interfaces, the types they carry, their errors and limits.
//
// Four kinds of state matter, and losing any of them is visible to a user:
//
//   - [Windows]: the last window-opening action of each person towards each Page, which
//     the policy guard needs to know whether a message may be sent now;
//   - [Tokens]: one-time and recurring notification tokens, each a permission that is
//     lost when the token is lost and abused when it is used twice;
//   - [Dedupe]: keys of webhook events already handled, so a redelivery is not answered
//     twice;
//   - [Inbox]: verified webhook bodies acknowledged to Meta but not yet handled, so an
//     acknowledged event survives a crash or a failing handler, held by one
//     instance at a time.
//
// Three implementations pass the conformance suite (store/storetest):
//
//   - store/memstore: in process memory, for tests and for one process that may lose
//     its state on restart;
//   - store/filestore: one file on local disk, crash-safe, for one process;
//   - module github.com/gomessenger/messenger/redisstore: Redis, shared by a fleet of
//     processes.
//
// Every implementation is safe for concurrent use by many goroutines; the Redis
// implementation is also safe across processes. Methods take a context for
// implementations that do I/O. Authors of another store find the checks and orders
// these three share in store/storekit.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNoToken is returned by [Tokens.ClaimToken] when no live, unexpired token matches.
var ErrNoToken = errors.New("store: no usable token")

// ErrClosed is returned by any method called after Close.
var ErrClosed = errors.New("store: closed")

// ActionKind names a user action that opens (or re-opens) the standard messaging window.
type ActionKind string

// The window-opening actions of the platform's policy (docs/platform.md, “The 24-hour window”).
const (
	ActionMessage  ActionKind = "message"  // a message, quick-reply or ice-breaker tap
	ActionPostback ActionKind = "postback" // a button tap: Get Started, persistent menu, template button
	ActionReferral ActionKind = "referral" // an m.me link, ad or plugin into an existing thread
	ActionReaction ActionKind = "reaction" // a reaction to a message
	ActionOptin    ActionKind = "optin"    // a plugin opt-in (Send to Messenger, checkbox)
	ActionAdClick  ActionKind = "ad"       // a first message after a Click-to-Messenger ad
)

// Action is one window-opening user action at a point in time.
type Action struct {
	Kind ActionKind
	At   time.Time
}

// Window is what a [Windows] store knows about one person and one Page.
// The zero value means the person never acted.
type Window struct {
	// LastAction is the latest window-opening action of any kind.
	LastAction Action
	// LastMessage is the latest ActionMessage (the HUMAN_AGENT and CUSTOMER_FEEDBACK
	// tags count from the person's last message).
	LastMessage time.Time
	// LastAdReferral is the latest ActionAdClick, which may grant a longer window.
	LastAdReferral time.Time
}

// Windows records window-opening actions per (page, user).
//
// RecordAction keeps the latest time per kind: recording an older action than one
// already stored changes nothing, so webhook redeliveries and out-of-order events are
// harmless. Implementations may forget a window WindowRetention (14 days) after its last action;
// no rule looks further back.
type Windows interface {
	RecordAction(ctx context.Context, page, user string, a Action) error
	Window(ctx context.Context, page, user string) (Window, error)
}

// TokenKind tells a one-time notification token from a recurring one.
type TokenKind string

// The two kinds of notification token, named as the Send API's recipient fields
// (docs/platform.md, “Recipients”, “One-time notifications”, “Recurring notifications”).
const (
	// OneTimeKind is a one-time notification token: one send, within a year.
	OneTimeKind TokenKind = "one_time_notif_token"
	// RecurringKind is a recurring notification (marketing messages) token: a send
	// per MinInterval until it expires.
	RecurringKind TokenKind = "notification_messages_token"
)

// TokenState is where a token is in its life.
type TokenState string

// The states of a token.
const (
	TokenLive    TokenState = "live"    // may be claimed
	TokenClaimed TokenState = "claimed" // a send with it is in flight or done
	TokenDead    TokenState = "dead"    // Graph refused it, or the person stopped it
)

// Token is a notification permission a person granted to a Page.
type Token struct {
	Value    string // the token Graph issued; unique
	Kind     TokenKind
	Page     string
	User     string // PSID of the person who opted in
	Topic    string // the opt-in payload that names what the person asked to hear about
	IssuedAt time.Time
	// ExpiresAt is when the token stops being usable: one year after issue for
	// one-time tokens, the token_expiry_timestamp for recurring ones.
	ExpiresAt time.Time
	// MinInterval is the shortest time between two sends with a recurring token
	// (24 h for DAILY); zero for one-time tokens.
	MinInterval time.Duration
	State       TokenState
	// LastUsed is when the token was last claimed (zero: never).
	LastUsed time.Time
	// Uses counts successful claims.
	Uses int
}

// TokenQuery names the tokens [Tokens.ClaimToken] picks from: the tokens one person
// granted one Page for one topic, of one kind.
type TokenQuery struct {
	Page  string
	User  string // PSID of the person who opted in
	Topic string // the opt-in payload
	Kind  TokenKind
}

// Tokens stores notification tokens.
//
// ClaimToken is the single-use contract: among the live tokens that match the
// [TokenQuery] (page, user, topic, kind) and have not expired at now (and, for
// recurring tokens, whose MinInterval has passed since LastUsed), it picks the one
// that expires first and, atomically with the pick, marks a one-time token claimed
// or stamps a recurring token's LastUsed and Uses.
// Concurrent claimers never get the same one-time token; when none qualifies it returns
// ErrNoToken.
type Tokens interface {
	// PutToken inserts or replaces a token by its Value.
	PutToken(ctx context.Context, t Token) error
	ClaimToken(ctx context.Context, q TokenQuery, now time.Time) (Token, error)
	// ReleaseToken undoes a claim that provably sent nothing: a one-time token becomes
	// live again, a recurring token gets back the LastUsed and Uses it had before.
	ReleaseToken(ctx context.Context, claimed Token) error
	// KillToken marks a token dead (Graph said it is invalid or used, or the person
	// stopped notifications).
	KillToken(ctx context.Context, value string) error
	// ListTokens returns the tokens of (page, user), any state, oldest first.
	ListTokens(ctx context.Context, page, user string) ([]Token, error)
	// PurgeTokens deletes tokens that expired at or before now, or are dead or used-up
	// one-time tokens, and returns how many it deleted.
	PurgeTokens(ctx context.Context, now time.Time) (int, error)
}

// TopicTokens lists tokens by topic across people: the tokens of every person of a
// Page for one topic, as a restock or event bot needs to notify everyone who asked.
// It is separate from [Tokens] so stores of other authors keep satisfying Tokens;
// the memory store (store/memstore), the file store (store/filestore) and the Redis store
// (module github.com/gomessenger/messenger/redisstore) implement it, each from an
// index, without reading every token.
//
// TokensByTopic returns every token of (page, topic), of any kind and any state
// (live, claimed, dead, expired but not yet purged), in the order of
// [Tokens.ListTokens] (oldest IssuedAt first, then Value); none is an empty result,
// not an error.
type TopicTokens interface {
	TokensByTopic(ctx context.Context, page, topic string) ([]Token, error)
}

// Dedupe remembers keys of work already done.
//
// FirstSeen atomically records key for ttl and reports whether this call was the
// first to record it (true) or the key was already present and unexpired (false).
// Of any number of concurrent callers with one key, exactly one gets true.
type Dedupe interface {
	FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Forget removes key, so that a redelivery of work that failed is handled again.
	Forget(ctx context.Context, key string) error
}

// Store is every kind of state at once, as the memory, file and Redis stores provide.
type Store interface {
	Windows
	Tokens
	Dedupe
	Inbox
	Close() error
}
