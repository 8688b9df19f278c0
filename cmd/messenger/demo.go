package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/messengertest"
	"github.com/gomessenger/messenger/otn"
	"github.com/gomessenger/messenger/persona"
	"github.com/gomessenger/messenger/policy"
	"github.com/gomessenger/messenger/referral"
	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/tags"
)

// demoStart is the fake clock's start: a fixed date after every rule change the SDK
// models, so the tour reads the same on every run.
var demoStart = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)

const (
	adaPSID = "1254459154682919"
	benPSID = "1254459154682920"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", "", `Runs the guided tour of the SDK on an in-process fake Graph server: no credentials,
no network. A shop bot built on messenger.Webhook answers a simulated customer while
the transcript shows what went over the wire, what policy allowed and what the fake
Graph refused. Exits 0 only if every step behaved as expected.`)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	d, err := newDemo(stdout)
	if err != nil {
		return err
	}
	defer d.close()
	return d.run(ctx)
}

// demo is the tour: a fake Graph server, the shop bot on a real Webhook, and a
// transcript of what happened.
type demo struct {
	out     io.Writer
	srv     *messengertest.Server
	client  *messenger.Client
	guarded *messenger.Client // the same Page with the policy guard
	windows *memstore.Store   // what the webhook learned of each person's window
	hook    *messenger.Webhook
	bot     *shopBot
	seen    int // sends already described
	checks  int
	failed  []string
}

func newDemo(out io.Writer) (*demo, error) {
	srv, err := messengertest.Start(messengertest.WithNow(demoStart), messengertest.WithPageName("Fake Shop"))
	if err != nil {
		return nil, err
	}
	windows, err := memstore.New()
	if err != nil {
		return nil, err
	}
	client := srv.Client()
	guarded := srv.Client(messenger.WithPageID(srv.PageID()),
		messenger.WithPolicyGuard(windows, messenger.GuardHumanAgentApproved()))
	hook, err := messenger.NewWebhook(srv.AppSecret(), "demo-verify-token",
		messenger.WithWindows(windows),
		messenger.WithWebhookClock(srv.Now),
		messenger.WithWebhookLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		srv.Close()
		return nil, err
	}
	notifier, err := otn.New(client, windows, otn.WithClock(srv.Now))
	if err != nil {
		srv.Close()
		return nil, err
	}
	bot := newShopBot(client, notifier, srv.PageID())
	bot.register(hook)
	srv.SetWebhook(hook)
	return &demo{out: out, srv: srv, client: client, guarded: guarded, windows: windows, hook: hook, bot: bot}, nil
}

func (d *demo) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = d.hook.Shutdown(ctx)
	_ = d.srv.Close()
}

func (d *demo) section(title string) { fmt.Fprintf(d.out, "\n== %s\n", title) }

func (d *demo) say(who, format string, args ...any) {
	fmt.Fprintf(d.out, "   %-6s %s\n", who, fmt.Sprintf(format, args...))
}

// check records an expectation of the tour.
func (d *demo) check(ok bool, what string) {
	d.checks++
	mark := "ok"
	if !ok {
		mark = "FAIL"
		d.failed = append(d.failed, what)
	}
	fmt.Fprintf(d.out, "   %-6s %s\n", mark, what)
}

// settle waits until the bot handled every delivered event, then describes the
// sends the fake accepted meanwhile.
func (d *demo) settle(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.hook.WaitIdle(ctx); err != nil {
		d.check(false, "the bot finished handling its events: "+err.Error())
	}
	for _, line := range d.bot.drainLog() {
		d.say("bot", "← %s", line)
	}
	sent := d.srv.Sent()
	for _, r := range sent[d.seen:] {
		d.say("bot", "→ %s", describeSend(r))
	}
	d.seen = len(sent)
}

func (d *demo) run(ctx context.Context) error {
	fmt.Fprintln(d.out, "messenger demo: a shop bot built on messenger.Webhook and messenger.Client, talking to")
	fmt.Fprintln(d.out, "messengertest's fake Graph API in this process (no credentials, nothing leaves the machine).")
	fmt.Fprintf(d.out, "Page %q (%s); the fake clock starts at %s.\n", "Fake Shop", d.srv.PageID(), demoStart.Format(time.RFC1123))
	steps := []func(context.Context) error{d.arrive, d.windowCloses, d.humanAgent, d.oneTimeNotification, d.privateReply}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintln(d.out)
	if len(d.failed) > 0 {
		return fmt.Errorf("%d of %d checks failed: %s", len(d.failed), d.checks, strings.Join(d.failed, "; "))
	}
	fmt.Fprintf(d.out, "All %d checks passed.\n", d.checks)
	return nil
}

func (d *demo) arrive(ctx context.Context) error {
	d.section("1. A customer arrives from an m.me link")
	err := d.client.SetProfile(ctx, messenger.PageProfile{
		GetStarted: &messenger.GetStarted{Payload: "GET_STARTED"},
		Greeting:   []messenger.Greeting{{Locale: messenger.DefaultLocale, Text: "Hats and scarves, answered by a bot and by Sam."}},
	})
	d.check(err == nil, "the bot set a Get Started button and a greeting (Messenger Profile)")
	link, err := referral.Link("fakeshop", "summer-sale")
	if err != nil {
		return err
	}
	d.say("Ada", "opens %s (built with referral.Link)", link)
	ada := d.srv.User(adaPSID).SetName("Ada", "Lovelace")
	if err := ada.OpensLink("summer-sale"); err != nil {
		return err
	}
	d.settle(ctx)
	d.check(d.bot.lastRef() == "summer-sale", `the Get Started postback carried ref "summer-sale"`)
	d.say("Ada", "taps [Hats]")
	if _, err := ada.TapsQuickReply("Hats", "HATS"); err != nil {
		return err
	}
	d.settle(ctx)
	sent := d.srv.Sent()
	d.check(len(sent) == 2 && len(sent[0].Message.QuickReplies) == 2 && sent[1].Message.Attachment != nil && sent[1].Message.Attachment.TemplateType == "generic",
		"the bot answered with quick replies, then a generic template")
	return nil
}

func (d *demo) windowCloses(ctx context.Context) error {
	d.section("2. 25 hours pass: a promotional message is refused")
	now := d.srv.Advance(25 * time.Hour)
	d.say("clock", "%s (25 h after Ada's last message)", now.Format(time.RFC1123))
	conv, err := messenger.LookupConversation(ctx, d.windows, d.srv.PageID(), adaPSID)
	if err != nil {
		return err
	}
	req := policy.Request{MessagingType: policy.Update, Recipient: policy.PSID, Promotional: true, HumanAgentApproved: true}
	dec := policy.Check(req, conv, now)
	d.say("bot", `asks policy.Check about UPDATE "Flash sale: 20%% off all hats!" (promotional),`)
	d.say("", "with the window the webhook recorded in its store")
	d.say("policy", "%s", decisionLine(dec))
	d.say("", "reason: %s", dec.Reason)
	alts := dec.Alternatives
	if len(alts) == 0 {
		// No rule carries a promotion outside the window; say what still reaches her.
		req.Promotional = false
		alts = policy.Check(req, conv, now).Alternatives
		d.say("", "no rule lets a promotion through now; for a non-promotional message instead:")
	}
	for _, a := range alts {
		d.say("", "- %s", describeAlternative(a))
	}
	d.check(!dec.Allowed && dec.ErrorCode == 10 && len(alts) > 0, "policy refused the promotion, gave its reason and the alternatives")

	promo := messenger.SendRequest{To: messenger.PSID(adaPSID), Type: messenger.Update, Promotional: true, Message: messenger.Text("Flash sale: 20% off all hats!")}
	before := len(d.srv.Sent())
	_, err = d.guarded.Send(ctx, promo)
	var pe *messenger.PolicyError
	d.say("bot", "sends it with WithPolicyGuard → %v", shortErr(err))
	d.check(errors.As(err, &pe) && errors.Is(err, messenger.ErrOutsideWindow) && len(d.srv.Sent()) == before,
		"the client's policy guard refused it before the network (*PolicyError, ErrOutsideWindow)")
	_, err = d.client.Send(ctx, promo)
	d.say("bot", "sends it without the guard → %v", shortErr(err))
	d.check(errors.Is(err, messenger.ErrOutsideWindow), "the fake Graph refused it too (10/2018278, outside the window)")
	return nil
}

func (d *demo) humanAgent(ctx context.Context) error {
	d.section("3. A human agent answers as a persona with HUMAN_AGENT")
	personas, err := persona.New(d.client)
	if err != nil {
		return err
	}
	sam, err := personas.Ensure(ctx, "Sam from support", "https://fakeshop.example/sam.png")
	d.check(err == nil && sam.ID != "", `persona.Ensure created "Sam from support"`)
	req := policy.Request{MessagingType: policy.MessageTag, Tag: tags.HumanAgent, Recipient: policy.PSID, HumanAgentApproved: true}
	conv, err := messenger.LookupConversation(ctx, d.windows, d.srv.PageID(), adaPSID)
	if err != nil {
		return err
	}
	dec := policy.Check(req, conv, d.srv.Now())
	d.say("policy", "%s", decisionLine(dec))
	res, err := personas.Send(ctx, sam.ID, messenger.SendRequest{To: messenger.PSID(adaPSID), Type: messenger.Tagged(tags.HumanAgent),
		Message: messenger.Text("Hi Ada, Sam here. The red hat is back in your size; shall I reserve one?")})
	d.settle(ctx)
	d.check(dec.Allowed && err == nil && res.MessageID != "", "Sam's message went out with MESSAGE_TAG HUMAN_AGENT (allowed for 7 days)")
	return nil
}

func (d *demo) oneTimeNotification(ctx context.Context) error {
	d.section("4. A one-time notification: requested, accepted, used once")
	ada := d.srv.User(adaPSID)
	d.say("Ada", `says "Can you tell me when the blue hat is back?"`)
	if _, err := ada.Says("Can you tell me when the blue hat is back?"); err != nil {
		return err
	}
	d.settle(ctx)
	sent := d.srv.Sent()
	last := sent[len(sent)-1]
	d.check(last.Message != nil && last.Message.Attachment != nil && last.Message.Attachment.TemplateType == "one_time_notif_req",
		"the bot asked with otn's request template")
	d.say("Ada", `taps "Notify me"`)
	if _, err := ada.OptsIn("blue-hat"); err != nil {
		return err
	}
	d.settle(ctx)
	toks, err := d.bot.notifier.Tokens(ctx, d.srv.PageID(), adaPSID)
	d.check(err == nil && len(toks) == 1 && toks[0].Topic == "blue-hat", "otn captured the token from the optin webhook (Notifier.HandleOptin)")
	now := d.srv.Advance(10 * 24 * time.Hour)
	d.say("clock", "%s (10 days later, far outside every window)", now.Format(time.RFC1123))
	_, err = d.bot.notifier.Notify(ctx, d.srv.PageID(), adaPSID, "blue-hat", messenger.Text("The blue hat is back in stock!"))
	d.settle(ctx)
	d.check(err == nil, "otn.Notify sent the notification with the token")
	_, err = d.bot.notifier.Notify(ctx, d.srv.PageID(), adaPSID, "blue-hat", messenger.Text("Still in stock!"))
	d.say("bot", "notifies again → %v", shortErr(err))
	d.check(errors.Is(err, otn.ErrNoToken), "otn refused a second notification: no live token left")
	if len(toks) == 1 {
		_, err = d.client.Send(ctx, messenger.SendRequest{To: messenger.OneTimeToken(toks[0].Value), Message: messenger.Text("Still in stock!")})
		d.say("bot", "replays the used token by hand → %v", shortErr(err))
		d.check(errors.Is(err, messenger.ErrInvalidParameter), "the fake Graph refused the reused token (100)")
	}
	return nil
}

func (d *demo) privateReply(ctx context.Context) error {
	d.section("5. A comment gets a private reply")
	ben := d.srv.User(benPSID).SetName("Ben", "Okafor")
	d.say("Ben", `comments "Do you ship to Canada?" on the Page's post`)
	commentID, err := ben.Comments("Do you ship to Canada?")
	if err != nil {
		return err
	}
	d.settle(ctx)
	last := d.srv.Sent()[len(d.srv.Sent())-1]
	d.check(last.Recipient.CommentID == commentID, "the bot answered the comment privately")
	_, err = d.client.PrivateReply(ctx, messenger.Comment(commentID), messenger.Text("One more thing…"))
	d.say("bot", "tries a second private reply → %v", shortErr(err))
	d.check(errors.Is(err, messenger.ErrAlreadyReplied), "the second private reply was refused (10900: one per comment)")
	return nil
}

