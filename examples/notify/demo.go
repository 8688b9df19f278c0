package main

import (
	"context"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/messengertest"
)

// The simulated audience.
const (
	adaPSID  = "1254459154682919" // wrote an hour ago: inside her window
	bobPSID  = "1254459154682920" // wrote three days ago and opted in: her token
	cleoPSID = "1254459154682921" // wrote three days ago: out of reach
	danPSID  = "1254459154682922" // inside his window
	evePSID  = "1254459154682923" // inside her window
)

// audienceCSV is the audience file: a header naming the psid column, one row
// per person, a repeated person and a row without a PSID.
const audienceCSV = `psid,first_name
` + adaPSID + `,Ada
` + bobPSID + `,Bob
` + cleoPSID + `,Cleo
` + danPSID + `,Dan
` + adaPSID + `,Ada
,Zed
` + evePSID + `,Eve
`

// runDemo runs a broadcast against an in-process fake of the Graph API, with
// its files in dataDir (a temporary directory when empty).
func runDemo(ctx context.Context, dataDir string, logger *log.Logger) error {
	if dataDir == "" {
		tmp, err := os.MkdirTemp("", "notify-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dataDir = tmp
	}
	srv, err := messengertest.Start(messengertest.WithNow(time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)))
	if err != nil {
		return err
	}
	defer srv.Close()
	logger.Print("No PAGE_ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN or PAGE_ID: playing a broadcast against a fake Graph API.")
	return demo(ctx, srv, dataDir, logger)
}

// demo has the audience act through srv, then sends a broadcast that a
// revoked token cuts off, and resumes it.
func demo(ctx context.Context, srv *messengertest.Server, dataDir string, logger *log.Logger) error {
	client := srv.Client(messenger.WithPageID(srv.PageID()))
	b, err := openBot(client, dataDir, srv.AppSecret(), "demo-verify-token", logger)
	if err != nil {
		return err
	}
	defer b.Close()
	srv.SetWebhook(b.webhook)

	// Three days ago Bob and Cleo wrote, and Bob asked to hear about kettles.
	srv.Advance(-72 * time.Hour)
	for _, psid := range []string{bobPSID, cleoPSID} {
		if _, err := srv.User(psid).Says("Any news about the kettle?"); err != nil {
			return err
		}
	}
	if _, err := srv.User(bobPSID).OptsIn(topic); err != nil {
		return err
	}
	// An hour ago Ada, Dan and Eve wrote.
	srv.Advance(71 * time.Hour)
	for _, psid := range []string{adaPSID, danPSID, evePSID} {
		if _, err := srv.User(psid).Says("Hello!"); err != nil {
			return err
		}
	}
	srv.Advance(time.Hour)
	if err := b.webhook.WaitIdle(ctx); err != nil {
		return err
	}

	audience := filepath.Join(dataDir, "audience.csv")
	if err := os.WriteFile(audience, []byte(audienceCSV), 0o600); err != nil {
		return err
	}
	// One send at a time, so the demo reads the same on every run: the people before
	// Dan are reached before his send stops the first run.
	a := &announcement{client: client, state: b.state, dataDir: dataDir, audience: audience, workers: 1}
	const text = "Hi {first_name}, the blue kettle is back in stock!"

	logger.Print("-- first run: the Page's token is revoked as it reaches Dan")
	// Graph answers 190 (invalid token) once, as when someone resets the Page's
	// access: the broadcast stops rather than fail everyone after.
	if err := srv.InjectFault(messengertest.Fault{Endpoint: messengertest.EndpointMessages, Recipient: danPSID, Code: 190, Count: 1}); err != nil {
		return err
	}
	out := logger.Writer()
	if _, err := a.send(ctx, "kettle-back", text, false, out); err != nil {
		logger.Printf("stopped: %v", err)
	}
	logger.Print("-- second run, same name, after a new token was issued: it resumes")
	if _, err := a.send(ctx, "kettle-back", text, false, out); err != nil {
		return err
	}
	logger.Print("-- what people received")
	names := map[string]string{adaPSID: "Ada", bobPSID: "Bob", cleoPSID: "Cleo", danPSID: "Dan", evePSID: "Eve"}
	for _, r := range srv.Sent() {
		if r.Message == nil {
			continue
		}
		to, how := names[r.RecipientID], r.MessagingType
		if r.Recipient.OneTimeNotifToken != "" {
			to, how = "Bob", "one-time token"
		}
		logger.Printf("Page → %s (%s): %s", to, how, r.Message.Text)
	}
	return nil
}
