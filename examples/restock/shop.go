package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"slices"
	"strings"
	"sync"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/otn"
	"github.com/gomessenger/messenger/store"
)

// product is something the shop sells.
type product struct {
	sku, name, url string
	keywords       []string // words people use for it
	inStock        bool
}

// shop is the bot: it answers stock questions, offers a one-time notification
// when something is sold out, and sends it when the product is back.
type shop struct {
	client   *messenger.Client
	notifier *otn.Notifier
	log      *log.Logger

	mu      sync.Mutex
	catalog []*product
}

// newShop builds the shop on tokens, which must also list tokens by topic
// (store.TopicTokens, as the file store does) for a restock to find who asked.
func newShop(client *messenger.Client, tokens store.Tokens, logger *log.Logger) (*shop, error) {
	n, err := otn.New(client, tokens)
	if err != nil {
		return nil, err
	}
	return &shop{
		client:   client,
		notifier: n,
		log:      logger,
		catalog: []*product{
			{sku: "blue-kettle", name: "blue kettle", url: "https://shop.example.com/blue-kettle", keywords: []string{"kettle"}},
			{sku: "oak-tray", name: "oak tray", url: "https://shop.example.com/oak-tray", keywords: []string{"tray"}, inStock: true},
		},
	}, nil
}

// topic is what the person opts in to hear about: the payload of the request
// template, by which Notify finds their token.
func topic(sku string) string { return "restock:" + sku }

func (s *shop) register(wh *messenger.Webhook) {
	messenger.On(wh, s.onMessage)
	messenger.On(wh, s.onOptin)
}

// onMessage answers a question about a product.
func (s *shop) onMessage(ctx context.Context, m *messenger.MessageEvent) error {
	if m.Standby {
		return nil
	}
	page, psid := m.PageID, m.Sender.ID
	p, inStock := s.find(m.Message.Text)
	switch {
	case p == nil:
		return s.reply(ctx, psid, "Ask me about the blue kettle or the oak tray.")
	case inStock:
		return s.reply(ctx, psid, fmt.Sprintf("Yes, the %s is in stock: %s", p.name, p.url))
	}
	if s.hasToken(ctx, page, psid, p.sku) {
		return s.reply(ctx, psid, fmt.Sprintf("The %s is still sold out. You're on the list: I'll tell you once it's back.", p.name))
	}
	if err := s.reply(ctx, psid, fmt.Sprintf("Sorry, the %s is sold out right now.", p.name)); err != nil {
		return err
	}
	// A one-time notification request: a tap on "Notify Me" grants the Page one
	// message about this topic within a year, window or not.
	title := "The " + p.name + " is back in stock"
	_, err := s.notifier.Request(ctx, otn.OptInRequest{Page: page, User: psid, Title: title, Topic: topic(p.sku)})
	return err
}

// onOptin keeps the token of a tap on "Notify Me". The token is the waitlist:
// a restock asks the token store who holds one for the product.
func (s *shop) onOptin(ctx context.Context, ev *messenger.OptinEvent) error {
	tok, ok, err := s.notifier.Capture(ctx, ev)
	if err != nil || !ok {
		return err // !ok: a plugin opt-in, which carries no token
	}
	if !strings.HasPrefix(tok.Topic, "restock:") {
		return nil
	}
	err = s.reply(ctx, tok.User, "Done! I'll send you one message when it's back.")
	// An opt-in does not open the 24-hour window: tapped a day after the
	// question, the confirmation is refused, and the token is kept all the same.
	if errors.Is(err, messenger.ErrOutsideWindow) {
		return nil
	}
	return err
}

// restock marks sku as in stock and tells everyone of page waiting for it,
// once. It may run more than once for one delivery (a retried warehouse
// webhook, two instances): each token is claimed atomically, so nobody is told
// twice; a later run finds nobody left, a concurrent one is refused.
func (s *shop) restock(ctx context.Context, page, sku string) error {
	p := s.product(sku)
	if p == nil {
		return fmt.Errorf("restock: unknown sku %q", sku)
	}
	s.mu.Lock()
	p.inStock = true
	s.mu.Unlock()

	people, err := s.notifier.Holders(ctx, page, topic(sku))
	if err != nil {
		return err
	}
	s.log.Printf("(%d waiting for the %s)", len(people), p.name)
	msg := messenger.Text(fmt.Sprintf("Good news: the %s is back in stock! %s", p.name, p.url))
	var errs []error
	for _, psid := range people {
		_, err := s.notifier.Notify(ctx, page, psid, topic(sku), msg)
		var failed *otn.NotifyError
		switch {
		case err == nil:
			s.log.Printf("(told %s the %s is back)", psid, p.name)
		case errors.Is(err, otn.ErrNoToken):
			// A concurrent restock used their token first: they were told.
			s.log.Printf("(not telling %s again: no usable token for %s)", psid, topic(sku))
		case errors.As(err, &failed):
			// Graph refused or the outcome is unknown; Fate says whether the token
			// can be used on the next restock.
			s.log.Printf("(could not tell %s: %v; token %s)", psid, failed.Err, failed.Fate)
			errs = append(errs, err)
		default:
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// find returns the product text asks about and whether it is in stock.
func (s *shop) find(text string) (*product, bool) {
	text = strings.ToLower(text)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.catalog {
		if slices.ContainsFunc(p.keywords, func(k string) bool { return strings.Contains(text, k) }) {
			return p, p.inStock
		}
	}
	return nil, false
}

func (s *shop) product(sku string) *product {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.catalog {
		if p.sku == sku {
			return p
		}
	}
	return nil
}

// hasToken says whether the person already granted a notification for sku that
// is still unused, so they are not asked twice.
func (s *shop) hasToken(ctx context.Context, page, psid, sku string) bool {
	toks, err := s.notifier.Tokens(ctx, page, psid)
	if err != nil {
		s.log.Printf("(token store: %v)", err)
		return false
	}
	return slices.ContainsFunc(toks, func(t store.Token) bool {
		return t.Topic == topic(sku) && t.Claimable(s.client.Now())
	})
}

// reply answers psid inside the 24-hour window their message opened.
func (s *shop) reply(ctx context.Context, psid, text string) error {
	_, err := s.client.Send(ctx, messenger.SendRequest{To: messenger.PSID(psid), Type: messenger.Response, Message: messenger.Text(text)})
	return err
}
