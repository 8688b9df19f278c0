package messengertest

import (
	"context"
	"testing"

	"github.com/gomessenger/messenger"
)

// BenchmarkSend measures sends per second through messenger.Client.Send into the fake on
// loopback, in parallel as a suite or a broadcast would send.
func BenchmarkSend(b *testing.B) {
	srv := NewServer(b)
	if _, err := srv.User(testPSID).Says("hi"); err != nil {
		b.Fatal(err)
	}
	c := srv.Client(messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1}))
	req := messenger.SendRequest{To: messenger.PSID(testPSID), Type: messenger.Response, Message: messenger.Text("Your order shipped")}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Send(context.Background(), req); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
}

// BenchmarkSendSerial is one send at a time: the latency a sequential test sees.
func BenchmarkSendSerial(b *testing.B) {
	srv := NewServer(b)
	if _, err := srv.User(testPSID).Says("hi"); err != nil {
		b.Fatal(err)
	}
	c := srv.Client(messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1}))
	req := messenger.SendRequest{To: messenger.PSID(testPSID), Type: messenger.Response, Message: messenger.Text("Your order shipped")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Send(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
}
