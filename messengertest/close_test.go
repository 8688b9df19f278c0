package messengertest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
)

// TestClosePrompt reproduces the hang Close had: concurrent sends make the client's
// transport dial more connections than it ends up using, and http.Server.Shutdown
// waited its five-second grace period for such never-used connections. Close must
// return at once. The 2 s bound only fails the test; nothing sleeps.
func TestClosePrompt(t *testing.T) {
	t.Parallel()
	for round := range 3 {
		srv, err := Start(WithNow(testNow))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.User(testPSID).Says("hi"); err != nil {
			t.Fatal(err)
		}
		client := srv.Client()
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				_, err := client.Send(context.Background(), messenger.SendRequest{To: messenger.PSID(testPSID), Type: messenger.Response, Message: messenger.Text("hi")})
				if err != nil {
					t.Errorf("round %d: Send: %v", round, err)
				}
			})
		}
		wg.Wait()
		done := make(chan error, 1)
		go func() { done <- srv.Close() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("round %d: Close: %v", round, err)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("round %d: Close did not return within 2s", round)
		}
	}
}
