package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/messengertest"
	"github.com/gomessenger/messenger/store/memstore"
)

const (
	adaPSID = "1254459154682919"
	bobPSID = "1254459154682920"
)

// runDemo runs the bot against an in-process fake of the Graph API, so the
// example does something visible without a Facebook Page.
func runDemo(ctx context.Context, logger *log.Logger) error {
	srv, err := messengertest.Start(messengertest.WithNow(time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)))
	if err != nil {
		return err
	}
	defer srv.Close()
	logger.Print("No PAGE_ACCESS_TOKEN, APP_SECRET or VERIFY_TOKEN: playing comments against a fake Graph API.")
	return demo(ctx, srv, logger)
}

// demo plays people commenting through srv, with two instances of the bot
// sharing one store, and prints what the people see.
func demo(ctx context.Context, srv *messengertest.Server, logger *log.Logger) error {
	client := srv.Client()
	shared, err := memstore.New(memstore.WithClock(srv.Now))
	if err != nil {
		return err
	}
	// Two instances behind one load balancer: each webhook remembers only its own
	// deliveries, the store of comments answered is shared.
	one, err := newWebhook(newReplier(client, shared, logger), srv.AppSecret(), "demo-verify-token", logger)
	if err != nil {
		return err
	}
	two, err := newWebhook(newReplier(client, shared, logger), srv.AppSecret(), "demo-verify-token", logger)
	if err != nil {
		return err
	}
	srv.SetWebhook(one)
	t := transcript{srv: srv, logger: logger, names: map[string]string{adaPSID: "Ada", bobPSID: "Bob"}}
	ada := srv.User(adaPSID).SetName("Ada", "Lovelace")
	bob := srv.User(bobPSID).SetName("Bob", "Moog")
	page := srv.User(srv.PageID())

	logger.Print("Ada comments on the post: How much is the blue kettle?")
	if _, err := ada.Comments("How much is the blue kettle?"); err != nil {
		return err
	}
	if err := t.settle(ctx, one); err != nil {
		return err
	}
	logger.Print("The Page comments: Thanks Ada, check your messages!")
	if _, err := page.Comments("Thanks Ada, check your messages!"); err != nil {
		return err
	}
	if err := t.settle(ctx, one); err != nil {
		return err
	}

	logger.Print("-- Meta delivers Ada's comment again, this time to the second instance")
	if err := redeliver(srv, two, 0); err != nil {
		return err
	}
	if err := t.settle(ctx, two); err != nil {
		return err
	}

	srv.Advance(2 * time.Hour)
	logger.Print("Ada → Page: Hi! Tell me more")
	if _, err := ada.Says("Hi! Tell me more"); err != nil {
		return err
	}
	if err := t.settle(ctx, one); err != nil {
		return err
	}

	// Bob comments while the webhook is down; Meta's deliveries reach the bot
	// only 8 days later, too late for a private reply.
	if err := srv.SetDelivery(messengertest.Delivery{Hold: true}); err != nil {
		return err
	}
	logger.Print("Bob comments on the post: Do you ship to Norway? (the webhook is down)")
	if _, err := bob.Comments("Do you ship to Norway?"); err != nil {
		return err
	}
	srv.Advance(8 * 24 * time.Hour)
	logger.Print("-- 8 days later the webhook is back and Meta delivers Bob's comment")
	if err := srv.SetDelivery(messengertest.Delivery{}); err != nil {
		return err
	}
	if err := srv.Flush(); err != nil {
		return err
	}
	if err := t.settle(ctx, one); err != nil {
		return err
	}
	for _, wh := range []*messenger.Webhook{one, two} {
		if err := wh.Shutdown(ctx); err != nil {
			return err
		}
	}
	return nil
}

// redeliver posts the i-th webhook body srv delivered once more, to to, signed
// as Meta signs it: what a retry after a lost acknowledgement looks like.
func redeliver(srv *messengertest.Server, to http.Handler, i int) error {
	body := srv.Webhooks()[i].Body
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	req.Header.Set(messenger.SignatureHeader, messenger.SignPayload(body, srv.AppSecret()))
	rec := httptest.NewRecorder()
	to.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return fmt.Errorf("redelivery answered %d", rec.Code)
	}
	return nil
}

// transcript prints what the fake Graph API accepted, as people see it.
type transcript struct {
	srv    *messengertest.Server
	logger *log.Logger
	names  map[string]string
	shown  int
}

// settle waits until wh handled what was delivered, then prints the answers.
func (t *transcript) settle(ctx context.Context, wh *messenger.Webhook) error {
	if err := wh.WaitIdle(ctx); err != nil {
		return err
	}
	sent := t.srv.Sent()
	for _, r := range sent[t.shown:] {
		how := ""
		if r.Recipient.CommentID != "" {
			how = " (private reply to the comment)"
		}
		t.logger.Printf("Page → %s%s: %s", t.names[r.RecipientID], how, r.Message.Text)
	}
	t.shown = len(sent)
	return nil
}
