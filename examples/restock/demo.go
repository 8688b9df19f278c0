package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/gomessenger/messenger/messengertest"
)

const adaPSID = "1254459154682919"

// runDemo runs the shop against an in-process fake of the Graph API, with its
// state in dataDir (a temporary directory when empty).
func runDemo(ctx context.Context, dataDir string, logger *log.Logger) error {
	if dataDir == "" {
		tmp, err := os.MkdirTemp("", "restock-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dataDir = tmp
	}
	srv, err := messengertest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	logger.Print("No PAGE_ACCESS_TOKEN, APP_SECRET or VERIFY_TOKEN: playing a restock against a fake Graph API.")
	return demo(ctx, srv, dataDir, logger)
}

// demo plays a customer, a restart and two restocks through srv, with the
// shop's state in dataDir, and prints what the customer sees.
func demo(ctx context.Context, srv *messengertest.Server, dataDir string, logger *log.Logger) error {
	client := srv.Client()
	a, err := open(ctx, client, dataDir, srv.AppSecret(), "demo-verify-token", logger)
	if err != nil {
		return err
	}
	defer func() { a.Close() }() // whichever a is open by then: it is reopened below
	srv.SetWebhook(a.webhook)
	t := transcript{srv: srv, logger: logger}
	ada := srv.User(adaPSID)

	logger.Printf("Ada → Page: Is the blue kettle in stock?")
	if _, err := ada.Says("Is the blue kettle in stock?"); err != nil {
		return err
	}
	if err := t.settle(ctx, a); err != nil {
		return err
	}
	logger.Print("Ada taps “Notify Me”")
	token, err := ada.OptsIn(topic("blue-kettle"))
	if err != nil {
		return err
	}
	if err := t.settle(ctx, a); err != nil {
		return err
	}

	// A deploy restarts the bot: the token was synced to disk
	// before Ada saw "Done!", so nothing is lost.
	if err := a.Close(); err != nil {
		return err
	}
	if a, err = open(ctx, client, dataDir, srv.AppSecret(), "demo-verify-token", logger); err != nil {
		return err
	}
	srv.SetWebhook(a.webhook)
	toks, err := a.shop.notifier.Tokens(ctx, srv.PageID(), adaPSID)
	if err != nil {
		return err
	}
	logger.Printf("(restarted: %d token for Ada on disk, topic %s, %s)", len(toks), toks[0].Topic, toks[0].State)

	srv.Advance(12 * 24 * time.Hour) // Ada's 24-hour window closed long ago
	logger.Print("-- 12 days later, the blue kettles arrive")
	if err := a.shop.restock(ctx, srv.PageID(), "blue-kettle"); err != nil {
		return err
	}
	t.flush()
	logger.Print("-- the warehouse system sends the same delivery again")
	if err := a.shop.restock(ctx, srv.PageID(), "blue-kettle"); err != nil {
		return err
	}
	t.flush()
	used := 0
	for _, r := range srv.Sent() {
		if r.Recipient.OneTimeNotifToken == token {
			used++
		}
	}
	logger.Printf("(the fake Graph API accepted %d message with Ada's token)", used)
	return nil
}

// transcript prints what the fake Graph API accepted, as the customer sees it.
type transcript struct {
	srv    *messengertest.Server
	logger *log.Logger
	shown  int
}

// settle waits until the webhook handled what was delivered, then prints the
// answers.
func (t *transcript) settle(ctx context.Context, a *app) error {
	if err := a.webhook.WaitIdle(ctx); err != nil {
		return err
	}
	t.flush()
	return nil
}

func (t *transcript) flush() {
	sent := t.srv.Sent()
	for _, r := range sent[t.shown:] {
		via := ""
		if r.Recipient.OneTimeNotifToken != "" {
			via = " (with her one-time token)"
		}
		switch m := r.Message; {
		case m == nil:
		case m.Attachment != nil && m.Attachment.TemplateType == "one_time_notif_req":
			t.logger.Printf("Page → Ada: [one-time notification request: %s] [Notify Me]", title(m.Attachment.Payload))
		default:
			t.logger.Printf("Page → Ada%s: %s", via, m.Text)
		}
	}
	t.shown = len(sent)
}

// title reads the title of a one-time notification request payload.
func title(payload []byte) string {
	var p struct{ Title string }
	if err := json.Unmarshal(payload, &p); err != nil {
		return fmt.Sprint(err)
	}
	return p.Title
}
