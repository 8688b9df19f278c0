package redisstore_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/redisstore"
)

// BenchmarkWebhookIntake measures the webhook in its fleet configuration (one Redis
// store as inbox, dedupe and window store; every other option its default) taking
// signed deliveries with ids never seen before, one after another, against one
// round trip to the same Redis (PING): the goal is at most 1.5 round trips per
// delivery, whatever the number of events in it. Handlers do nothing, so the
// figure is the intake's own; it includes Shutdown, so every handler has run and
// every finished entry is removed. roundtrips/delivery counts the commands and
// pipelines the client sent (each one round trip), background work included;
// redis-cpu-ns/op is the CPU time the Redis server spent per delivery (INFO cpu),
// which tells its work from the round trip's. ids-only is the floor under the
// intake's time: one script that only records the delivery's ids.
// bench/run reports it in BENCHMARKS.md; by hand:
//
//	REDIS_URL=redis://127.0.0.1:6390/0 go test -run '^$' -bench WebhookIntake -count 10 . | benchstat -
func BenchmarkWebhookIntake(b *testing.B) {
	c := client(b)
	b.Run("PING", func(b *testing.B) {
		ctx := context.Background()
		cpu := serverCPU(b, c)
		for b.Loop() {
			if err := c.Ping(ctx).Err(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(serverCPU(b, c)-cpu)/float64(b.N), "redis-cpu-ns/op")
	})
	for _, events := range []int{1, 100} {
		b.Run(fmt.Sprintf("ids-only/events=%d", events), func(b *testing.B) {
			benchIDsOnly(b, c, events)
		})
	}
	for _, events := range []int{1, 100} {
		b.Run(fmt.Sprintf("events=%d", events), func(b *testing.B) {
			st := newStore(b, c, redisstore.WithPrefix(freshPrefix(b, c)))
			trips := &tripCounter{}
			st.Client().AddHook(trips)
			wh, err := messenger.NewWebhook(fleetSecret, "verify",
				messenger.WithInbox(st), messenger.WithDedupe(st), messenger.WithWindows(st))
			if err != nil {
				b.Fatal(err)
			}
			wh.OnEvent(func(context.Context, messenger.Event) error { return nil })
			// Bodies with new ids are made a chunk at a time with the timer stopped
			// (stopping it for each one would cost more than a delivery).
			cpu := serverCPU(b, c)
			n, delivered := 0, 0
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
				delivered++
			}
			// The handlers and the removal of finished entries are part of the cost.
			b.StartTimer()
			if err := wh.Shutdown(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(serverCPU(b, c)-cpu)/float64(delivered), "redis-cpu-ns/op")
			b.ReportMetric(float64(trips.n.Load())/float64(delivered), "roundtrips/delivery")
			b.ReportMetric(float64(delivered*events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// idsOnlyScript is the least a Redis intake that remembers each event's id can
// do in one round trip: SET NX with the dedupe TTL for every id, nothing else.
//
// KEYS: the ids. ARGV[1]: the TTL in milliseconds.
var idsOnlyScript = redis.NewScript(`
local out = {}
for i = 1, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'PX', ARGV[1], 'NX') then out[i] = 1 else out[i] = 0 end
end
return out
`)

// benchIDsOnly runs idsOnlyScript on events new ids per op, ids as long as the
// store's dedupe keys: the floor under the fleet intake's time, which no layout of
// the inbox and windows can go below.
func benchIDsOnly(b *testing.B, c *redis.Client, events int) {
	ctx := context.Background()
	prefix := freshPrefix(b, c)
	ttl := (24 * time.Hour).Milliseconds()
	keys := make([]string, events)
	pad := strings.Repeat("x", 60)
	cpu := serverCPU(b, c)
	n := 0
	for b.Loop() {
		for i := range keys {
			keys[i] = prefix + ":d:m_bench_" + strconv.Itoa(n) + "_" + pad
			n++
		}
		if err := idsOnlyScript.Run(ctx, c, keys, ttl).Err(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(serverCPU(b, c)-cpu)/float64(b.N), "redis-cpu-ns/op")
	b.ReportMetric(1, "roundtrips/delivery")
	b.ReportMetric(float64(b.N*events)/b.Elapsed().Seconds(), "events/s")
}

// serverCPU is the CPU time the Redis server has used so far (INFO cpu: user and
// system, main thread and background).
func serverCPU(b *testing.B, c *redis.Client) time.Duration {
	b.Helper()
	info, err := c.Info(context.Background(), "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for _, line := range strings.Split(info, "\n") {
		name, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || (name != "used_cpu_sys" && name != "used_cpu_user") {
			continue
		}
		secs, err := strconv.ParseFloat(value, 64)
		if err != nil {
			b.Fatalf("INFO cpu: %s: %v", line, err)
		}
		total += time.Duration(secs * float64(time.Second))
	}
	return total
}

// tripCounter counts the round trips a client makes: each command, and each
// pipeline as one.
type tripCounter struct{ n atomic.Int64 }

func (t *tripCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (t *tripCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		t.n.Add(1)
		return next(ctx, cmd)
	}
}

func (t *tripCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		t.n.Add(1)
		return next(ctx, cmds)
	}
}
