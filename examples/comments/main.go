// Comments answers comments on the Page's posts with a private message, once
// per comment and within the 7 days the platform allows, then carries on the
// conversation when the person writes back. It skips the Page's own comments,
// asks the policy package before replying, and makes "once" hold across
// redeliveries and instances with an atomic FirstSeen on the comment id.
//
// With PAGE_ACCESS_TOKEN, APP_SECRET and VERIFY_TOKEN set it serves the webhook
// at /webhook on $PORT (default 8080); subscribe the Page to "feed" and
// "messages". Without credentials it plays comments, a redelivery to a second
// instance and a late delivery against an in-process fake of the Graph API.
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
	"github.com/gomessenger/messenger/store/memstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "comments:", err)
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
	client, err := messenger.New(cfg.token, messenger.WithAppSecret(cfg.appSecret))
	if err != nil {
		return err
	}
	// In memory, "once" holds within this process. Several instances must share
	// the store (redisstore) for it to hold across them.
	st, err := memstore.New()
	if err != nil {
		return err
	}
	r := newReplier(client, st, logger)
	wh, err := newWebhook(r, cfg.appSecret, cfg.verifyToken, logger)
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

// loadConfig reads the configuration from env. live is false when no
// credential is set, which runs the demo; some but not all of them is a
// mistake worth stopping for.
func loadConfig(env func(string) string) (cfg config, live bool, err error) {
	cfg = config{
		token:       env("PAGE_ACCESS_TOKEN"),
		appSecret:   env("APP_SECRET"),
		verifyToken: env("VERIFY_TOKEN"),
		addr:        ":" + cmp.Or(env("PORT"), "8080"),
	}
	required := []string{"PAGE_ACCESS_TOKEN", "APP_SECRET", "VERIFY_TOKEN"}
	var missing []string
	for _, name := range required {
		if env(name) == "" {
			missing = append(missing, name)
		}
	}
	switch len(missing) {
	case 0:
		return cfg, true, nil
	case len(required):
		return cfg, false, nil
	}
	return cfg, false, fmt.Errorf("%s not set: set all of %s, or none to run the demo",
		strings.Join(missing, ", "), strings.Join(required, ", "))
}

// newWebhook is a webhook that hands comments and messages to r.
func newWebhook(r *replier, appSecret, verifyToken string, logger *log.Logger) (*messenger.Webhook, error) {
	wh, err := messenger.NewWebhook(appSecret, verifyToken,
		messenger.WithWebhookClock(r.client.Now),
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
	r.register(wh)
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
