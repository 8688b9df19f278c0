package otn

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store"
)

// ErrNoToken is what [Notifier.Notify] returns (wrapped) when the person holds no
// usable token for the topic: none was captured, the one there was is used, dead or
// expired, or a recurring token's frequency does not allow another message yet. It is
// [store.ErrNoToken], so either matches with errors.Is.
var ErrNoToken = store.ErrNoToken

// Sender sends one Send API request. *messenger.Client implements it; tests and
// wrappers (logging, metrics) can stand in for it. It must be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, req messenger.SendRequest) (*messenger.SendResponse, error)
}

// Notifier sends notifications with the tokens people granted: it captures them
// from opt-in webhooks into a [store.Tokens] and spends each at most once.
// It is safe for concurrent use; the single-use guarantee holds across goroutines
// and, with a shared store (file or Redis), across processes.
type Notifier struct {
	client  Sender
	senders func(ctx context.Context, page string) (Sender, error)
	tokens  store.Tokens
	now     func() time.Time
}

// Option configures a [Notifier].
type Option func(*Notifier) error

// WithPageSenders makes the Notifier serve several Pages: fn returns the sender
// acting as page, typically root.ForPage(page, tokenOf(page)) cached per Page. Each
// notification token belongs to the Page it was granted to, and Graph refuses it
// through another Page's client.
func WithPageSenders(fn func(ctx context.Context, page string) (Sender, error)) Option {
	return func(n *Notifier) error {
		if fn == nil {
			return errors.New("otn: WithPageSenders(nil)")
		}
		n.senders = fn
		return nil
	}
}

// WithClock sets the clock that decides expiry and recurring frequency. By default
// the Notifier uses the client's clock (messenger.WithClock) when the client has a
// Now method, time.Now otherwise.
func WithClock(now func() time.Time) Option {
	return func(n *Notifier) error {
		if now == nil {
			return errors.New("otn: WithClock(nil)")
		}
		n.now = now
		return nil
	}
}

// New returns a Notifier that sends through client and keeps tokens in tokens
// (store/memstore for one process, the file or Redis store to survive restarts).
// client may be nil when [WithPageSenders] is given. New never touches the network.
func New(client Sender, tokens store.Tokens, opts ...Option) (*Notifier, error) {
	if tokens == nil {
		return nil, errors.New("otn: New needs a token store")
	}
	n := &Notifier{client: client, tokens: tokens, now: time.Now}
	if c, ok := client.(interface{ Now() time.Time }); ok {
		n.now = c.Now
	}
	for _, o := range opts {
		if err := o(n); err != nil {
			return nil, err
		}
	}
	if n.client == nil && n.senders == nil {
		return nil, errors.New("otn: New needs a client or WithPageSenders")
	}
	return n, nil
}

// sender picks the sender acting as page.
func (n *Notifier) sender(ctx context.Context, page string) (Sender, error) {
	if n.senders != nil {
		s, err := n.senders(ctx, page)
		if err != nil {
			return nil, fmt.Errorf("otn: no sender for Page %s: %w", page, err)
		}
		if s == nil {
			return nil, fmt.Errorf("otn: no sender for Page %s", page)
		}
		return s, nil
	}
	// A client that knows its Page must not spend another Page's token; one that does
	// not ("me") is trusted to be the Page the tokens were captured for.
	if p, ok := n.client.(interface{ PageID() string }); ok {
		if id := p.PageID(); id != "" && id != page {
			return nil, fmt.Errorf("otn: the client acts as Page %s, not Page %s: use WithPageSenders", id, page)
		}
	}
	return n.client, nil
}

// claimOrder is the order in which Notify looks for a token: a one-time token
// answers the one update the person asked for, and leaves the recurring token's
// frequency budget for the regular cadence.
var claimOrder = []store.TokenKind{store.OneTimeKind, store.RecurringKind}

// Notify sends msg to the person user of page with a token they granted for topic
// (the payload of the opt-in request). It claims the token in the store atomically
// before sending, so of any number of concurrent calls for one one-time token exactly
// one sends; a recurring token is claimed only when its frequency allows (the store
// enforces MinInterval). One-time tokens are tried first, then recurring ones; among
// each kind the one that expires first.
//
// The message is validated (messenger.SendRequest.Validate) before any token is
// claimed. When the send fails, the returned *[NotifyError] says what became of the
// token, decided by [FateOf]: restored when the failure proves nothing was delivered,
// dead when Graph refused the token, kept claimed when the message may have gone out.
//
// With no usable token Notify sends nothing and returns an error matching
// [ErrNoToken].
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/send-messages/one-time-notification/
func (n *Notifier) Notify(ctx context.Context, page, user, topic string, msg *messenger.Message) (*messenger.SendResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if page == "" || user == "" {
		return nil, &messenger.ValidationError{Field: "page/user", Limit: "both required", Value: fmt.Sprintf("%q/%q", page, user)}
	}
	if msg == nil {
		return nil, &messenger.ValidationError{Field: "message", Limit: "required", Value: "nil"}
	}
	// Check the message before a real token is put at stake.
	if err := msg.Validate(); err != nil {
		return nil, err
	}
	s, err := n.sender(ctx, page)
	if err != nil {
		return nil, err
	}
	for _, kind := range claimOrder {
		tok, err := n.tokens.ClaimToken(ctx, store.TokenQuery{Page: page, User: user, Topic: topic, Kind: kind}, n.now())
		if errors.Is(err, store.ErrNoToken) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("otn: claim a token of user %s on Page %s: %w", user, page, err)
		}
		return n.sendWith(ctx, s, tok, msg)
	}
	return nil, fmt.Errorf("otn: user %s of Page %s has no usable token for topic %q: %w", user, page, topic, ErrNoToken)
}

func (n *Notifier) sendWith(ctx context.Context, s Sender, tok store.Token, msg *messenger.Message) (*messenger.SendResponse, error) {
	to := messenger.OneTimeToken(tok.Value)
	if tok.Kind == store.RecurringKind {
		to = messenger.RecurringToken(tok.Value)
	}
	// A context that ended while the token was being claimed: nothing has been sent
	// yet, so give the token back rather than let Send fail in a way that cannot be
	// told apart from a cancellation in flight.
	if err := ctx.Err(); err != nil {
		if rerr := n.tokens.ReleaseToken(context.WithoutCancel(ctx), tok); rerr != nil {
			err = errors.Join(err, fmt.Errorf("otn: recording the token as %s failed: %w", TokenRestored, rerr))
		}
		return nil, &NotifyError{Page: tok.Page, User: tok.User, Topic: tok.Topic, Kind: tok.Kind, Fate: TokenRestored, Err: err}
	}
	res, err := s.Send(ctx, messenger.SendRequest{To: to, Message: msg})
	if err == nil {
		return res, nil
	}
	fate := FateOf(err)
	// Record the fate even if the caller's context ended: the store call is what
	// keeps the token from being lost or reused.
	sctx := context.WithoutCancel(ctx)
	var serr error
	switch fate {
	case TokenRestored:
		serr = n.tokens.ReleaseToken(sctx, tok)
	case TokenDead:
		serr = n.tokens.KillToken(sctx, tok.Value)
	}
	if serr != nil {
		serr = fmt.Errorf("otn: recording the token as %s failed: %w", fate, serr)
	}
	return nil, &NotifyError{
		Page: tok.Page, User: tok.User, Topic: tok.Topic, Kind: tok.Kind, Fate: fate,
		Err: errors.Join(err, serr),
	}
}
