package messenger

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The client's overhead over a bare net/http POST of the same JSON to the same
// loopback server: compare BenchmarkDoSend with BenchmarkBarePOST (benchstat).

var benchSendBody = []byte(`{"recipient":{"id":"1254459154682919"},"messaging_type":"RESPONSE","message":{"text":"Hello, world!"}}`)

const benchAnswer = `{"recipient_id":"1254459154682919","message_id":"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM"}`

func benchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, benchAnswer)
	}))
	b.Cleanup(srv.Close)
	return srv
}

type benchSendBodyT struct {
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	MessagingType string `json:"messaging_type"`
	Message       struct {
		Text string `json:"text"`
	} `json:"message"`
}

type benchResp struct {
	RecipientID string `json:"recipient_id"`
	MessageID   string `json:"message_id"`
}

func BenchmarkDoSend(b *testing.B) {
	srv := benchServer(b)
	c, err := New(testToken, WithBaseURL(srv.URL), WithAppSecret(testSecret))
	if err != nil {
		b.Fatal(err)
	}
	var body benchSendBodyT
	body.Recipient.ID, body.MessagingType, body.Message.Text = "1254459154682919", "RESPONSE", "Hello, world!"
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		var out benchResp
		if err := c.Do(ctx, http.MethodPost, "me/messages", &body, &out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBarePOST(b *testing.B) {
	srv := benchServer(b)
	hc := &http.Client{Transport: defaultTransport()}
	u := srv.URL + "/v25.0/me/messages?access_token=" + testToken + "&appsecret_proof=" + AppSecretProof(testToken, testSecret)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := hc.Post(u, "application/json", bytes.NewReader(benchSendBody))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func BenchmarkDoSendParallel64(b *testing.B) {
	srv := benchServer(b)
	c, err := New(testToken, WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	var body benchSendBodyT
	body.Recipient.ID, body.MessagingType, body.Message.Text = "1254459154682919", "RESPONSE", "Hello, world!"
	b.SetParallelism(32) // 64 senders on 2 cores
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			var out benchResp
			if err := c.Do(context.Background(), http.MethodPost, "me/messages", &body, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkBarePOSTParallel64(b *testing.B) {
	srv := benchServer(b)
	hc := &http.Client{Transport: defaultTransport()}
	u := srv.URL + "/v25.0/me/messages?access_token=" + testToken
	b.SetParallelism(32)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := hc.Post(u, "application/json", bytes.NewReader(benchSendBody))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}

// BenchmarkClientSend is the whole typed path: validation, encoding, the call and
// the answer, against BenchmarkBarePOST's bytes on the wire.
func BenchmarkClientSend(b *testing.B) {
	srv := benchServer(b)
	c, err := New(testToken, WithBaseURL(srv.URL), WithAppSecret(testSecret))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	req := SendRequest{To: PSID("1254459154682919"), Type: Response, Message: Text("Hello, world!")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Send(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
