package main

import (
	"context"
	"testing"

	"github.com/gomessenger/messenger/messengertest"
)

func TestBotReplies(t *testing.T) {
	srv := messengertest.NewServer(t) // a fake Graph API, closed by t.Cleanup
	wh, err := newBot(srv.Client(), srv.AppSecret(), "any-verify-token")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Shutdown(context.Background()) })
	srv.SetWebhook(wh) // signed deliveries to the bot's handler
	if _, err := srv.User("1001").Says("hi"); err != nil {
		t.Fatal(err)
	}
	sent, err := srv.WaitForSent(t.Context(), 1) // no sleeping; gives up after 5s
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sent[0].Message.Text, "You said: hi"; got != want {
		t.Errorf("bot replied %q, want %q", got, want)
	}
}
