package otn

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/gomessenger/messenger/store"
)

// TopicTokens is what a token store needs for [Notifier.Holders]: the tokens of
// every person of page for topic, in any state. It is [store.TopicTokens], which
// the memory, file and Redis stores implement; the name stays here so code
// written against otn keeps compiling.
type TopicTokens = store.TopicTokens

// Holders returns the PSIDs of the people of page who hold a token for topic
// that Notify could spend now (by the Notifier's clock: live, not expired, and
// for a recurring token past its MinInterval), each once, sorted. A restock bot
// can notify them without keeping a waitlist of its own:
//
//	psids, err := n.Holders(ctx, page, "back_in_stock:sku-42")
//	for _, psid := range psids {
//		n.Notify(ctx, page, psid, "back_in_stock:sku-42", msg)
//	}
//
// The list is a snapshot: Notify still claims each token atomically, so a
// holder notified meanwhile by another process gets [ErrNoToken], not a second
// message. Holders needs a token store that implements [TopicTokens]; with one
// that does not it returns an error matching [errors.ErrUnsupported].
func (n *Notifier) Holders(ctx context.Context, page, topic string) ([]string, error) {
	tt, ok := n.tokens.(TopicTokens)
	if !ok {
		return nil, fmt.Errorf("otn: Holders: the token store %T cannot list tokens by topic (it needs a TokensByTopic method, see otn.TopicTokens): %w", n.tokens, errors.ErrUnsupported)
	}
	toks, err := tt.TokensByTopic(ctx, page, topic)
	if err != nil {
		return nil, fmt.Errorf("otn: list the tokens of topic %q on Page %s: %w", topic, page, err)
	}
	now := n.now()
	var out []string
	for _, t := range toks {
		// The store is trusted to filter, but a wrong token here would mean a
		// message to someone who did not ask for this topic.
		if t.Page != page || t.Topic != topic || !t.Claimable(now) {
			continue
		}
		out = append(out, t.User)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
