package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/messengertest"
	"github.com/google/go-cmp/cmp"
)

func TestRunDemo(t *testing.T) {
	var out bytes.Buffer
	env := func(k string) string {
		if k == "DATA_DIR" {
			return t.TempDir()
		}
		return ""
	}
	if err := run(t.Context(), env, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, &out)
	}
	for _, want := range []string{
		"Page → Ada: [one-time notification request: The blue kettle is back in stock] [Notify Me]",
		"(restarted: 1 token for Ada on disk, topic restock:blue-kettle, live)",
		"Page → Ada (with her one-time token): Good news: the blue kettle is back in stock!",
		// The second restock finds nobody holding a usable token: no second message.
		"(1 waiting for the blue kettle)\n(told 1254459154682919 the blue kettle is back)",
		"-- the warehouse system sends the same delivery again\n(0 waiting for the blue kettle)",
		"(the fake Graph API accepted 1 message with Ada's token)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("transcript lacks %q:\n%s", want, &out)
		}
	}
}

// optinToken returns the one-time token the fake delivered to the webhook.
func optinToken(t *testing.T, srv *messengertest.Server) string {
	t.Helper()
	for _, w := range srv.Webhooks() {
		events, err := messenger.ParseEvents(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range events {
			if o, ok := ev.(*messenger.OptinEvent); ok && o.OneTimeNotifToken != "" {
				return o.OneTimeNotifToken
			}
		}
	}
	t.Fatal("no opt-in with a token was delivered")
	return ""
}

func TestDemoSendsOneNotification(t *testing.T) {
	srv := messengertest.NewServer(t)
	if err := demo(t.Context(), srv, t.TempDir(), log.New(io.Discard, "", 0)); err != nil {
		t.Fatal(err)
	}
	token := optinToken(t, srv)
	type send struct{ Type, Template, Text string }
	var toAda, withToken []send
	for _, r := range srv.Sent() {
		s := send{Type: r.MessagingType, Text: r.Message.Text}
		if r.Message.Attachment != nil {
			s.Template = r.Message.Attachment.TemplateType
		}
		switch {
		case r.Recipient.ID == adaPSID:
			toAda = append(toAda, s)
		case r.Recipient.OneTimeNotifToken == token:
			withToken = append(withToken, s)
		default:
			t.Errorf("unexpected recipient %+v", r.Recipient)
		}
	}
	if diff := cmp.Diff([]send{
		{"RESPONSE", "", "Sorry, the blue kettle is sold out right now."},
		{"RESPONSE", "one_time_notif_req", ""},
		{"RESPONSE", "", "Done! I'll send you one message when it's back."},
	}, toAda); diff != "" {
		t.Errorf("sends to Ada's PSID (-want +got):\n%s", diff)
	}
	// Exactly one message with the token, though the restock ran twice.
	if diff := cmp.Diff([]send{
		{"", "", "Good news: the blue kettle is back in stock! https://shop.example.com/blue-kettle"},
	}, withToken); diff != "" {
		t.Errorf("sends with the token (-want +got):\n%s", diff)
	}
}

// TestConcurrentRestocks runs one delivery through two restocks at once, as two
// instances of the shop or a retried warehouse call would.
func TestConcurrentRestocks(t *testing.T) {
	srv := messengertest.NewServer(t)
	// Concurrent sends may leave a dialed but unused connection, which the fake's
	// Close would wait 5 s for (net/http's grace for new connections): close the
	// client's idle connections first. Cleanups run last-registered first.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	client := srv.Client(messenger.WithHTTPClient(&http.Client{Transport: tr}))
	var out bytes.Buffer
	a, err := open(t.Context(), client, t.TempDir(), srv.AppSecret(), "verify", log.New(&out, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv.SetWebhook(a.webhook)
	for _, psid := range []string{"1", "2", "3"} {
		if _, err := srv.User(psid).Says("kettle?"); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.User(psid).OptsIn(topic("blue-kettle")); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.webhook.WaitIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if err := a.shop.restock(t.Context(), srv.PageID(), "blue-kettle"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	perToken := map[string]int{}
	for _, r := range srv.Sent() {
		if tok := r.Recipient.OneTimeNotifToken; tok != "" {
			perToken[tok]++
		}
	}
	if len(perToken) != 3 {
		t.Errorf("%d tokens used, want 3: %v", len(perToken), perToken)
	}
	for tok, n := range perToken {
		if n != 1 {
			t.Errorf("token …%s used %d times", tok[len(tok)-4:], n)
		}
	}
	// Each restock took its own snapshot of the holders; whoever was in both was
	// told by one and refused by the other, so listed = told + refused.
	listed := 0
	for _, line := range strings.Split(out.String(), "\n") {
		var n int
		if _, err := fmt.Sscanf(line, "(%d waiting for the blue kettle)", &n); err == nil {
			listed += n
		}
	}
	told := strings.Count(out.String(), "the blue kettle is back)")
	refused := strings.Count(out.String(), "no usable token")
	if told != 3 || listed != told+refused {
		t.Errorf("restocks listed %d holders, told %d, refused %d; want told 3 and listed = told + refused:\n%s", listed, told, refused, &out)
	}
}
