package messenger

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
)

// The benchmarks drive each handler the same way as users run the webhook: default
// options and a message id never delivered before on every delivery. The signed
// requests are built a chunk at a time with the timer stopped, each with new ids,
// and handed to the handler with a ResponseWriter that allocates nothing. Three
// neighbours per body:
//
//   - webhook: the whole Webhook with its defaults, until the event handler has run
//     for every event (each iteration waits for its handlers, so no work overlaps the
//     next request); its in-memory dedupe store remembers every id;
//   - plumbing: an empty handler, the cost of the harness itself, to subtract;
//   - floor: a plain handler that reads the body, checks HMAC-SHA256 and
//     json.Unmarshals it into the same payload types, then answers 200.
//
// Report: ns/op and allocs/op of (webhook - plumbing) over (floor - plumbing).

// benchStream hands out signed requests whose message ids were never used before:
// when a chunk is used up it builds the next one, with the timer stopped. One that
// is not fresh cycles through its first chunk, for the plumbing row: its empty
// handler reads no id, and building bodies for its millions of cheap ops would take
// minutes of untimed work.
type benchStream struct {
	body  func(seq int) []byte
	fresh bool
	reqs  []*benchRequest
	i     int
	seq   int
}

func newBenchStream(chunk int, body func(seq int) []byte, fresh bool) *benchStream {
	s := &benchStream{body: body, fresh: fresh, reqs: make([]*benchRequest, chunk)}
	for i := range s.reqs {
		req, _ := http.NewRequest(http.MethodPost, "http://bot.example/webhook", nil)
		req.Header.Set("Content-Type", "application/json")
		br := &benchBody{}
		req.Body = br
		s.reqs[i] = &benchRequest{req: req, body: br}
	}
	s.fill()
	return s
}

// fill signs a new chunk of bodies.
func (s *benchStream) fill() {
	for _, r := range s.reqs {
		b := s.body(s.seq)
		s.seq++
		r.req.Header.Set(SignatureHeader, SignPayload(b, whSecret))
		r.req.ContentLength = int64(len(b))
		r.body.data = b
	}
}

// next returns the next unused request, rewound.
func (s *benchStream) next(b *testing.B) *benchRequest {
	if s.i == len(s.reqs) {
		if s.fresh {
			b.StopTimer()
			s.fill()
			b.StartTimer()
		}
		s.i = 0
	}
	r := s.reqs[s.i]
	s.i++
	r.body.off = 0
	return r
}

type benchRequest struct {
	req  *http.Request
	body *benchBody
}

// benchBody is a rewindable request body.
type benchBody struct {
	data []byte
	off  int
}

func (b *benchBody) Read(p []byte) (int, error) {
	if b.off >= len(b.data) {
		return 0, io.EOF
	}
	n := copy(p, b.data[b.off:])
	b.off += n
	return n, nil
}

func (b *benchBody) Close() error { return nil }

// benchWriter is a ResponseWriter that keeps only the status.
type benchWriter struct {
	h    http.Header
	code int
}

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *benchWriter) WriteHeader(code int)        { w.code = code }

// benchMID is a message id the way Meta writes them: "m_" and about 80 base64
// characters, here ending in the sequence number that makes it new.
func benchMID(seq, n int) string {
	return fmt.Sprintf("m_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdEfGhIjKlMnOpQrStUvWx%012d%03d", seq, n)
}

// singleMessage is a typical delivery: one text message, ~380 bytes.
func singleMessage(seq int) []byte {
	return fmt.Appendf(nil, `{"object":"page","entry":[{"id":"106548437516743","time":1718035200%03d,"messaging":[{"sender":{"id":"7412345678901234"},"recipient":{"id":"106548437516743"},"timestamp":1718035200%03d,"message":{"mid":%q,"text":"Hi! Is the blue jacket still available in size M?"}}]}]}`, seq%1000, seq%1000, benchMID(seq, 0))
}

