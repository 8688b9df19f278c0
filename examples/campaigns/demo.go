package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/messengertest"
	"github.com/gomessenger/messenger/referral"
)

// The simulated people.
const (
	adaPSID  = "1254459154682919" // scans the flyer: a new conversation
	bobPSID  = "1254459154682920" // a customer who taps the Instagram story link
	cleoPSID = "1254459154682921" // taps an ad
	danPSID  = "1254459154682922" // opens the chat plugin on the website
)

// demoPage stands for the Page's username in the demo's links.
const demoPage = "acmekettles"

// runDemo runs the campaign against an in-process fake of the Graph API, with
// the QR codes in outDir (./campaign-qr when empty), where they stay so that
// they can be opened and scanned.
func runDemo(ctx context.Context, outDir string, logger *log.Logger) error {
	outDir = cmp.Or(outDir, defaultOutDir)
	srv, err := messengertest.Start(messengertest.WithNow(time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)))
	if err != nil {
		return err
	}
	defer srv.Close()
	logger.Print("No PAGE_ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN or PAGE_NAME: playing a campaign against a fake Graph API.")
	return demo(ctx, srv, outDir, logger)
}

// demo writes the campaign's links, plays people arriving through them via
// srv, and prints what they see and the counts.
func demo(ctx context.Context, srv *messengertest.Server, outDir string, logger *log.Logger) error {
	if err := writeLinks(demoPage, outDir, logger); err != nil {
		return err
	}
	client := srv.Client()
	if err := client.SetProfile(ctx, messenger.PageProfile{GetStarted: &messenger.GetStarted{Payload: getStarted}}); err != nil {
		return err
	}
	g := &greeter{client: client, counts: referral.NewAttribution(0)}
	wh, err := newWebhook(g, srv.AppSecret(), "demo-verify-token", logger)
	if err != nil {
		return err
	}
	srv.SetWebhook(wh)
	t := transcript{srv: srv, wh: wh, logger: logger,
		names: map[string]string{adaPSID: "Ada", bobPSID: "Bob", cleoPSID: "Cleo", danPSID: "Dan"}}
	ref := func(i int) string { r, _ := referral.EncodeRef(placements[i]); return r }
	ada, bob, cleo, dan := srv.User(adaPSID), srv.User(bobPSID), srv.User(cleoPSID), srv.User(danPSID)

	// Bob and Dan have written to the Page before.
	for _, u := range []*messengertest.User{bob, dan} {
		if _, err := u.Says("Hi, is my order on its way?"); err != nil {
			return err
		}
		if err := t.settle(ctx, false); err != nil {
			return err
		}
	}
	srv.Advance(3 * time.Hour)

	steps := []struct {
		what string
		do   func() error
	}{
		{"Ada scans the flyer's QR code and taps Get Started", func() error { return ada.OpensLink(ref(0)) }},
		{"Ada → Page: Do you have the blue kettle?", func() error { _, err := ada.Says("Do you have the blue kettle?"); return err }},
		{"Bob taps the link in the Instagram story", func() error { return bob.OpensLink(ref(2)) }},
		{"Cleo taps the summer sale ad", func() error { return cleo.ArrivesFromAd("6072222222222", "summer_sale") }},
		{"Cleo → Page: Is it 20% off the red one too?", func() error { _, err := cleo.Says("Is it 20% off the red one too?"); return err }},
		// The fake has no chat plugin: deliver the referral Meta would send.
		{"Dan opens the chat plugin on the kettles page", func() error { return chatPlugin(srv, wh, danPSID, "https://shop.example.com/kettles") }},
	}
	for _, s := range steps {
		logger.Print(s.what)
		if err := s.do(); err != nil {
			return err
		}
		if err := t.settle(ctx, true); err != nil {
			return err
		}
	}
	logCounts(logger, g.counts.Snapshot())
	return wh.Shutdown(ctx)
}

// chatPlugin delivers to wh, signed as Meta signs it, the referral of a
// person with a conversation opening the chat plugin on the page at uri.
func chatPlugin(srv *messengertest.Server, wh http.Handler, psid, uri string) error {
	body, err := messenger.MarshalEnvelope(&messenger.ReferralEvent{
		EventInfo: messenger.EventInfo{PageID: srv.PageID(), Sender: messenger.Party{ID: psid},
			Recipient: messenger.Party{ID: srv.PageID()}, Time: srv.Now()},
		Referral: messenger.Referral{Source: string(referral.ChatPlugin), Type: "OPEN_THREAD", RefererURI: uri},
	})
	if err != nil {
		return err
	}
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	req.Header.Set(messenger.SignatureHeader, messenger.SignPayload(body, srv.AppSecret()))
	rec := httptest.NewRecorder()
	wh.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return fmt.Errorf("chat plugin referral answered %d", rec.Code)
	}
	return nil
}

// transcript prints what the fake Graph API accepted, as people see it.
type transcript struct {
	srv    *messengertest.Server
	wh     *messenger.Webhook
	logger *log.Logger
	names  map[string]string
	shown  int
}

// settle waits until the webhook handled what was delivered; with show, it
// prints the Page's answers.
func (t *transcript) settle(ctx context.Context, show bool) error {
	if err := t.wh.WaitIdle(ctx); err != nil {
		return err
	}
	sent := t.srv.Sent()
	for _, r := range sent[t.shown:] {
		if show {
			t.logger.Printf("Page → %s: %s", t.names[r.RecipientID], r.Message.Text)
		}
	}
	t.shown = len(sent)
	return nil
}
