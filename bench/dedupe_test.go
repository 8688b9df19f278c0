package bench

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/gomessenger/messenger/store/memstore"
)

// dedupeSizes are the numbers of keys the dedupe store holds while it is measured;
// the largest is the webhook's default limit.
var dedupeSizes = []struct {
	label string
	n     int
}{{"1k", 1_000}, {"10k", 10_000}, {"100k", 100_000}}

// dedupeKeys returns n webhook message keys: "message:" and a Meta message id ("m_"
// and 80 base64 characters).
func dedupeKeys(n int) []string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	keys := make([]string, n)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range keys {
		b := []byte("message:m_")
		for range 80 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			b = append(b, alphabet[x&63])
		}
		keys[i] = string(b)
	}
	return keys
}

// newFullDedupe returns the in-memory dedupe store (memstore.Store's, the same one the
// webhook uses by default) holding its limit of n keys, and 2n keys whose first n it
// holds.
func newFullDedupe(b *testing.B, n int, keys []string) *memstore.Store {
	m, err := memstore.New(memstore.WithMaxDedupeKeys(n))
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range keys[:n] {
		if ok, err := m.FirstSeen(context.Background(), k, 6*time.Hour); err != nil || !ok {
			b.Fatalf("FirstSeen = %v, %v", ok, err)
		}
	}
	return m
}

// BenchmarkDedupe records new keys in the in-memory dedupe store while it holds
// keys=n of them, at its limit, so each op also evicts the oldest key: the steady
// state of a webhook that has run for a while. Time per insert should not grow
// with n. keys=100k/heap reports the live heap of a store holding 100,000 keys after
// a collection (heap-MiB), its op being the filling of one.
func BenchmarkDedupe(b *testing.B) {
	ctx := context.Background()
	for _, s := range dedupeSizes {
		b.Run("keys="+s.label+"/insert", func(b *testing.B) {
			keys := dedupeKeys(2 * s.n)
			m := newFullDedupe(b, s.n, keys)
			b.ReportAllocs()
			i := s.n
			for b.Loop() {
				// The key came in 2n calls ago: evicted n calls ago, so new.
				if ok, err := m.FirstSeen(ctx, keys[i%len(keys)], 6*time.Hour); err != nil || !ok {
					b.Fatalf("FirstSeen = %v, %v", ok, err)
				}
				i++
			}
		})
	}
	b.Run("keys=100k/heap", func(b *testing.B) {
		const n = 100_000
		keys := dedupeKeys(n)
		for b.Loop() {
			newFullDedupe(b, n, keys)
		}
		b.StopTimer()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m := newFullDedupe(b, n, keys)
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(m)
		runtime.KeepAlive(keys) // live in both readings, so not counted
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "heap-MiB")
	})
}

// TestDedupeKeysAreDistinct keeps BenchmarkDedupe honest: every op records a new key.
func TestDedupeKeysAreDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range dedupeKeys(200_000) {
		if seen[k] {
			t.Fatalf("key %q twice", k)
		}
		seen[k] = true
	}
	if got := len(dedupeKeys(1)[0]); got != len("message:m_")+80 {
		t.Errorf("key of %d bytes", got)
	}
}
