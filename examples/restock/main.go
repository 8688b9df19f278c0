// Restock sends "it's back in stock" with one-time notifications. Asked about
// a sold-out product, the bot offers to notify the person once; a tap on
// "Notify Me" grants a token, which is stored durably before the webhook
// answers Meta. When the product arrives, each person waiting is told once:
// the token is claimed atomically before the send, so a repeated restock, a
// retry or a second instance never uses it twice.
//
// With PAGE_ACCESS_TOKEN, APP_SECRET and VERIFY_TOKEN set it serves the webhook
// at /webhook on $PORT (default 8080) and keeps its state in $DATA_DIR (default
// ./restock-data). With ADMIN_KEY set, the warehouse reports a delivery with
// POST /admin/restock?sku=blue-kettle and "Authorization: Bearer $ADMIN_KEY".
// Without credentials it plays a sold-out kettle, an opt-in, a restart and two
// restocks against an in-process fake of the Graph API.
package main

import (
	"cmp"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store/filestore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "restock:", err)
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
		return runDemo(ctx, env("DATA_DIR"), log.New(stdout, "", 0))
	}
	logger := log.New(stdout, "", log.LstdFlags)
	client, err := messenger.New(cfg.token, messenger.WithAppSecret(cfg.appSecret))
	if err != nil {
		return err
	}
	a, err := open(ctx, client, cfg.dataDir, cfg.appSecret, cfg.verifyToken, logger)
	if err != nil {
		return err
	}
	defer a.Close()

	mux := http.NewServeMux()
	mux.Handle("/webhook", a.webhook)
	if cfg.adminKey != "" {
		mux.Handle("POST /admin/restock", requireKey(cfg.adminKey, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := a.shop.restock(r.Context(), r.FormValue("page"), r.FormValue("sku")); err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})))
	} else {
		logger.Print("ADMIN_KEY not set: POST /admin/restock is off")
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	logger.Printf("serving the webhook at http://%s/webhook; state in %s", ln.Addr(), cfg.dataDir)
	return serve(ctx, ln, mux, a.webhook, logger)
}

type config struct {
	token, appSecret, verifyToken string
	dataDir, adminKey, addr       string
}

// loadConfig reads the configuration from env. live is false when no
// credential is set, which runs the demo; some but not all of them is a
// mistake worth stopping for.
func loadConfig(env func(string) string) (cfg config, live bool, err error) {
	cfg = config{
		token:       env("PAGE_ACCESS_TOKEN"),
		appSecret:   env("APP_SECRET"),
		verifyToken: env("VERIFY_TOKEN"),
		dataDir:     cmp.Or(env("DATA_DIR"), "restock-data"),
		adminKey:    env("ADMIN_KEY"),
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

// app is the shop with its durable state, ready to serve.
type app struct {
	shop    *shop
	webhook *messenger.Webhook
	store   *filestore.Store
}

// open opens the state in dir and builds the webhook. Everything people
// granted lives in dir: the tokens (which are the waitlist) and the webhook's
// inbox in restock.db.
func open(ctx context.Context, client *messenger.Client, dir, appSecret, verifyToken string, logger *log.Logger) (_ *app, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	st, err := filestore.Open(filepath.Join(dir, "restock.db"), filestore.WithClock(client.Now))
	if err != nil {
		return nil, err
	}
	a := &app{store: st}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if a.shop, err = newShop(client, st, logger); err != nil {
		return nil, err
	}
	a.webhook, err = messenger.NewWebhook(appSecret, verifyToken,
		// The inbox keeps each delivery on disk from before the 200 until it is
		// handled, so an opt-in acknowledged just before a crash is not lost:
		// Replay handles it on the next start. The durable dedupe store keeps the
		// replayed events that had finished from running twice.
		messenger.WithInbox(st),
		messenger.WithDedupe(st),
		messenger.WithWindows(st),
		messenger.WithWebhookClock(client.Now),
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
	a.shop.register(a.webhook)
	n, err := a.webhook.Replay(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		logger.Printf("(handled %d events a previous run acknowledged but did not finish)", n)
	}
	return a, nil
}

// Close drains the webhook, if serve has not, and closes the files.
func (a *app) Close() error {
	var errs []error
	if a.webhook != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		errs = append(errs, a.webhook.Shutdown(ctx))
	}
	return errors.Join(append(errs, a.store.Close())...)
}

// requireKey lets through only requests that carry "Authorization: Bearer key".
// The endpoint makes the Page message people, so it must not be open to all.
func requireKey(key string, next http.Handler) http.Handler {
	want := []byte("Bearer " + key)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// serve answers HTTP on ln until ctx is cancelled, then shuts down in the order
// that loses nothing: stop taking deliveries (Meta retries them), finish the
// requests in flight, then let the handlers of acknowledged events finish.
func serve(ctx context.Context, ln net.Listener, h http.Handler, wh *messenger.Webhook, logger *log.Logger) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
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
