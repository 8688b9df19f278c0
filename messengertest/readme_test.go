package messengertest_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/messengertest"
)

// echoBot is the bot of the README's "Test your bot without Meta" section: the
// test below is that section's code, so the README stays true.
type echoBot struct {
	client  *messenger.Client
	webhook *messenger.Webhook
}

func newEchoBot(client *messenger.Client, appSecret string) (*echoBot, error) {
	wh, err := messenger.NewWebhook(appSecret, "verify-token")
	if err != nil {
		return nil, err
	}
	b := &echoBot{client: client, webhook: wh}
	messenger.On(wh, func(ctx context.Context, ev *messenger.MessageEvent) error {
		_, err := b.client.Send(ctx, messenger.SendRequest{
			To:      messenger.PSID(ev.Sender.ID),
			Type:    messenger.Response,
			Message: messenger.Text("You said: " + ev.Message.Text),
		})
		return err
	})
	return b, nil
}

func (b *echoBot) Handler() http.Handler { return b.webhook }

func TestBotReplies(t *testing.T) {
	srv := messengertest.NewServer(t) // closed by t.Cleanup
	bot, err := newEchoBot(srv.Client(), srv.AppSecret())
	if err != nil {
		t.Fatal(err)
	}
	srv.SetWebhook(bot.Handler()) // signed deliveries to the bot's handler
	if _, err := srv.User("1001").Says("hi"); err != nil {
		t.Fatal(err)
	}
	sent, err := srv.WaitForSent(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := sent[0].Message.Text; got != "You said: hi" {
		t.Errorf("bot replied %q, want %q", got, "You said: hi")
	}
}
