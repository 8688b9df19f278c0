package otn

import (
	"errors"
	"fmt"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store"
)

// TokenFate is what a failed [Notifier.Notify] did with the token it claimed.
type TokenFate string

const (
	// TokenRestored: the failure proves nothing was delivered, so the claim was
	// undone and the token can be used again.
	TokenRestored TokenFate = "restored"
	// TokenDead: Graph refused the token itself (invalid, used, expired, or the
	// person stopped notifications); it was marked dead.
	TokenDead TokenFate = "dead"
	// TokenKept: the message may have been delivered (or, for a recurring token,
	// Graph said its frequency is spent), so the token stays claimed. Check the
	// conversation (message echoes) before asking the person for a new opt-in.
	TokenKept TokenFate = "kept claimed"
)

// NotifyError is a failed send with a claimed token. Err is the send error (joined
// with a store error if the fate could not be recorded); errors.Is and errors.As see
// through it to *messenger.GraphError and the messenger sentinels. The token value
// itself is never in the error: it is a permission, like a password.
type NotifyError struct {
	Page, User, Topic string
	Kind              store.TokenKind
	Fate              TokenFate
	Err               error
}

// Error says whom the notification was for, why it failed and what became of the
// token.
func (e *NotifyError) Error() string {
	kind := "one-time"
	if e.Kind == store.RecurringKind {
		kind = "recurring"
	}
	return fmt.Sprintf("otn: notify user %s of Page %s on topic %q with a %s token: %v (token %s)",
		e.User, e.Page, e.Topic, kind, e.Err, e.Fate)
}

// Unwrap returns the send error.
func (e *NotifyError) Unwrap() error { return e.Err }

// FateOf decides what a failed send with a notification token means for the token.
//
// TokenRestored — nothing was delivered, provably:
//   - the SDK refused the request before the network (messenger.ErrInvalidRequest)
//     or the policy guard refused it (messenger.ErrPolicyRefused);
//   - no connection could be made (messenger.ErrNotSent: dial or DNS failure, so no
//     byte of the request left the process);
//   - Graph answered with an error envelope that refuses the call as a whole:
//     throttling, permissions, the Page access token (190), the person unavailable
//     (551), temporary failures (1, 2, 1200) in a GraphError that is not marked
//     Ambiguous (the client marks those it gets for a send), and invalid-parameter
//     errors about the message content (100 with a subcode such as 2018008,
//     2018074, 2018109: a bad attachment, not a bad token);
//   - an HTTP 429 without a Graph envelope (throttled at the edge).
//
// TokenDead — Graph refused the notification token: 100 with no subcode or 2018001
// (invalid, used or expired token; no matching user), or 10/1893015 (the person
// stopped notifications for this topic).
//
// TokenKept — anything that may have delivered the message, or that we cannot read:
// messenger.ErrAmbiguous (the connection broke or an attempt timed out after the
// request was written, Graph's 1/1357046 "sent anyway", or a temporary failure 1,
// 2, 1200 answered to the send, which Graph gives for sends it delivered), the
// context ending during the call (the SDK
// cannot tell whether the request had left), an HTTP 5xx or other answer without a
// Graph envelope, any other error; and 4/2018354 (minimum delay between recurring
// notifications), where keeping the claim keeps the frequency clock running.
//
// For a *NotifyError FateOf returns the fate Notify recorded.
func FateOf(err error) TokenFate {
	var (
		ge *messenger.GraphError
		ne *NotifyError
	)
	switch {
	case err == nil:
		return TokenKept
	case errors.As(err, &ne):
		return ne.Fate
	case errors.Is(err, messenger.ErrAmbiguous):
		return TokenKept
	case errors.Is(err, messenger.ErrInvalidRequest),
		errors.Is(err, messenger.ErrPolicyRefused),
		errors.Is(err, messenger.ErrNotSent):
		return TokenRestored
	case errors.As(err, &ge):
		return graphFate(ge)
	}
	return TokenKept
}

func graphFate(ge *messenger.GraphError) TokenFate {
	switch {
	case ge.Code == 0:
		if ge.HTTPStatus == 429 {
			return TokenRestored
		}
		return TokenKept
	case ge.Code == 100 && (ge.Subcode == 0 || ge.Subcode == 2018001):
		return TokenDead
	case ge.Code == 10 && ge.Subcode == 1893015:
		return TokenDead
	case ge.Code == 4 && ge.Subcode == 2018354:
		return TokenKept
	}
	return TokenRestored
}
