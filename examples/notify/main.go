// Notify sends one announcement to an audience file the way the platform
// allows: to each person inside their 24-hour window, or with a one-time
// notification token they granted, and to nobody else; at a rate Graph
// accepts; resumably, so a run stopped halfway (a crash, a deploy, a revoked
// token) goes on where it stopped and nobody gets it twice; with a plan
// before and a report after.
//
// It is also the bot that collects what a broadcast needs: its webhook records
// when each person last wrote and keeps their one-time notification opt-ins,
// in a file store in $DATA_DIR (default ./notify-data).
//
// With PAGE_ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN and PAGE_ID set it serves
// the webhook at /webhook on $PORT (default 8080). With ADMIN_KEY set too,
// POST /admin/broadcast (form fields run, text and dry_run; "Authorization:
// Bearer $ADMIN_KEY") broadcasts to the CSV file $AUDIENCE (default
// $DATA_DIR/audience.csv, columns psid,first_name) and streams the plan,
// progress and report. Without credentials it plays a broadcast that is cut
// off and resumed against an in-process fake of the Graph API.
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
	"github.com/gomessenger/messenger/broadcast"
	"github.com/gomessenger/messenger/otn"
	"github.com/gomessenger/messenger/store/filestore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "notify:", err)
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
	client, err := messenger.New(cfg.token, messenger.WithAppSecret(cfg.appSecret), messenger.WithPageID(cfg.pageID))
	if err != nil {
		return err
	}
	b, err := openBot(client, cfg.dataDir, cfg.appSecret, cfg.verifyToken, logger)
	if err != nil {
		return err
	}
	defer b.Close()
	a := &announcement{client: client, state: b.state, dataDir: cfg.dataDir, audience: cfg.audience}

	mux := http.NewServeMux()
	mux.Handle("/webhook", b.webhook)
	if cfg.adminKey != "" {
		mux.Handle("POST /admin/broadcast", requireKey(cfg.adminKey, a.handler(ctx, logger)))
	} else {
		logger.Print("ADMIN_KEY not set: POST /admin/broadcast is off")
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	logger.Printf("serving the webhook at http://%s/webhook; state in %s", ln.Addr(), cfg.dataDir)
	return serve(ctx, ln, mux, b.webhook, logger)
}

type config struct {
	token, appSecret, verifyToken, pageID string
	dataDir, audience, adminKey, addr     string
}

// loadConfig reads the configuration from env. live is false when no
// credential is set, which runs the demo; some but not all of them is a
// mistake worth stopping for.
func loadConfig(env func(string) string) (cfg config, live bool, err error) {
	cfg = config{
		token:       env("PAGE_ACCESS_TOKEN"),
		appSecret:   env("APP_SECRET"),
		verifyToken: env("VERIFY_TOKEN"),
		pageID:      env("PAGE_ID"),
		dataDir:     cmp.Or(env("DATA_DIR"), "notify-data"),
		adminKey:    env("ADMIN_KEY"),
		addr:        ":" + cmp.Or(env("PORT"), "8080"),
	}
	cfg.audience = cmp.Or(env("AUDIENCE"), filepath.Join(cfg.dataDir, "audience.csv"))
	required := []string{"PAGE_ACCESS_TOKEN", "APP_SECRET", "VERIFY_TOKEN", "PAGE_ID"}
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

// bot is the webhook side: it records what a broadcast needs to know.
type bot struct {
	state   *filestore.Store
	webhook *messenger.Webhook
}

// openBot opens the store in dir and builds a webhook that records each
// person's messaging window and keeps their one-time notification opt-ins.
func openBot(client *messenger.Client, dir, appSecret, verifyToken string, logger *log.Logger) (*bot, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	st, err := filestore.Open(filepath.Join(dir, "notify.db"), filestore.WithClock(client.Now))
	if err != nil {
		return nil, err
	}
	notifier, err := otn.New(client, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	wh, err := messenger.NewWebhook(appSecret, verifyToken,
		messenger.WithWindows(st), // when each person last wrote: who is inside their window
		messenger.WithDedupe(st),
		messenger.WithWebhookClock(client.Now),
		messenger.WithErrorHandler(func(ctx context.Context, ev messenger.Event, err error) {
			if ev != nil {
				logger.Printf("error handling a %s event: %v", ev.Kind(), err)
				return
			}
			logger.Printf("webhook error: %v", err)
		}))
	if err != nil {
		st.Close()
		return nil, err
	}
	messenger.On(wh, notifier.HandleOptin) // the tokens the broadcast may spend
	return &bot{state: st, webhook: wh}, nil
}

// Close drains the webhook, if serve has not, and closes the store.
func (b *bot) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(b.webhook.Shutdown(ctx), b.state.Close())
}

// handler serves POST /admin/broadcast: it runs the broadcast and streams its
// plan, progress and report back as text, line by line. The broadcast runs
// until the process shuts down (ctx), not until the caller hangs up: a dropped
// connection should not leave a broadcast half-sent.
func (a *announcement) handler(ctx context.Context, logger *log.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		run, text, dryRun := r.FormValue("run"), r.FormValue("text"), r.FormValue("dry_run") != ""
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		out := flushWriter{w: w, rc: http.NewResponseController(w)}
		sum, err := a.send(ctx, run, text, dryRun, out)
		if err != nil {
			fmt.Fprintf(out, "error: %v\n", err)
		}
		if sum != nil {
			logger.Printf("broadcast %s: %d recipients, %d sent, %d skipped, %d failed, %d unknown",
				run, sum.Recipients, sum.Count(broadcast.StateSent), sum.Count(broadcast.StateSkipped),
				sum.Count(broadcast.StateFailed), sum.Count(broadcast.StateUnknown))
		}
	})
}

// flushWriter sends each write to the client at once, so progress shows live.
type flushWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

func (f flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err == nil {
		err = f.rc.Flush()
	}
	return n, err
}

// requireKey lets through only requests that carry "Authorization: Bearer key".
// The endpoint makes the Page message everyone, so it must not be open to all.
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
