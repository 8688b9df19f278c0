package bench

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/gomessenger/messenger"
)

// webhookOursLibs are this SDK's webhook entries.
var webhookOursLibs = []webhookLib{{name: "messenger", handler: oursWebhook}}

// oursWebhook is NewWebhook with its defaults (in-memory dedupe remembering 100,000
// keys for 6 hours, 32 workers, queue of 10,000) and one OnEvent handler, as users
// run it: every new message id is remembered.
func oursWebhook(tb testing.TB, dispatched *atomic.Int64) http.Handler {
	wh, err := messenger.NewWebhook(appSecret, verifyToken)
	if err != nil {
		tb.Fatal(err)
	}
	wh.OnEvent(func(context.Context, messenger.Event) error {
		dispatched.Add(1)
		return nil
	})
	tb.Cleanup(func() { _ = wh.Shutdown(context.Background()) })
	return wh
}
