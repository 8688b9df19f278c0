package dedupe

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type clock struct{ now atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Unix(0, c.now.Load()) }
func (c *clock) Advance(d time.Duration) { c.now.Add(int64(d)) }
func newClock() *clock {
	c := &clock{}
	c.now.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func first(t testing.TB, m *Memory, key string, ttl time.Duration) bool {
	t.Helper()
	ok, err := m.FirstSeen(context.Background(), key, ttl)
	if err != nil {
		t.Fatalf("FirstSeen(%q): %v", key, err)
	}
	return ok
}

func TestMemorySteps(t *testing.T) {
	c := newClock()
	m := New(c.Now, 3)
	steps := []struct {
		name string
		do   func() bool
		want bool
	}{
		{"new key", func() bool { return first(t, m, "a", time.Hour) }, true},
		{"seen", func() bool { return first(t, m, "a", time.Hour) }, false},
		{"1ns before expiry", func() bool { c.Advance(time.Hour - 1); return first(t, m, "a", time.Hour) }, false},
		{"at expiry", func() bool { c.Advance(1); return first(t, m, "a", time.Hour) }, true},
		{"renewed", func() bool { return first(t, m, "a", time.Hour) }, false},
		{"forgotten", func() bool { _ = m.Forget(context.Background(), "a"); return first(t, m, "a", time.Hour) }, true},
		{"b", func() bool { return first(t, m, "b", time.Hour) }, true},
		{"c", func() bool { return first(t, m, "c", time.Hour) }, true},
		{"d: full, the oldest record goes", func() bool { return first(t, m, "d", time.Hour) }, true},
		{"a was the oldest", func() bool { return first(t, m, "a", time.Hour) }, true},
		{"d kept", func() bool { return first(t, m, "d", time.Hour) }, false},
		{"case-sensitive", func() bool { return first(t, m, "D", time.Hour) }, true},
	}
	for _, s := range steps {
		if got := s.do(); got != s.want {
			t.Errorf("%s: FirstSeen = %v, want %v", s.name, got, s.want)
		}
	}
	if n := m.Len(); n != 3 {
		t.Errorf("Len = %d, want the limit 3", n)
	}
	c.Advance(2 * time.Hour)
	if n := m.Len(); n != 0 {
		t.Errorf("Len after everything expired = %d, want 0", n)
	}
	if _, err := m.FirstSeen(context.Background(), "", time.Hour); err == nil {
		t.Error("FirstSeen of an empty key: no error")
	}
}

// model is the eviction rule written plainly: a queue of records, the front one
// dropped when expired, dead, or when the store is full.
type model struct {
	limit int
	q     []modelRecord
}

type modelRecord struct {
	key  string
	exp  int64
	dead bool
}

func (md *model) firstSeen(key string, ttl time.Duration, now int64) bool {
	for len(md.q) > 0 && (md.q[0].dead || md.q[0].exp <= now) {
		md.q = md.q[1:]
	}
	for i := range md.q {
		if r := &md.q[i]; !r.dead && r.key == key {
			if r.exp > now {
				return false
			}
			r.dead = true
		}
	}
	if len(md.q) == md.limit {
		md.q = md.q[1:]
	}
	md.q = append(md.q, modelRecord{key: key, exp: now + int64(ttl)})
	return true
}

func (md *model) forget(key string) {
	for i := range md.q {
		if md.q[i].key == key {
			md.q[i].dead = true
		}
	}
}

// TestMemoryMatchesModel runs random calls (keys of many lengths, mixed TTLs,
// forgets, time moving) against the plain model, through every growth of the
// buffers and wrap of the rings; and again with every key given one hash in the
// index, so that only their bytes tell them apart.
func TestMemoryMatchesModel(t *testing.T) {
	variants := []struct {
		name      string
		limits    []int
		colliding bool
	}{
		{"", []int{1, 2, 7, 100, 1000}, false},
		{"colliding", []int{1, 7, 100}, true},
	}
	for _, v := range variants {
		for _, limit := range v.limits {
			t.Run(fmt.Sprint(v.name, limit), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(limit), 1))
				c := newClock()
				m := New(c.Now, limit)
				m.colliding = v.colliding
				md := &model{limit: limit}
				keys := make([]string, 3*limit+5)
				for i := range keys {
					keys[i] = fmt.Sprintf("%d:%s", i, strings.Repeat("k", rng.IntN(300)))
				}
				var got, want []bool
				for range 20000 {
					k := keys[rng.IntN(len(keys))]
					switch r := rng.IntN(10); {
					case r == 0:
						c.Advance(time.Duration(rng.IntN(90)) * time.Second)
					case r == 1:
						_ = m.Forget(context.Background(), k)
						md.forget(k)
					default:
						ttl := time.Duration(1+rng.IntN(120)) * time.Second
						got = append(got, first(t, m, k, ttl))
						want = append(want, md.firstSeen(k, ttl, c.now.Load()))
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("FirstSeen results (-model +store):\n%s", diff)
				}
				if m.n > limit {
					t.Errorf("%d records held, limit %d", m.n, limit)
				}
			})
		}
	}
}

