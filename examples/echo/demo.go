package main

import (
	"context"
	"log"

	"github.com/gomessenger/messenger/messengertest"
)

// runDemo runs the bot against an in-process fake of the Graph API, so the
// example does something visible without a Facebook Page.
func runDemo(ctx context.Context, logger *log.Logger) error {
	srv, err := messengertest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	logger.Print("No PAGE_ACCESS_TOKEN, APP_SECRET or VERIFY_TOKEN: talking to a fake Graph API with a simulated person.")
	return demo(ctx, srv, logger)
}

// demo has a simulated person talk to the bot through srv and prints the
// conversation as the person sees it.
func demo(ctx context.Context, srv *messengertest.Server, logger *log.Logger) error {
	wh, err := newWebhook(srv.Client(), srv.AppSecret(), "demo-verify-token", logger)
	if err != nil {
		return err
	}
	// The fake signs each delivery with the app secret and posts it to the
	// webhook, exactly as Meta would.
	srv.SetWebhook(wh)

	ada := srv.User("1254459154682919")
	t := transcript{srv: srv, logger: logger, names: map[string]string{ada.PSID(): "Ada"}}
	for _, text := range []string{"Hello, bot!", "Can you say it back? 🦜"} {
		logger.Printf("Ada → Page: %s", text)
		if _, err := ada.Says(text); err != nil {
			return err
		}
		// The webhook answers Meta first and handles the event afterwards:
		// wait for the handler before printing what it sent.
		if err := wh.WaitIdle(ctx); err != nil {
			return err
		}
		t.flush()
	}
	return wh.Shutdown(ctx)
}

// transcript prints what the fake Graph API accepted, as the person sees it.
type transcript struct {
	srv    *messengertest.Server
	logger *log.Logger
	names  map[string]string
	shown  int
}

// flush prints the sends accepted since the last flush.
func (t *transcript) flush() {
	sent := t.srv.Sent()
	for _, r := range sent[t.shown:] {
		to := t.names[r.RecipientID]
		switch {
		case r.Message != nil:
			t.logger.Printf("Page → %s: %s", to, r.Message.Text)
		case r.SenderAction == "typing_on":
			t.logger.Printf("Page → %s: (typing…)", to)
		default:
			t.logger.Printf("Page → %s: (%s)", to, r.SenderAction)
		}
	}
	t.shown = len(sent)
}