// decisionLine is a decision without its reason: rule, Graph code or deadline.
func decisionLine(d policy.Decision) string {
	if d.Allowed {
		if d.HasDeadline() {
			return "allowed by " + d.Rule + " until " + d.Until.UTC().Format(time.RFC1123)
		}
		return "allowed by " + d.Rule
	}
	s := "refused by " + d.Rule
	if d.ErrorCode != 0 {
		s += fmt.Sprintf(" (Graph would answer %d", d.ErrorCode)
		if d.ErrorSubcode != 0 {
			s += fmt.Sprintf("/%d", d.ErrorSubcode)
		}
		s += ")"
	}
	return s
}

// shortErr is an error's Graph code and message, or "accepted".
func shortErr(err error) string {
	var ge *messenger.GraphError
	var pe *messenger.PolicyError
	switch {
	case err == nil:
		return "accepted"
	case errors.As(err, &pe):
		return "refused locally by the policy guard (rule " + pe.Decision.Rule + "); nothing was sent"
	case errors.As(err, &ge):
		code := fmt.Sprint(ge.Code)
		if ge.Subcode != 0 {
			code += fmt.Sprintf("/%d", ge.Subcode)
		}
		msg := ge.Message
		if i := strings.Index(msg, ": "); i > 0 && strings.HasPrefix(msg, "(#") {
			msg = msg[i+2:] // drop the "(#code) rule summary" head, keep why
		}
		if i := strings.Index(msg, " (policy rule"); i > 0 {
			msg = msg[:i]
		}
		return "refused " + code + ": " + msg
	}
	return err.Error()
}

