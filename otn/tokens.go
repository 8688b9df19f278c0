package otn

import (
	"context"
	"fmt"

	"github.com/gomessenger/messenger/store"
)

// Tokens lists the tokens user granted page, in any state, oldest first.
func (n *Notifier) Tokens(ctx context.Context, page, user string) ([]store.Token, error) {
	toks, err := n.tokens.ListTokens(ctx, page, user)
	if err != nil {
		return nil, fmt.Errorf("otn: list the tokens of user %s on Page %s: %w", user, page, err)
	}
	return toks, nil
}

// Expired lists the tokens of (page, user) that have expired by the Notifier's
// clock and are still stored. Notify never sends with them; [Notifier.Purge] deletes
// them.
func (n *Notifier) Expired(ctx context.Context, page, user string) ([]store.Token, error) {
	toks, err := n.Tokens(ctx, page, user)
	if err != nil {
		return nil, err
	}
	now := n.now()
	var out []store.Token
	for _, t := range toks {
		if !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt) {
			out = append(out, t)
		}
	}
	return out, nil
}

// Purge deletes every token that can never be used again: expired by the
// Notifier's clock, dead, or one-time and already used. It returns how many it
// deleted.
func (n *Notifier) Purge(ctx context.Context) (int, error) {
	k, err := n.tokens.PurgeTokens(ctx, n.now())
	if err != nil {
		return k, fmt.Errorf("otn: purge tokens: %w", err)
	}
	return k, nil
}
