package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/messengertest"
	"github.com/gomessenger/messenger/store/memstore"
)

// runDemo runs the desk against an in-process fake of the Graph API, so the
// example does something visible without a Facebook Page.
func runDemo(ctx context.Context, team hours, logger *log.Logger) error {
	// Friday 16:40 in Berlin: twenty minutes before the team goes home.
	start := time.Date(2026, 7, 3, 16, 40, 0, 0, team.loc)
	srv, err := messengertest.Start(messengertest.WithNow(start))
	if err != nil {
		return err
	}
	defer srv.Close()
	logger.Print("No PAGE_ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN or PAGE_ID: playing a weekend against a fake Graph API.")
	return demo(ctx, srv, team, logger)
}

// Simulated people.
const (
	adaPSID = "1254459154682919"
	bobPSID = "1254459154682920"
)

// demo plays two customers, a bot and an agent through srv and prints what
// each person sees.
func demo(ctx context.Context, srv *messengertest.Server, team hours, logger *log.Logger) error {
	st, err := memstore.New(memstore.WithClock(srv.Now))
	if err != nil {
		return err
	}
	client := srv.Client(
		messenger.WithPageID(srv.PageID()),
		messenger.WithPolicyGuard(st, messenger.GuardHumanAgentApproved()),
	)
	b, err := newBot(client, st, team, messenger.PageInboxAppID, logger)
	if err != nil {
		return err
	}
	wh, err := newWebhook(b, srv.AppSecret(), "demo-verify-token", st, logger)
	if err != nil {
		return err
	}
	srv.SetWebhook(wh)
	if err := client.SetProfile(ctx, b.profile()); err != nil {
		return err
	}
	logger.Printf("== Messenger Profile set: %d ice breakers; team hours %s", len(b.profile().IceBreakers[0].CallToActions), team)

	ada, bob := srv.User(adaPSID), srv.User(bobPSID)
	t := &transcript{srv: srv, wh: wh, logger: logger, loc: team.loc, names: map[string]string{adaPSID: "Ada", bobPSID: "Bob"},
		owners: map[string]string{adaPSID: srv.AppID(), bobPSID: srv.AppID()}}
	b.nameOf = func(psid string) string { return cmp.Or(t.names[psid], psid) }

	t.clock()
	// Ice-breaker taps arrive as messages carrying the payload, like quick replies.
	if err := t.act(ctx, "Ada", "taps ice breaker “How long does shipping take?”", func() error {
		_, err := ada.TapsQuickReply("How long does shipping take?", payloadShipping)
		return err
	}); err != nil {
		return err
	}
	srv.Advance(3 * time.Minute)
	if err := t.act(ctx, "Ada", "taps “Returns”", func() error {
		_, err := ada.TapsQuickReply("Returns", payloadReturns)
		return err
	}); err != nil {
		return err
	}

	srv.Advance(37 * time.Minute) // 17:20: the team has gone home
	t.clock()
	if err := t.act(ctx, "Ada", "taps “Talk to a person”", func() error {
		_, err := ada.TapsQuickReply("Talk to a person", payloadHuman)
		return err
	}); err != nil {
		return err
	}
	if err := t.says(ctx, ada, "Ada", "My kettle arrived with a cracked lid. Order 1042."); err != nil {
		return err
	}
	srv.Advance(10 * time.Minute)
	t.clock()
	if err := t.says(ctx, bob, "Bob", "Hello, can somebody check my invoice?"); err != nil {
		return err
	}

	// Monday 9:05: Sam starts the day with the conversations in the inbox. Ada's
	// last message is 64 hours old: too late for the bot, fine for a human.
	srv.SetNow(time.Date(2026, 7, 6, 9, 5, 0, 0, team.loc))
	t.clock()
	if err := t.agent(ctx, b, "Sam", adaPSID, "Hi Ada, Sam here. Sorry about the lid! A new kettle ships today, keep the old one."); err != nil {
		return err
	}
	srv.Advance(4 * time.Minute)
	if err := t.says(ctx, ada, "Ada", "Wow, thank you!"); err != nil {
		return err
	}
	if err := t.step(ctx, "Sam marks Ada's conversation done", func() error { return b.backToBot(ctx, adaPSID) }); err != nil {
		return err
	}
	b.logFigures()

	// Bob was forgotten until the next Saturday: 8 days after his message.
	srv.SetNow(time.Date(2026, 7, 11, 18, 0, 0, 0, team.loc))
	t.clock()
	if err := t.agent(ctx, b, "Sam", bobPSID, "Hi Bob, sorry for the wait! Your invoice is fixed."); err != nil {
		return err
	}
	return wh.Shutdown(ctx)
}

