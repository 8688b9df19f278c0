package bench

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/gomessenger/messenger/bench/internal/catalog"
)

func allWebhookLibs() []webhookLib {
	return append(append([]webhookLib{}, webhookLibs...), webhookOursLibs...)
}

// BenchmarkWebhook delivers the same signed bytes to each library's handler:
// body=single is one text message, body=batch100 a delivery of 100 of them. Every
// delivery carries message ids never sent before, as a Page's traffic does, and every
// library is configured as its docs say to run it (ours with its defaults). An op is
// one delivery, from the request to the last event handed to user code.
func BenchmarkWebhook(b *testing.B) {
	for _, d := range deliveries {
		for _, lib := range allWebhookLibs() {
			b.Run("body="+d.name+"/lib="+lib.name, func(b *testing.B) {
				var dispatched atomic.Int64
				h := lib.handler(b, &dispatched)
				st := newStream(d, chunkOf(d), lib.name != catalog.Plumbing)
				dr := newDriver(d)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					dr.load(st.next(b))
					if st := dr.serve(h); st != http.StatusOK {
						b.Fatalf("status %d", st)
					}
				}
				if lib.name != "plumbing" {
					want := int64(b.N * d.events)
					waitFor(b, func() bool { return dispatched.Load() >= want })
				}
				b.StopTimer()
				if lib.name != "plumbing" {
					b.ReportMetric(float64(b.N*d.events)/b.Elapsed().Seconds(), "events/s")
				}
			})
		}
	}
}

// TestWebhookLibsDispatchEveryEvent makes sure each benchmarked handler does the
// work it is timed for: every event of the delivery reaches user code.
func TestWebhookLibsDispatchEveryEvent(t *testing.T) {
	for _, lib := range allWebhookLibs() {
		if lib.name == "plumbing" {
			continue
		}
		for _, d := range deliveries {
			t.Run(lib.name+"/"+d.name, func(t *testing.T) {
				var dispatched atomic.Int64
				h := lib.handler(t, &dispatched)
				if st := newDriver(d).serve(h); st != http.StatusOK {
					t.Fatalf("status %d, want 200", st)
				}
				waitFor(t, func() bool { return dispatched.Load() >= int64(d.events) })
				if got := dispatched.Load(); got != int64(d.events) {
					t.Errorf("dispatched %d events, want %d", got, d.events)
				}
			})
		}
	}
}

// TestWebhookLibsRefuseForgedBodies checks what each library's "verifies" claim
// means: with both signature headers wrong, a verifying handler dispatches
// nothing; a non-verifying one dispatches the forgery (recorded, not failed).
func TestWebhookLibsRefuseForgedBodies(t *testing.T) {
	for _, lib := range allWebhookLibs() {
		if lib.name == "plumbing" {
			continue
		}
		t.Run(lib.name, func(t *testing.T) {
			var dispatched atomic.Int64
			h := lib.handler(t, &dispatched)
			d := deliverySingle
			d.sha1 = "sha1=" + mac(sha1New, []byte("something else"))
			d.sha256 = "sha256=" + mac(sha256New, []byte("something else"))
			st := newDriver(d).serve(h)
			if lib.verifies() == "none" {
				waitFor(t, func() bool { return dispatched.Load() == 1 })
				t.Logf("%s verifies no signature: the forged event was dispatched (status %d)", lib.name, st)
				return
			}
			if got := dispatched.Load(); got != 0 {
				t.Errorf("%s claims to verify %s but dispatched %d forged events", lib.name, lib.verifies(), got)
			}
		})
	}
}

// TestCatalogDescribesEveryEntry keeps BENCHMARKS.md's descriptions in step with
// what is benchmarked.
func TestCatalogDescribesEveryEntry(t *testing.T) {
	for _, l := range allWebhookLibs() {
		if _, ok := catalog.WebhookByName(l.name); !ok {
			t.Errorf("webhook entry %q is not in catalog.Webhooks", l.name)
		}
	}
	for _, l := range allSendLibs() {
		if _, ok := catalog.SendByName(l.name); !ok {
			t.Errorf("send entry %q is not in catalog.Sends", l.name)
		}
	}
}
