package main

import (
	"context"
	"fmt"
	"log"
	"strings"
	"sync"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/persona"
	"github.com/gomessenger/messenger/policy"
	"github.com/gomessenger/messenger/responsiveness"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/tags"
)

// The payloads of the bot's buttons: ice breakers and quick replies.
const (
	payloadHours    = "FAQ_HOURS"
	payloadShipping = "FAQ_SHIPPING"
	payloadReturns  = "FAQ_RETURNS"
	payloadHuman    = "HUMAN"
)

// faq is one question the bot answers by itself.
type faq struct {
	payload  string
	title    string // quick-reply title: at most 20 characters
	question string // ice-breaker question
	answer   string
}

var faqs = []faq{
	{payloadShipping, "Shipping", "How long does shipping take?",
		"Orders leave our warehouse within one working day and arrive in 2–4 days."},
	{payloadReturns, "Returns", "How do I return something?",
		"You have 30 days: reply with your order number and we send a free return label."},
	{payloadHours, "Opening hours", "When can I talk to a person?", ""}, // answered from the schedule
}

// wantsHuman spots a request for a person in free text; the quick reply and the
// ice breaker are the reliable way, this catches people who type it.
func wantsHuman(text string) bool {
	text = strings.ToLower(text)
	for _, w := range []string{"human", "person", "agent", "someone", "somebody"} {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// bot is a support desk: it answers common questions itself at any hour and
// hands the conversation to people when asked, keeping quiet while they talk.
type bot struct {
	client   *messenger.Client
	personas *persona.Client
	store    store.Store
	team     hours
	// humanApp receives the threads people ask a human for: Page Inbox, or the
	// app id of a help-desk product.
	humanApp string
	stats    *responsiveness.Aggregator
	log      *log.Logger
	// nameOf says who a PSID is in log lines. A live bot logs the PSID; the demo
	// knows its simulated people by name.
	nameOf func(psid string) string

	mu sync.Mutex
	// withHuman holds the people a human is talking to, so the bot stays quiet
	// even after an agent took the thread back to answer through this app.
	// It lives in memory: after a restart the bot speaks again in threads it owns.
	withHuman map[string]bool
	// inInbox holds the threads passed to humanApp and not taken back.
	inInbox map[string]bool
}

func newBot(client *messenger.Client, st store.Store, team hours, humanApp string, logger *log.Logger) (*bot, error) {
	personas, err := persona.New(client)
	if err != nil {
		return nil, err
	}
	return &bot{
		client:    client,
		personas:  personas,
		store:     st,
		team:      team,
		humanApp:  humanApp,
		stats:     responsiveness.NewAggregator(0),
		log:       logger,
		nameOf:    func(psid string) string { return psid },
		withHuman: map[string]bool{},
		inInbox:   map[string]bool{},
	}, nil
}

// profile is the Page's Messenger Profile: the Get Started button and the ice
// breakers a person sees before writing anything.
func (b *bot) profile() messenger.PageProfile {
	ib := messenger.IceBreakers{Locale: messenger.DefaultLocale}
	for _, f := range faqs {
		ib.CallToActions = append(ib.CallToActions, messenger.IceBreaker{Question: f.question, Payload: f.payload})
	}
	ib.CallToActions = append(ib.CallToActions, messenger.IceBreaker{Question: "I'd like to talk to a person", Payload: payloadHuman})
	return messenger.PageProfile{
		GetStarted:  &messenger.GetStarted{Payload: "GET_STARTED"},
		IceBreakers: []messenger.IceBreakers{ib},
	}
}

// register adds the bot's handlers to wh.
func (b *bot) register(wh *messenger.Webhook) {
	// Every event feeds the figures: people's messages, and the echoes of what
	// the Page sent, which are the only sign of replies typed in Page Inbox.
	wh.OnEvent(func(ctx context.Context, ev messenger.Event) error {
		b.stats.Observe(ev)
		return nil
	})
	messenger.On(wh, func(ctx context.Context, m *messenger.MessageEvent) error {
		if m.Message.QuickReply != nil {
			return b.handle(ctx, m.EventInfo, m.Message.QuickReply.Payload, m.Message.Text)
		}
		return b.handle(ctx, m.EventInfo, "", m.Message.Text)
	})
	// Ice breakers and Get Started may arrive as postbacks: same answers.
	messenger.On(wh, func(ctx context.Context, p *messenger.PostbackEvent) error {
		return b.handle(ctx, p.EventInfo, p.Payload, p.Title)
	})
	// Page Inbox passes the thread back when an agent marks it done.
	messenger.On(wh, func(ctx context.Context, p *messenger.PassThreadControlEvent) error {
		b.mu.Lock()
		delete(b.inInbox, p.Sender.ID) // this app owns the thread again
		b.mu.Unlock()
		return b.backToBot(ctx, p.Sender.ID)
	})
}

// handle answers one thing a person sent: a payload from a button, or text.
func (b *bot) handle(ctx context.Context, in messenger.EventInfo, payload, text string) error {
	psid := in.Sender.ID
	if in.Standby || b.isWithHuman(psid) {
		// A person owns this conversation now; the bot must not talk over them.
		b.log.Printf("(bot stays quiet: %s is talking to the team)", b.nameOf(psid))
		return nil
	}
	// An instant reply to someone writing for the first time, once per person:
	// FirstSeen is atomic, so a redelivery or a second instance sharing the
	// store does not greet twice.
	first, err := b.store.FirstSeen(ctx, "support/welcomed/"+psid, 365*24*time.Hour)
	if err != nil {
		return err
	}
	if first {
		welcome := "Hi! I'm the Acme assistant and I answer right away, day and night. " +
			"Our team is here " + b.team.String() + "."
		if err := b.send(ctx, psid, messenger.Text(welcome)); err != nil {
			return err
		}
	}
	if payload == "" && wantsHuman(text) {
		payload = payloadHuman
	}
	switch payload {
	case payloadHuman:
		return b.handOver(ctx, psid)
	case payloadHours:
		return b.send(ctx, psid, menu("Our team answers "+b.team.String()+". I can help any time.", payloadHours))
	}
	for _, f := range faqs {
		if f.payload == payload {
			return b.send(ctx, psid, menu(f.answer, payload))
		}
	}
	if first {
		return b.send(ctx, psid, menu("What can I help you with?", ""))
	}
	return b.send(ctx, psid, menu("I'm only a bot and didn't get that. Pick a topic, or ask for a person.", ""))
}

// menu is text with the other topics as quick replies.
func menu(text, except string) *messenger.Message {
	var qr []messenger.QuickReply
	for _, f := range faqs {
		if f.payload != except {
			qr = append(qr, messenger.TextReply(f.title, f.payload))
		}
	}
	return messenger.Text(text).WithQuickReplies(append(qr, messenger.TextReply("Talk to a person", payloadHuman))...)
}

// handOver passes the conversation to the team. Outside business hours the
// person learns when to expect an answer, so nobody waits at the screen all
// night.
func (b *bot) handOver(ctx context.Context, psid string) error {
	now := b.client.Now()
	text := "I'm passing you to the team; someone will answer here shortly."
	if !b.team.open(now) {
		back := b.team.next(now).In(b.team.loc)
		text = "Our team is away right now. They are back " + back.Format("Monday at 15:04 MST") +
			" and will answer here; no need to write again."
	}
	// Say it before passing: once the thread is passed, this app may not send.
	if err := b.send(ctx, psid, messenger.Text(text)); err != nil {
		return err
	}
	if err := b.client.PassThreadControl(ctx, psid, b.humanApp, "asked for a person"); err != nil {
		return fmt.Errorf("hand over %s: %w", psid, err)
	}
	b.mu.Lock()
	b.withHuman[psid], b.inInbox[psid] = true, true
	b.mu.Unlock()
	return nil
}

func (b *bot) isWithHuman(psid string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.withHuman[psid]
}

// agentReply sends what a human agent wrote, under the agent's persona so the
// person sees who is talking. HUMAN_AGENT lets a person answer up to 7 days
// after the customer's last message, long after the 24-hour window of a
// question asked on a Friday night; it must carry words a human wrote, never
// bot text.
func (b *bot) agentReply(ctx context.Context, agent, psid, text string) error {
	req := messenger.SendRequest{To: messenger.PSID(psid), Type: messenger.Tagged(tags.HumanAgent), Message: messenger.Text(text)}
	// Ask the rules before taking the thread out of the inbox, so a refused
	// reply leaves the conversation where the team sees it. (The client's guard
	// would refuse the send itself too, but only after the thread moved.)
	conv, err := messenger.LookupConversation(ctx, b.store, b.client.PageID(), psid)
	if err != nil {
		return err
	}
	ask := req.PolicyRequest()
	ask.HumanAgentApproved = true // as declared to the guard: App Review granted Human Agent
	if d := policy.Check(ask, conv, b.client.Now()); !d.Allowed {
		return &messenger.PolicyError{Decision: d}
	}
	// Ensure creates the persona once and then answers from its cache. Meta
	// downloads the picture at creation: point it at your agents' photos.
	p, err := b.personas.Ensure(ctx, agent, "https://example.com/team/"+strings.ToLower(agent)+".png")
	if err != nil {
		return err
	}
	if err := b.takeBack(ctx, psid, agent+" answers from the desk"); err != nil {
		return err
	}
	if _, err := b.personas.Send(ctx, p.ID, req); err != nil {
		return err
	}
	b.answered(psid)
	return nil
}

// takeBack takes the thread from the human app, if it is there, so this app may
// send in it.
func (b *bot) takeBack(ctx context.Context, psid, why string) error {
	b.mu.Lock()
	there := b.inInbox[psid]
	b.mu.Unlock()
	if !there {
		return nil
	}
	if _, err := b.client.TakeThreadControl(ctx, psid, why); err != nil {
		return fmt.Errorf("take thread of %s: %w", psid, err)
	}
	b.mu.Lock()
	delete(b.inInbox, psid)
	b.mu.Unlock()
	return nil
}

// backToBot ends a human conversation: the bot answers again.
func (b *bot) backToBot(ctx context.Context, psid string) error {
	if err := b.takeBack(ctx, psid, "done"); err != nil {
		return err
	}
	b.mu.Lock()
	was := b.withHuman[psid]
	delete(b.withHuman, psid)
	b.mu.Unlock()
	if !was {
		return nil
	}
	return b.send(ctx, psid, menu("You're back with the Acme assistant. Anything else?", ""))
}

// send answers psid inside the 24-hour window their message opened.
func (b *bot) send(ctx context.Context, psid string, m *messenger.Message) error {
	_, err := b.client.Send(ctx, messenger.SendRequest{To: messenger.PSID(psid), Type: messenger.Response, Message: m})
	if err != nil {
		return err
	}
	b.answered(psid)
	return nil
}

// answered counts a message to psid for the responsiveness figures. Echoes would
// count it too when the app subscribes to message_echoes; a repeated answer
// changes nothing, since only people's messages open an inquiry.
func (b *bot) answered(psid string) {
	b.stats.Add(responsiveness.Message{Page: b.client.PageID(), User: psid, At: b.client.Now(), Dir: responsiveness.Outbound})
}

// logFigures logs how responsive the Page was over the last 7 days, the period
// of Meta's "very responsive" badge.
func (b *bot) logFigures() {
	now := b.client.Now()
	reports := b.stats.Report(now.Add(-7*24*time.Hour), now, responsiveness.Options{})
	if len(reports) == 0 {
		b.log.Print("responsiveness: no inquiries in the last 7 days")
	}
	for _, r := range reports {
		b.log.Printf("responsiveness, last 7 days: %d inquiries, %.0f%% answered, median %s, 90th percentile %s, %.0f%% within 15 min, badge %v, %d waiting",
			r.Inquiries, 100*r.ResponseRate, r.Median, r.P90, 100*r.TargetRate, r.Badge, len(r.Unanswered))
	}
}
