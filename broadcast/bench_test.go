package broadcast_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/broadcast"
	"github.com/gomessenger/messenger/store"
)

// syntheticStore derives each person's window and tokens from their PSID, so a
// dry run over a million people measures the broadcast's memory, not a store's.
type syntheticStore struct {
	store.Tokens // unused methods
	now          time.Time
}

func (s syntheticStore) RecordAction(context.Context, string, string, store.Action) error { return nil }

func (s syntheticStore) Window(_ context.Context, _, user string) (store.Window, error) {
	n, _ := strconv.Atoi(user[len(user)-4:])
	if n%5 == 4 {
		return store.Window{}, nil // never wrote
	}
	at := s.now.Add(-time.Duration(n%48) * time.Hour)
	return store.Window{LastMessage: at, LastAction: store.Action{Kind: store.ActionMessage, At: at}}, nil
}

func (s syntheticStore) ListTokens(_ context.Context, page, user string) ([]store.Token, error) {
	n, _ := strconv.Atoi(user[len(user)-4:])
	if n%3 != 0 {
		return nil, nil
	}
	return []store.Token{{Value: "t" + user, Kind: store.OneTimeToken, Page: page, User: user, Topic: topic,
		IssuedAt: s.now.Add(-time.Hour), ExpiresAt: s.now.AddDate(1, 0, 0), State: store.TokenLive}}, nil
}

// generated is an audience of n PSIDs made on the fly.
func generated(n int) func(yield func(broadcast.Recipient, error) bool) {
	return func(yield func(broadcast.Recipient, error) bool) {
		for i := range n {
			if !yield(broadcast.Recipient{PSID: strconv.Itoa(3000000000000000 + i)}, nil) {
				return
			}
		}
	}
}

// heapPeak samples the heap every millisecond until stop is called, and returns
// the highest values seen of the heap in use (garbage not yet collected
// included) and of the live heap (what the last collection kept).
func heapPeak() (stop func() (inUse, live uint64)) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	var mu sync.Mutex
	var peakInUse, peakLive uint64
	read := func() {
		metrics.Read(sample)
		mu.Lock()
		peakInUse = max(peakInUse, sample[0].Value.Uint64())
		peakLive = max(peakLive, sample[1].Value.Uint64())
		mu.Unlock()
	}
	read()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() (uint64, uint64) {
		close(done)
		<-finished
		read()
		mu.Lock()
		defer mu.Unlock()
		return peakInUse, peakLive
	}
}

// BenchmarkPlanMillion runs a dry run over 1,000,000 recipients (and 100,000 for
// comparison) and reports the peak live heap: flat memory means both are about
// the same. Run with -benchtime=1x.
func BenchmarkPlanMillion(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("recipients=%d", n), func(b *testing.B) {
			now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
			st := syntheticStore{now: now}
			br := &broadcast.Broadcast{Page: testPage, Audience: generated(n), Message: messenger.Text("hello"),
				Ways: broadcast.Auto(topic), Windows: st, Tokens: st, Now: func() time.Time { return now },
				Audit: io.Discard}
			var inUse, live uint64
			var sum *broadcast.Summary
			for b.Loop() {
				runtime.GC()
				stop := heapPeak()
				var err error
				sum, err = br.Plan(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				i, l := stop()
				inUse, live = max(inUse, i), max(live, l)
			}
			if sum.Recipients != n {
				b.Fatalf("planned %d of %d", sum.Recipients, n)
			}
			b.ReportMetric(float64(inUse)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(live)/(1<<20), "peak-live-heap-MiB")
			b.ReportMetric(float64(n)/(b.Elapsed().Seconds()/float64(b.N)), "recipients/s")
		})
	}
}

// BenchmarkRateAccuracy sends for about three seconds to a loopback Graph stand-in
// and reports the achieved rate (between the first and the last send the server
// saw) over the configured one; the goal is within 2%. Run with -benchtime=1x.
func BenchmarkRateAccuracy(b *testing.B) {
	for _, rate := range []float64{50, 300} {
		b.Run(fmt.Sprintf("rate=%v", rate), func(b *testing.B) {
			n := int(rate * 3)
			var mu sync.Mutex
			var first, last time.Time
			count := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				now := time.Now()
				mu.Lock()
				if count == 0 {
					first = now
				}
				last = now
				count++
				mu.Unlock()
				io.WriteString(w, `{"recipient_id":"1","message_id":"m"}`)
			}))
			defer srv.Close()
			client, err := messenger.New("test-token", messenger.WithBaseURL(srv.URL), messenger.WithPageID(testPage))
			if err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			st := store.NewMemory()
			for i := range n {
				st.RecordAction(context.Background(), testPage, strconv.Itoa(4000000000000000+i), store.Action{Kind: store.ActionMessage, At: now})
			}
			var ratio float64
			for b.Loop() {
				mu.Lock()
				count = 0
				mu.Unlock()
				br := &broadcast.Broadcast{Page: testPage, Message: messenger.Text("hello"),
					Audience: func(yield func(broadcast.Recipient, error) bool) {
						for i := range n {
							if !yield(broadcast.Recipient{PSID: strconv.Itoa(4000000000000000 + i)}, nil) {
								return
							}
						}
					},
					Ways: []broadcast.Way{broadcast.InWindow()}, Windows: st, Rate: rate}
				sum, err := br.Send(context.Background(), client)
				if err != nil {
					b.Fatal(err)
				}
				if sum.Count(broadcast.StateSent) != n {
					b.Fatalf("sent %d of %d", sum.Count(broadcast.StateSent), n)
				}
				mu.Lock()
				achieved := float64(count-1) / last.Sub(first).Seconds()
				mu.Unlock()
				ratio = achieved / rate
			}
			b.ReportMetric(ratio, "achieved/configured")
		})
	}
}