// describeSend is a one-line picture of an accepted send.
func describeSend(r messengertest.SendRecord) string {
	var b strings.Builder
	m := r.Message
	switch {
	case m == nil:
		b.WriteString(r.SenderAction)
	case m.Text != "":
		fmt.Fprintf(&b, "%q", m.Text)
	case m.Attachment != nil && m.Attachment.TemplateType != "":
		b.WriteString(m.Attachment.TemplateType + " template")
		var p struct {
			Title    string
			Elements []struct{ Title string }
		}
		_ = json.Unmarshal(m.Attachment.Payload, &p)
		var titles []string
		for _, e := range p.Elements {
			titles = append(titles, e.Title)
		}
		if p.Title != "" {
			titles = append(titles, p.Title)
		}
		if len(titles) > 0 {
			b.WriteString(" " + strings.Join(titles, " · "))
		}
	case m.Attachment != nil:
		b.WriteString(m.Attachment.Type)
	}
	if m != nil {
		for _, q := range m.QuickReplies {
			fmt.Fprintf(&b, " [%s]", q.Title)
		}
	}
	switch {
	case r.Recipient.CommentID != "":
		b.WriteString(" as a private reply to comment " + r.Recipient.CommentID)
	case r.Recipient.OneTimeNotifToken != "":
		b.WriteString(" with the one-time token")
	}
	if r.Tag != "" {
		b.WriteString(" (MESSAGE_TAG " + r.Tag + ")")
	} else if r.MessagingType != "" {
		b.WriteString(" (" + r.MessagingType + ")")
	}
	if r.PersonaID != "" {
		b.WriteString(" as persona " + r.PersonaID)
	}
	return b.String()
}

