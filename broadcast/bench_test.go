package broadcast_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/broadcast"
	"github.com/gomessenger/messenger/messengertest"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/store/storetest"
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
	return []store.Token{{Value: "t" + user, Kind: store.OneTimeKind, Page: page, User: user, Topic: topic,
		IssuedAt: s.now.Add(-time.Hour), ExpiresAt: s.now.AddDate(1, 0, 0), State: store.TokenLive}}, nil
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
// comparison) and reports the heap: the peak in use (garbage included), the
// largest live heap after a forced collection every 100,000 recipients, and how
// much that live heap grew from the first such point to the last. Flat memory
// means a growth near zero and the same figures for both sizes. Run with
// -benchtime=1x.
func BenchmarkPlanMillion(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("recipients=%d", n), func(b *testing.B) {
			now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
			st := syntheticStore{now: now}
			var live []uint64 // live heap after a collection, every 100,000 recipients
			audience := func(yield func(broadcast.Recipient, error) bool) {
				for i, ms := 0, (runtime.MemStats{}); i < n; i++ {
					if i%100_000 == 0 {
						runtime.GC()
						runtime.ReadMemStats(&ms)
						live = append(live, ms.HeapAlloc)
					}
					if !yield(broadcast.Recipient{PSID: strconv.Itoa(3000000000000000 + i)}, nil) {
						return
					}
				}
			}
			br := &broadcast.Broadcast{Page: testPage, Audience: audience, Message: messenger.Text("hello"),
				Ways: broadcast.Auto(topic), Windows: st, Tokens: st, Now: func() time.Time { return now },
				Audit: io.Discard}
			var inUse uint64
			var sum *broadcast.Summary
			for b.Loop() {
				live = live[:0]
				runtime.GC()
				stop := heapPeak()
				var err error
				sum, err = br.Plan(context.Background(), nil)
				if err != nil {
					b.Fatal(err)
				}
				i, _ := stop()
				inUse = max(inUse, i)
			}
			if sum.Recipients != n {
				b.Fatalf("planned %d of %d", sum.Recipients, n)
			}
			b.ReportMetric(float64(inUse)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(slices.Max(live))/(1<<20), "max-live-MiB")
			b.ReportMetric((float64(live[len(live)-1])-float64(live[0]))/(1<<10), "live-growth-KiB")
			b.ReportMetric(float64(n)/(b.Elapsed().Seconds()/float64(b.N)), "recipients/s")
		})
	}
}

// BenchmarkRateAccuracy sends for about three seconds to messengertest's fake
// Graph server over loopback and reports the achieved rate (between the first and
// the last request the client sent) over the configured one; the goal is within
// 2%. Run with -benchtime=1x.
func BenchmarkRateAccuracy(b *testing.B) {
	for _, rate := range []float64{50, 300} {
		b.Run(fmt.Sprintf("rate=%v", rate), func(b *testing.B) {
			n := int(rate * 3)
			srv := messengertest.NewServer(b)
			st := storetest.NewMemory(b, memstore.WithClock(srv.Now))
			ids := make([]string, n)
			for i := range ids {
				ids[i] = strconv.Itoa(4000000000000000 + i)
				if _, err := srv.User(ids[i]).Says("hi"); err != nil {
					b.Fatal(err)
				}
				st.RecordAction(context.Background(), srv.PageID(), ids[i], store.Action{Kind: store.ActionMessage, At: srv.Now()})
			}
			var mu sync.Mutex
			var starts []time.Time
			base := &http.Transport{MaxIdleConnsPerHost: 256}
			defer base.CloseIdleConnections()
			hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				mu.Lock()
				starts = append(starts, time.Now())
				mu.Unlock()
				return base.RoundTrip(r)
			})}
			client := srv.Client(messenger.WithHTTPClient(hc), messenger.WithPageID(srv.PageID()))
			var ratio float64
			for b.Loop() {
				mu.Lock()
				starts = starts[:0]
				mu.Unlock()
				br := &broadcast.Broadcast{Audience: broadcast.PSIDs(ids...), Message: messenger.Text("hello"),
					Ways: []broadcast.Way{broadcast.InWindow()}, Windows: st, Rate: rate, Journal: broadcast.NewMemoryJournal()}
				sum, err := br.Send(context.Background(), client)
				if err != nil {
					b.Fatal(err)
				}
				if sum.Count(broadcast.StateSent) != n {
					b.Fatalf("sent %d of %d: %+v", sum.Count(broadcast.StateSent), n, sum)
				}
				mu.Lock()
				achieved := float64(len(starts)-1) / starts[len(starts)-1].Sub(starts[0]).Seconds()
				mu.Unlock()
				ratio = achieved / rate
			}
			b.ReportMetric(ratio, "achieved/configured")
		})
	}
}
