// Support is a support desk on Messenger. A bot answers common questions at
// any hour (ice breakers, quick replies), greets people on first contact, and
// hands the conversation to the team when asked: to Page Inbox, or to a
// help-desk app. Outside business hours it says when the team is back. Agents
// answer in Page Inbox, or through this app as their persona with the
// HUMAN_AGENT tag, which allows replies for 7 days after the person's last
// message. The Page's responsiveness figures are logged every hour.
//
// With PAGE_ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN and PAGE_ID set it serves
// the webhook at /webhook on $PORT (default 8080); HUMAN_APP_ID picks the app
// that receives handed-over threads (default Page Inbox), and AGENT_KEY turns
// on the agents' endpoints POST /agent/reply (psid, agent, text) and POST
// /agent/done (psid), called with "Authorization: Bearer $AGENT_KEY".
// Without credentials it plays a Friday evening and a Monday morning against
// an in-process fake of the Graph API and prints the conversations.
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
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // the team's time zone must load on machines without a zoneinfo database

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/memstore"
)

// teamZone is where the support team works; their hours are weekdays9to5.
const teamZone = "Europe/Berlin"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "support:", err)
		os.Exit(1)
	}
}

// run is main without the process around it, so tests call it with their own
// environment and output.
func run(ctx context.Context, env func(string) string, stdout io.Writer) error {
	loc, err := time.LoadLocation(teamZone)
	if err != nil {
		return err
	}
	team := weekdays9to5(loc)
	cfg, live, err := loadConfig(env)
	if err != nil {
		return err
	}
	if !live {
		return runDemo(ctx, team, log.New(stdout, "", 0))
	}
	logger := log.New(stdout, "", log.LstdFlags)

	// One store for the webhook (redeliveries, people's messaging windows) and
	// the bot (who was greeted). It lives in memory; use store/filestore or
	// redisstore to keep it across restarts or share it between instances.
	st, err := memstore.New()
	if err != nil {
		return err
	}
	client, err := messenger.New(cfg.token,
		messenger.WithAppSecret(cfg.appSecret),
		messenger.WithPageID(cfg.pageID),
		// The guard refuses, before the network, any send the platform's rules
		// forbid now, judged from the windows the webhook records in st.
		// Declare Human Agent only once App Review granted it.
		messenger.WithPolicyGuard(st, messenger.GuardHumanAgentApproved()),
	)
	if err != nil {
		return err
	}
	b, err := newBot(client, st, team, cfg.humanApp, logger)
	if err != nil {
		return err
	}
	wh, err := newWebhook(b, cfg.appSecret, cfg.verifyToken, st, logger)
	if err != nil {
		return err
	}
	// Ice breakers and Get Started are set once at start; Graph allows 10
	// profile calls per 10 minutes, so don't do it per message.
	if err := client.SetProfile(ctx, b.profile()); err != nil {
		return fmt.Errorf("set the Messenger Profile: %w", err)
	}

	mux := http.NewServeMux()
	mux.Handle("/webhook", wh)
	if cfg.agentKey != "" {
		mux.Handle("/agent/", requireKey(cfg.agentKey, b.desk()))
	} else {
		logger.Print("AGENT_KEY not set: agents answer in Page Inbox only")
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
				b.logFigures()
			}
		}
	}()
	defer b.logFigures()
	return serve(ctx, ln, mux, wh, logger)
}

type config struct {
	token, appSecret, verifyToken, pageID string
	humanApp, agentKey                    string
	addr                                  string
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
		humanApp:    cmp.Or(env("HUMAN_APP_ID"), messenger.PageInboxAppID),
		agentKey:    env("AGENT_KEY"),
		addr:        ":" + cmp.Or(env("PORT"), "8080"),
	}
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

// newWebhook is the webhook the bot listens on. It records every person's
// window-opening actions in st, which the policy guard reads.
func newWebhook(b *bot, appSecret, verifyToken string, st store.Store, logger *log.Logger) (*messenger.Webhook, error) {
	wh, err := messenger.NewWebhook(appSecret, verifyToken,
		messenger.WithWindows(st),
		messenger.WithDedupe(st),
		messenger.WithWebhookClock(b.client.Now),
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
	b.register(wh)
	return wh, nil
}

// desk serves the agents' endpoints: POST /agent/reply answers a person as the
// agent's persona, POST /agent/done gives the conversation back to the bot.
func (b *bot) desk() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /agent/reply", func(w http.ResponseWriter, r *http.Request) {
		agent, psid, text := r.FormValue("agent"), r.FormValue("psid"), r.FormValue("text")
		if agent == "" || psid == "" || text == "" {
			http.Error(w, "agent, psid and text are required", http.StatusBadRequest)
			return
		}
		deskAnswer(w, b.agentReply(r.Context(), agent, psid, text))
	})
	mux.HandleFunc("POST /agent/done", func(w http.ResponseWriter, r *http.Request) {
		psid := r.FormValue("psid")
		if psid == "" {
			http.Error(w, "psid is required", http.StatusBadRequest)
			return
		}
		deskAnswer(w, b.backToBot(r.Context(), psid))
	})
	return mux
}

// deskAnswer tells the agent's tool what happened. A refusal by the rules is
// the agent's to act on (409, with the reason); other failures are Graph's or
// ours (502). SDK errors never contain the token or app secret.
func deskAnswer(w http.ResponseWriter, err error) {
	var refused *messenger.PolicyError
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.As(err, &refused):
		http.Error(w, refused.Decision.Reason, http.StatusConflict)
	default:
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}

// requireKey lets through only requests that carry "Authorization: Bearer key".
// The endpoints speak for the Page, so they must not be open to the internet.
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
