// Echo is the smallest complete Messenger bot: it answers Meta's webhook
// handshake, verifies every delivery, answers each message with its own text
// after a typing indicator, and on SIGINT or SIGTERM shuts down letting the
// handlers of the messages it acknowledged finish (for up to 10 seconds; it keeps no
// inbox, so what is still queued then is reported and lost — the restock example
// shows the inbox that keeps it).
//
// With PAGE_ACCESS_TOKEN, APP_SECRET and VERIFY_TOKEN set it serves the webhook
// at /webhook on $PORT (default 8080). Without them it talks to an in-process
// fake of the Graph API (package messengertest) with a simulated person, prints
// the conversation and exits.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gomessenger/messenger"
)

func main() {
	// Cancelled on Ctrl-C, and on the SIGTERM a process manager sends before it
	// kills the process: that is when the bot must finish what it accepted.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
}

// run is main without the process around it, so tests call it with their own
// environment and output.
func run(ctx context.Context, env func(string) string, stdout io.Writer) error {
	cfg, live, err := loadConfig(env)
	if err != nil {
		return err
	}
	if !live {
		return runDemo(ctx, log.New(stdout, "", 0))
	}
	logger := log.New(stdout, "", log.LstdFlags)
	// The app secret signs appsecret_proof on every call, which Pages with
	// "Require App Secret" demand; it costs nothing on the others.
	client, err := messenger.New(cfg.token, messenger.WithAppSecret(cfg.appSecret))
	if err != nil {
		return err
	}
	wh, err := newWebhook(client, cfg.appSecret, cfg.verifyToken, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	logger.Printf("serving the webhook at http://%s/webhook", ln.Addr())
	return serve(ctx, ln, wh, logger)
}

type config struct {
	token, appSecret, verifyToken string
	addr                          string
}

// loadConfig reads the credentials from env. live is false when none is set,
// which runs the demo; some but not all of them is a mistake worth stopping for.
func loadConfig(env func(string) string) (cfg config, live bool, err error) {
	cfg = config{
		token:       env("PAGE_ACCESS_TOKEN"),
		appSecret:   env("APP_SECRET"),
		verifyToken: env("VERIFY_TOKEN"),
		addr:        ":" + cmp.Or(env("PORT"), "8080"),
	}
	var missing []string
	for _, name := range []string{"PAGE_ACCESS_TOKEN", "APP_SECRET", "VERIFY_TOKEN"} {
		if env(name) == "" {
			missing = append(missing, name)
		}
	}
	switch len(missing) {
	case 0:
		return cfg, true, nil
	case 3:
		return cfg, false, nil
	}
	return cfg, false, fmt.Errorf("%s not set: set all of PAGE_ACCESS_TOKEN, APP_SECRET and VERIFY_TOKEN, or none to run the demo", strings.Join(missing, " and "))
}

// newWebhook is the bot: a webhook that echoes every message through client.
func newWebhook(client *messenger.Client, appSecret, verifyToken string, logger *log.Logger) (*messenger.Webhook, error) {
	wh, err := messenger.NewWebhook(appSecret, verifyToken,
		// A handler's error is logged here; the webhook has already answered Meta.
		messenger.WithErrorHandler(func(ctx context.Context, ev messenger.Event, err error) {
			if ev != nil {
				logger.Printf("error handling a %s event: %v", ev.Kind(), err)
				return
			}
			logger.Printf("webhook error: %v", err)
		}))
	if err != nil {
		return nil, err
	}
	// The Page's own messages come back as *EchoEvent, a type of their own, so
	// this handler never answers the bot itself.
	messenger.On(wh, func(ctx context.Context, m *messenger.MessageEvent) error {
		// On standby another app owns the conversation (a person answering in
		// Page Inbox, say): the bot only listens.
		if m.Standby {
			return nil
		}
		to := recipient(m.Sender)
		// The indicator is a courtesy: failing to show it must not cost the
		// person their answer, so it is logged and the reply goes on.
		if _, err := client.SendAction(ctx, to, messenger.TypingOn, ""); err != nil {
			logger.Printf("typing indicator: %v", err)
		}
		_, err := client.Send(ctx, messenger.SendRequest{
			To:      to,
			Type:    messenger.Response, // a reply inside the 24-hour window the message opened
			Message: messenger.Text(echoText(m.Message)),
		})
		return err
	})
	return wh, nil
}

// recipient answers whoever wrote: by PSID, or by user_ref for a visitor of the
// chat plugin who has no PSID yet.
func recipient(p messenger.Party) messenger.Recipient {
	if p.ID == "" {
		return messenger.UserRef(p.UserRef)
	}
	return messenger.PSID(p.ID)
}

// echoText is the reply to m: its text, cut to what a Page may send.
func echoText(m messenger.ReceivedMessage) string {
	if m.Text == "" {
		return "I can only echo text, but thanks for sending that!"
	}
	// People may write longer messages than a Page may send back; cutting whole
	// characters keeps the reply valid UTF-8 and under the limit.
	if r := []rune(m.Text); len(r) >= messenger.MaxTextLen {
		return string(r[:messenger.MaxTextLen-1])
	}
	return m.Text
}

// serve answers webhooks on ln until ctx is cancelled, then shuts down in the
// order that loses least: stop taking new deliveries (Meta retries those), finish
// the requests in flight, then let the handlers of the events already
// acknowledged send their replies, until the drain deadline.
func serve(ctx context.Context, ln net.Listener, wh *messenger.Webhook, logger *log.Logger) error {
	mux := http.NewServeMux()
	mux.Handle("/webhook", wh)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Print("shutting down")
	// ctx is done, so draining gets a deadline of its own: most process managers
	// kill the process 10 to 30 seconds after SIGTERM.
	drain, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := hs.Shutdown(drain)
	if e := <-served; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return errors.Join(err, wh.Shutdown(drain))
}
