package messengertest

import (
	"context"
	"errors"
	"testing"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storetest"
)

// TestClientPolicyGuard checks that Client passes the Page id, so the SDK's policy
// guard works on a fake's client without further options: it refuses a send to a
// person whose window it never saw open, before the network, and lets it through
// once the window store knows of their message.
func TestClientPolicyGuard(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithNow(testNow))
	if _, err := srv.User(testPSID).Says("hello"); err != nil {
		t.Fatal(err)
	}
	windows := storetest.NewMemory(t)
	client := srv.Client(messenger.WithPolicyGuard(windows))
	if got := client.PageID(); got != srv.PageID() {
		t.Fatalf("client.PageID() = %q, want %q", got, srv.PageID())
	}
	ctx := context.Background()
	req := messenger.SendRequest{To: messenger.PSID(testPSID), Type: messenger.Response, Message: messenger.Text("hi")}
	if _, err := client.Send(ctx, req); !errors.Is(err, messenger.ErrPolicyRefused) {
		t.Fatalf("Send without a known window: error = %v, want ErrPolicyRefused", err)
	}
	if n := len(srv.Sent()); n != 0 {
		t.Fatalf("the guard let %d sends through", n)
	}
	if err := windows.RecordAction(ctx, srv.PageID(), testPSID, store.Action{Kind: store.ActionMessage, At: srv.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Send(ctx, req); err != nil {
		t.Fatalf("Send inside the window: %v", err)
	}
	sent := srv.Sent()
	if len(sent) != 1 || sent[0].Page != srv.PageID() {
		t.Fatalf("sent = %+v, want one send addressed to Page %s", sent, srv.PageID())
	}
}
