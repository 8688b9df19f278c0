package bench

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
)

// webhookOursLibs are this SDK's webhook entries.
var webhookOursLibs = []webhookLib{{name: "messenger", handler: oursWebhook}}

// oursWebhook is NewWebhook with its defaults (in-memory dedupe, 32 workers,
// queue of 10,000) and one OnEvent handler. The dedupe store is the real default
// one, with a TTL of a nanosecond: the benchmark redelivers the same bytes, which
// the normal TTL would (rightly) drop as duplicates after the first time.
func oursWebhook(tb testing.TB, dispatched *atomic.Int64) http.Handler {
	wh, err := messenger.NewWebhook(appSecret, verifyToken, messenger.WithDedupeTTL(time.Nanosecond))
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
