// Campaigns measures which placements of a campaign bring conversations. It
// writes one m.me link with a ref, and its QR code, per placement (a flyer, a
// shop window, a story), then greets each person by how they arrived: a link
// into a new conversation (the ref comes with the Get Started postback), a
// link into an existing one (a referral event), an ad, or the chat plugin on
// the website. The counts per ref and source are printed every hour and at
// shutdown.
//
// With PAGE_ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN and PAGE_NAME (the Page's
// username or id, for the links) set it writes the QR codes to $OUT_DIR
// (default ./campaign-qr) and serves the webhook at /webhook on $PORT (default
// 8080). Without credentials it writes the QR codes there too, plays five
// arrivals against an in-process fake of the Graph API and prints the counts.
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
	"github.com/gomessenger/messenger/referral"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "campaigns:", err)
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
		return runDemo(ctx, env("OUT_DIR"), log.New(stdout, "", 0))
	}
	logger := log.New(stdout, "", log.LstdFlags)
	if err := writeLinks(cfg.pageName, cfg.outDir, logger); err != nil {
		return err
	}
	client, err := messenger.New(cfg.token, messenger.WithAppSecret(cfg.appSecret))
	if err != nil {
		return err
	}
	// A ref reaches a new conversation only through the Get Started button.
	if err := client.SetProfile(ctx, messenger.PageProfile{GetStarted: &messenger.GetStarted{Payload: getStarted}}); err != nil {
		return fmt.Errorf("set Get Started: %w", err)
	}
	g := &greeter{client: client, counts: referral.NewAttribution(0)}
	wh, err := newWebhook(g, cfg.appSecret, cfg.verifyToken, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	logger.Printf("serving the webhook at http://%s/webhook", ln.Addr())
	go func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				logCounts(logger, g.counts.Snapshot())
			}
		}
	}()
	defer func() { logCounts(logger, g.counts.Snapshot()) }()
	return serve(ctx, ln, wh, logger)
}

type config struct {
	token, appSecret, verifyToken, pageName string
	outDir, addr                            string
}

// loadConfig reads the configuration from env. live is false when no
// credential is set, which runs the demo; some but not all of them is a
// mistake worth stopping for.
func loadConfig(env func(string) string) (cfg config, live bool, err error) {
	cfg = config{
		token:       env("PAGE_ACCESS_TOKEN"),
		appSecret:   env("APP_SECRET"),
		verifyToken: env("VERIFY_TOKEN"),
		pageName:    env("PAGE_NAME"),
		outDir:      cmp.Or(env("OUT_DIR"), defaultOutDir),
		addr:        ":" + cmp.Or(env("PORT"), "8080"),
	}
	required := []string{"PAGE_ACCESS_TOKEN", "APP_SECRET", "VERIFY_TOKEN", "PAGE_NAME"}
	var missing []string
	for _, name := range required {
		if env(name) == "" {
			missing = append(missing, name)
		}
	}
	switch len(missing) {
	case 0:
		return cfg, true, referral.ValidatePageName(cfg.pageName)
	case len(required):
		return cfg, false, nil
	}
	return cfg, false, fmt.Errorf("%s not set: set all of %s, or none to run the demo",
		strings.Join(missing, ", "), strings.Join(required, ", "))
}

// newWebhook is a webhook that hands every event to g.
func newWebhook(g *greeter, appSecret, verifyToken string, logger *log.Logger) (*messenger.Webhook, error) {
	wh, err := messenger.NewWebhook(appSecret, verifyToken,
		messenger.WithWebhookClock(g.client.Now),
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
	g.register(wh)
	return wh, nil
}

// serve answers webhooks on ln until ctx is cancelled, then shuts down in the
// order that loses nothing: stop taking deliveries (Meta retries them), finish
// the requests in flight, then let the handlers of acknowledged events finish.
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
	drain, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := hs.Shutdown(drain)
	if e := <-served; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return errors.Join(err, wh.Shutdown(drain))
}