func TestMemoryConcurrentOneWinner(t *testing.T) {
	m := New(time.Now, 20_000) // room for every key: none is evicted and won twice
	var wins atomic.Int64
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			for j := range 200 {
				if ok, _ := m.FirstSeen(context.Background(), fmt.Sprintf("k%d", (i+j)%50+j*50), time.Hour); ok {
					wins.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got, want := wins.Load(), int64(200*50); got != want {
		t.Errorf("%d wins for %d distinct keys", got, want)
	}
}

// realisticKey is a webhook message key: "message:" and a Meta message id, "m_" and
// 80 base64 characters.
func realisticKey(i int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := []byte("message:m_")
	x := uint64(i)*0x9e3779b97f4a7c15 + 1
	for range 80 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b = append(b, alphabet[x&63])
	}
	return string(b)
}

// TestMemoryHeapAtLimit holds the webhook's default limit of 100,000 keys and
// checks the live heap they cost after a collection.
func TestMemoryHeapAtLimit(t *testing.T) {
	const limit = 100_000
	keys := make([]string, limit+limit/10)
	for i := range keys {
		keys[i] = realisticKey(i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m := New(time.Now, limit)
	for _, k := range keys { // past the limit, so the store evicts as at steady state
		if !first(t, m, k, 6*time.Hour) {
			t.Fatalf("key %q reported seen", k)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if n := m.Len(); n != limit {
		t.Fatalf("Len = %d, want %d", n, limit)
	}
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d keys of %d bytes: %.1f MiB of live heap", limit, len(keys[0]), float64(heap)/(1<<20))
	if heap >= 16<<20 {
		t.Errorf("%d keys hold %.1f MiB of live heap, want under 16 MiB", limit, float64(heap)/(1<<20))
	}
	runtime.KeepAlive(m)
}

// BenchmarkFirstSeenAtLimit records new keys while the store holds its limit of n,
// so each op also evicts the oldest record: a webhook's steady state. The clock is
// a constant, so the op is the store's own work. Time per op should not grow much
// with n; what growth there is comes from cache misses in the larger tables.
func BenchmarkFirstSeenAtLimit(b *testing.B) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return at }
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("keys=%dk", n/1000), func(b *testing.B) {
			keys := make([]string, 2*n)
			for i := range keys {
				keys[i] = realisticKey(i)
			}
			m := New(clock, n)
			for _, k := range keys[:n] {
				first(b, m, k, 6*time.Hour)
			}
			ctx := context.Background()
			b.ReportAllocs()
			i := n
			for b.Loop() {
				// Recorded 2n calls ago and evicted n calls ago: new.
				if ok, err := m.FirstSeen(ctx, keys[i%len(keys)], 6*time.Hour); !ok || err != nil {
					b.Fatalf("FirstSeen = %v, %v", ok, err)
				}
				i++
			}
		})
	}
}
