package bench

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func allSendLibs() []sendLib { return append(append([]sendLib{}, sendLibs...), sendOursLibs...) }

// BenchmarkSend sends one text message per op to the loopback server:
// mode=seq from one goroutine, mode=par64 from 64. conns/op is the number of TCP
// connections the server accepted per send: near 0 when connections are reused,
// 1 when every send dials anew.
func BenchmarkSend(b *testing.B) {
	for _, mode := range []string{"seq", "par64"} {
		for _, lib := range allSendLibs() {
			b.Run("mode="+mode+"/lib="+lib.name, func(b *testing.B) {
				srv := newSendServer(b, false)
				send := lib.setup(b, srv)
				b.ReportAllocs()
				b.ResetTimer()
				if mode == "seq" {
					for range b.N {
						if err := send(); err != nil {
							b.Fatal(err)
						}
					}
				} else {
					b.SetParallelism(sendersPerProc())
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := send(); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				b.StopTimer()
				b.ReportMetric(float64(srv.conns.Load())/float64(b.N), "conns/op")
			})
		}
	}
}

type wireSend struct {
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
}

// TestSendLibsReachServer checks that each sender's request arrives at the
// loopback server with the recipient and the text.
func TestSendLibsReachServer(t *testing.T) {
	for _, lib := range allSendLibs() {
		t.Run(lib.name, func(t *testing.T) {
			srv := newSendServer(t, true)
			send := lib.setup(t, srv)
			if err := send(); err != nil {
				t.Fatal(err)
			}
			if n := srv.requests.Load(); n != 1 {
				t.Fatalf("server got %d requests, want 1", n)
			}
			var got wireSend
			if err := json.Unmarshal(*srv.last.Load(), &got); err != nil {
				t.Fatalf("body %s: %v", *srv.last.Load(), err)
			}
			var want wireSend
			want.Recipient.ID, want.Message.Text = psid, sendText
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("wire body (-want +got):\n%s", d)
			}
		})
	}
}
