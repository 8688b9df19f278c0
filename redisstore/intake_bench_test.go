package redisstore_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/redisstore"
)

// BenchmarkWebhookIntake measures the webhook in its fleet configuration (one Redis
// store as inbox, dedupe and window store; every other option its default) taking
// signed deliveries with ids never seen before, against one round trip to the same
// Redis (PING): the goal is at most 1.5 round trips per delivery, whatever the
// number of events in it. Handlers do nothing, so the figure is the intake's own.
//
//	REDIS_URL=redis://127.0.0.1:6390/0 go test -run '^$' -bench WebhookIntake -count 10 . | benchstat -
func BenchmarkWebhookIntake(b *testing.B) {
	c := client(b)
	b.Run("PING", func(b *testing.B) {
		ctx := context.Background()
		for b.Loop() {
			if err := c.Ping(ctx).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, events := range []int{1, 100} {
		b.Run(fmt.Sprintf("events=%d", events), func(b *testing.B) {
			st := newStore(b, c, redisstore.WithPrefix(freshPrefix(b, c)))
			wh, err := messenger.NewWebhook(fleetSecret, "verify",
				messenger.WithInbox(st), messenger.WithDedupe(st), messenger.WithWindows(st))
			if err != nil {
				b.Fatal(err)
			}
			wh.OnEvent(func(context.Context, messenger.Event) error { return nil })
			// Bodies with new ids are made a chunk at a time with the timer stopped
			// (stopping it for each one would cost more than a delivery).
			n := 0
			var bodies [][]byte
			var sigs []string
			mids := make([]string, events)
			for b.Loop() {
				if len(bodies) == 0 {
					b.StopTimer()
					for range 256 {
						for i := range mids {
							mids[i] = fmt.Sprintf("m_bench_%d_%s", n, strings.Repeat("x", 60))
							n++
						}
						body := deliveryBody(fmt.Sprintf("u%d", n%1000), mids...)
						bodies = append(bodies, body)
						sigs = append(sigs, messenger.SignPayload(body, fleetSecret))
					}
					b.StartTimer()
				}
				req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(bodies[0]))
				req.Header.Set(messenger.SignatureHeader, sigs[0])
				bodies, sigs = bodies[1:], sigs[1:]
				rec := httptest.NewRecorder()
				wh.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
			// The handlers and the removal of finished entries are part of the cost.
			if err := wh.Shutdown(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N*events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*events), "ns/event")
		})
	}
}