// shopBot is the demo's bot: webhook handlers that answer with the Send API, and the
// little state a real bot would keep in a store.
type shopBot struct {
	client   *messenger.Client
	notifier *otn.Notifier
	page     string
	mu       sync.Mutex
	ref      string
	log      []string // events received, for the transcript
}

func newShopBot(c *messenger.Client, n *otn.Notifier, page string) *shopBot {
	return &shopBot{client: c, notifier: n, page: page}
}

func (b *shopBot) register(w *messenger.Webhook) {
	messenger.On(w, b.onPostback)
	messenger.On(w, b.onMessage)
	messenger.On(w, b.onOptin)
	messenger.On(w, b.onFeed)
}

func (b *shopBot) logf(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.log = append(b.log, fmt.Sprintf(format, args...))
}

func (b *shopBot) drainLog() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.log
	b.log = nil
	return out
}

func (b *shopBot) lastRef() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ref
}

func (b *shopBot) reply(ctx context.Context, psid string, m *messenger.Message) error {
	_, err := b.client.Send(ctx, messenger.SendRequest{To: messenger.PSID(psid), Type: messenger.Response, Message: m})
	return err
}

func (b *shopBot) onPostback(ctx context.Context, ev *messenger.PostbackEvent) error {
	psid := ev.Sender.ID
	if ev.Referral != nil {
		b.logf("postback %q payload %s, referral ref=%s source=%s", ev.Title, ev.Payload, ev.Referral.Ref, ev.Referral.Source)
	} else {
		b.logf("postback %q payload %s", ev.Title, ev.Payload)
	}
	if ev.Payload != "GET_STARTED" {
		return nil
	}
	greeting := "Hi! What are you looking for?"
	if ev.Referral != nil {
		b.mu.Lock()
		b.ref = ev.Referral.Ref
		b.mu.Unlock()
		greeting = "Hi! Welcome from the summer sale. What are you looking for?"
	}
	return b.reply(ctx, psid, messenger.Text(greeting).WithQuickReplies(messenger.TextReply("Hats", "HATS"), messenger.TextReply("Scarves", "SCARVES")))
}

