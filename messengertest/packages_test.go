package messengertest

import (
	"errors"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/otn"
	personas "github.com/gomessenger/messenger/persona"
	"github.com/gomessenger/messenger/store/storetest"
)

// The SDK's persona and otn packages against the fake: what they encode the fake
// accepts, and the fake's state agrees with theirs.

func TestPersonaPackage(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	ctx := t.Context()
	p, err := personas.New(c, personas.WithPageSize(2))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, name := range []string{"Ann", "Ben", "Cat"} {
		got, err := p.Create(ctx, name, "https://e.com/"+name+".png")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got.ID)
	}
	var names []string
	for got, err := range p.List(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, got.Name)
	}
	if len(names) != 3 {
		t.Errorf("List over pages of 2 = %v", names)
	}
	again, err := p.Ensure(ctx, "Ben", "https://e.com/Ben.png")
	if err != nil || again.ID != ids[1] {
		t.Errorf("Ensure found %+v, %v; want %s", again, err, ids[1])
	}
	if _, err := p.SendText(ctx, ids[0], messenger.PSID(testPSID), "Ann here"); err != nil {
		t.Fatal(err)
	}
	if err := p.TypingOn(ctx, ids[0], messenger.PSID(testPSID)); err != nil {
		t.Fatal(err)
	}
	if err := p.Delete(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Get(ctx, ids[0]); err == nil {
		t.Error("Get of a deleted persona succeeded")
	}
	if _, err := p.SendText(ctx, ids[0], messenger.PSID(testPSID), "ghost"); !errors.Is(err, messenger.ErrInvalidParameter) {
		t.Errorf("send as a deleted persona: %v", err)
	}
	if n := len(srv.Personas()); n != 2 {
		t.Errorf("fake has %d personas, want 2", n)
	}
}

func TestOTNPackage(t *testing.T) {
	t.Parallel()
	tokens := storetest.NewMemory(t)
	srv := NewServer(t, WithNow(testNow))
	c := srv.Client()
	n, err := otn.New(c, tokens, otn.WithClock(srv.Now))
	if err != nil {
		t.Fatal(err)
	}
	hook, err := messenger.NewWebhook(srv.AppSecret(), "verify", messenger.WithWebhookClock(srv.Now))
	if err != nil {
		t.Fatal(err)
	}
	messenger.On(hook, n.HandleOptin)
	srv.SetWebhook(hook)
	ctx := t.Context()
	u := srv.User(testPSID)
	u.Says("tell me when it's back")
	if _, err := n.Request(ctx, otn.OptInRequest{Page: srv.PageID(), User: testPSID, Title: "Back in stock?", Topic: "sku-42"}); err != nil {
		t.Fatal(err)
	}
	if _, err := u.OptsIn("sku-42"); err != nil {
		t.Fatal(err)
	}
	if err := hook.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Advance(30 * 24 * time.Hour)
	if _, err := n.Notify(ctx, srv.PageID(), testPSID, "sku-42", messenger.Text("It's back")); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if _, err := n.Notify(ctx, srv.PageID(), testPSID, "sku-42", messenger.Text("again")); !errors.Is(err, otn.ErrNoToken) {
		t.Errorf("second Notify: %v", err)
	}
	sent := srv.Sent()
	if last := sent[len(sent)-1]; last.Recipient.OneTimeNotifToken == "" || last.RecipientID != testPSID {
		t.Errorf("notification record = %+v", last)
	}
}