// batch100 is a delivery under load: 100 messages from 10 people, in 10 entries.
func batch100(seq int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"object":"page","entry":[`)
	for e := range 10 {
		if e > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"106548437516743","time":17180352%05d,"messaging":[`, e)
		for m := range 10 {
			if m > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"sender":{"id":"74123456789%05d"},"recipient":{"id":"106548437516743"},"timestamp":17180352%05d,"message":{"mid":%q,"text":"Message number %d of this batch, with a little text."}}`,
				m, e*10+m, benchMID(seq, e*10+m), e*10+m)
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// floorEnvelope is what a plain handler decodes into: the same payload types.
type floorEnvelope struct {
	Object string `json:"object"`
	Entry  []struct {
		ID        string `json:"id"`
		Time      int64  `json:"time"`
		Messaging []struct {
			Sender    Party            `json:"sender"`
			Recipient Party            `json:"recipient"`
			Timestamp int64            `json:"timestamp"`
			Message   *ReceivedMessage `json:"message"`
			Postback  *struct {
				MID      string    `json:"mid"`
				Title    string    `json:"title"`
				Payload  string    `json:"payload"`
				Referral *Referral `json:"referral"`
			} `json:"postback"`
			Referral *Referral `json:"referral"`
			Read     *struct {
				Watermark int64 `json:"watermark"`
			} `json:"read"`
		} `json:"messaging"`
	} `json:"entry"`
}

func floorHandler(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		rw.WriteHeader(400)
		return
	}
	sig := r.Header.Get(SignatureHeader)
	want, err := hex.DecodeString(sig[len("sha256="):])
	if err != nil {
		rw.WriteHeader(403)
		return
	}
	m := hmac.New(sha256.New, []byte(whSecret))
	m.Write(body)
	if !hmac.Equal(m.Sum(nil), want) {
		rw.WriteHeader(403)
		return
	}
	var env floorEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		rw.WriteHeader(400)
		return
	}
	rw.WriteHeader(200)
}

func benchHandler(b *testing.B, h http.Handler, st *benchStream, after func()) {
	b.Helper()
	w := &benchWriter{h: http.Header{}}
	b.ReportAllocs()
	b.SetBytes(int64(len(st.reqs[0].body.data)))
	for b.Loop() {
		r := st.next(b)
		h.ServeHTTP(w, r.req)
		if w.code != 200 {
			b.Fatalf("status %d", w.code)
		}
		after()
	}
}

// benchWebhook runs the three neighbours on bodies of the given maker; chunk is how
// many bodies are built at a time.
func benchWebhook(b *testing.B, body func(int) []byte, events, chunk int) {
	b.Run("webhook", func(b *testing.B) {
		st := newBenchStream(chunk, body, true)
		wh, err := NewWebhook(whSecret, whVerifyToken, WithWebhookLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			b.Fatal(err)
		}
		done := make(chan struct{}, events)
		wh.OnEvent(func(context.Context, Event) error { done <- struct{}{}; return nil })
		benchHandler(b, wh, st, func() {
			for range events {
				<-done
			}
		})
		b.StopTimer()
		if err := wh.Shutdown(context.Background()); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("plumbing", func(b *testing.B) {
		st := newBenchStream(chunk, body, false)
		benchHandler(b, http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(200) }), st, func() {})
	})
	b.Run("floor", func(b *testing.B) {
		st := newBenchStream(chunk, body, true)
		benchHandler(b, http.HandlerFunc(floorHandler), st, func() {})
	})
}

func BenchmarkWebhookSingleMessage(b *testing.B) { benchWebhook(b, singleMessage, 1, 4096) }

func BenchmarkWebhookBatch100(b *testing.B) { benchWebhook(b, batch100, 100, 64) }

// BenchmarkParseEvents is the decoder alone, against encoding/json into the same types.
func BenchmarkParseEvents(b *testing.B) {
	for _, tc := range []struct {
		name string
		body []byte
	}{{"single", singleMessage(1)}, {"batch100", batch100(1)}} {
		b.Run(tc.name+"/ParseEvents", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.body)))
			for b.Loop() {
				if _, err := ParseEvents(tc.body); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/encoding_json", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.body)))
			for b.Loop() {
				var env floorEnvelope
				if err := json.Unmarshal(tc.body, &env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