func (b *shopBot) onMessage(ctx context.Context, ev *messenger.MessageEvent) error {
	psid := ev.Sender.ID
	if ev.Message.QuickReply != nil {
		b.logf("message %q, quick reply payload %s", ev.Message.Text, ev.Message.QuickReply.Payload)
	} else {
		b.logf("message %q", ev.Message.Text)
	}
	switch {
	case ev.Message.QuickReply != nil && ev.Message.QuickReply.Payload == "HATS":
		hats := messenger.NewGenericTemplate(
			messenger.GenericElement{Title: "Red hat — $25", Subtitle: "Wool, one size", ImageURL: "https://fakeshop.example/red.png",
				Buttons: []messenger.Button{messenger.PostbackButton("Buy", "BUY_RED")}},
			messenger.GenericElement{Title: "Blue hat — $25", Subtitle: "Sold out", ImageURL: "https://fakeshop.example/blue.png",
				Buttons: []messenger.Button{messenger.PostbackButton("Notify me", "NOTIFY_BLUE")}},
		)
		return b.reply(ctx, psid, messenger.TemplateMessage(hats))
	case strings.Contains(strings.ToLower(ev.Message.Text), "blue hat"):
		_, err := b.notifier.Request(ctx, otn.OptInRequest{Page: b.page, User: psid, Title: "Blue hat back in stock?", Topic: "blue-hat"})
		return err
	}
	return nil
}

func (b *shopBot) onOptin(ctx context.Context, ev *messenger.OptinEvent) error {
	b.logf("optin %s payload %s, token %s", ev.Type, ev.Payload, ev.OneTimeNotifToken)
	return b.notifier.HandleOptin(ctx, ev)
}

func (b *shopBot) onFeed(ctx context.Context, ev *messenger.FeedEvent) error {
	if ev.Item != "comment" || ev.Verb != "add" || ev.CommentID == "" {
		return nil
	}
	b.logf("feed comment %s from %s: %q", ev.CommentID, ev.From.Name, ev.Message)
	_, err := b.client.PrivateReply(ctx, messenger.Comment(ev.CommentID), messenger.Text("Yes, we ship to Canada! Delivery takes 5 to 8 days."))
	return err
}