// transcript prints the conversations as people see them: what they do, and
// what the fake Graph API accepted from the Page.
type transcript struct {
	srv    *messengertest.Server
	wh     *messenger.Webhook
	logger *log.Logger
	loc    *time.Location
	names  map[string]string
	shown  int
	owners map[string]string // thread owner per PSID, as last printed
}

func (t *transcript) clock() {
	t.logger.Printf("-- %s", t.srv.Now().In(t.loc).Format("Monday 15:04 MST"))
}

// act prints what a person does, does it, and prints the Page's answers once
// the webhook handled it.
func (t *transcript) act(ctx context.Context, who, what string, do func() error) error {
	t.logger.Printf("%s %s", who, what)
	return t.run(ctx, do)
}

func (t *transcript) says(ctx context.Context, u *messengertest.User, who, text string) error {
	t.logger.Printf("%s → Page: %s", who, text)
	return t.run(ctx, func() error { _, err := u.Says(text); return err })
}

func (t *transcript) step(ctx context.Context, what string, do func() error) error {
	t.logger.Printf("(%s)", what)
	return t.run(ctx, do)
}

// agent has a human agent answer through the desk, as POST /agent/reply does.
func (t *transcript) agent(ctx context.Context, b *bot, agent, psid, text string) error {
	t.logger.Printf("(%s answers %s from the desk)", agent, t.names[psid])
	err := b.agentReply(ctx, agent, psid, text)
	if pe := (*messenger.PolicyError)(nil); errors.As(err, &pe) {
		t.logger.Printf("(refused before sending: %s)", pe.Decision)
		t.flush()
		return nil
	}
	if err != nil {
		return err
	}
	t.flush()
	return nil
}

func (t *transcript) run(ctx context.Context, do func() error) error {
	if err := do(); err != nil {
		return err
	}
	// The webhook answers Meta at once and handles events afterwards: wait for
	// the handlers before printing what they sent.
	if err := t.wh.WaitIdle(ctx); err != nil {
		return err
	}
	t.flush()
	return nil
}

// flush prints the sends accepted since the last flush.
func (t *transcript) flush() {
	sent := t.srv.Sent()
	for _, r := range sent[t.shown:] {
		if r.Message == nil {
			continue
		}
		from := "Page"
		if r.PersonaID != "" {
			from = personaName(t.srv, r.PersonaID) + " (persona)"
		}
		line := fmt.Sprintf("%s → %s: %s", from, t.names[r.RecipientID], r.Message.Text)
		if r.Tag != "" {
			line += " [" + r.Tag + "]"
		}
		var qr []string
		for _, q := range r.Message.QuickReplies {
			qr = append(qr, "["+q.Title+"]")
		}
		if len(qr) > 0 {
			line += "\n    " + strings.Join(qr, " ")
		}
		t.logger.Print(line)
	}
	t.shown = len(sent)

	apps := map[string]string{messenger.PageInboxAppID: "Page Inbox", t.srv.AppID(): "the bot's app", "": "no app"}
	for _, psid := range []string{adaPSID, bobPSID} {
		if owner := t.srv.ThreadOwner(psid); owner != t.owners[psid] {
			t.logger.Printf("(%s's conversation is now controlled by %s)", t.names[psid], apps[owner])
			t.owners[psid] = owner
		}
	}
}

func personaName(srv *messengertest.Server, id string) string {
	for _, p := range srv.Personas() {
		if p.ID == id {
			return p.Name
		}
	}
	return id
}
