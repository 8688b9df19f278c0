package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gomessenger/messenger"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	c, err := messenger.New(os.Getenv("PAGE_ACCESS_TOKEN"),
		messenger.WithAppSecret(os.Getenv("APP_SECRET")), // appsecret_proof on every call
		messenger.WithRateLimit(250, 50))                 // per Page, under Meta's 300/s
	if err != nil {
		log.Fatal(err)
	}
	wh, err := newBot(c, os.Getenv("APP_SECRET"), os.Getenv("VERIFY_TOKEN"))
	if err != nil {
		log.Fatal(err)
	}

	// The webhook bounds each body read by its ack budget; the server bounds headers.
	srv := &http.Server{Addr: ":8080", Handler: wh, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	<-ctx.Done()
	srv.Shutdown(context.Background()) // stop taking deliveries
	wh.Shutdown(context.Background())  // then drain the events in flight
}

// newBot is the bot: a webhook that answers every message with its own text.
func newBot(c *messenger.Client, appSecret, verifyToken string) (*messenger.Webhook, error) {
	wh, err := messenger.NewWebhook(appSecret, verifyToken)
	if err != nil {
		return nil, err
	}
	messenger.On(wh, func(ctx context.Context, ev *messenger.MessageEvent) error {
		if ev.Standby {
			return nil // another app owns this conversation (handover)
		}
		_, err := c.Send(ctx, messenger.SendRequest{
			To:      messenger.PSID(ev.Sender.ID),
			Type:    messenger.Response,
			Message: messenger.Text("You said: " + ev.Message.Text),
		})
		return err // to the error hook; retried only with an inbox (see "Many instances")
	})
	return wh, nil
}
