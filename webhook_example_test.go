package messenger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gomessenger/messenger"
)

// A delivery as Meta sends it: one entry, one messaging item.
var exampleBody = []byte(`{"object":"page","entry":[{"id":"PAGE_ID","time":1458692752478,"messaging":[
 {"sender":{"id":"PSID"},"recipient":{"id":"PAGE_ID"},"timestamp":1458692752478,
  "message":{"mid":"m_1","text":"hello","quick_reply":{"payload":"GREETING"}}},
 {"sender":{"id":"PSID"},"recipient":{"id":"PAGE_ID"},"timestamp":1458692752480,
  "postback":{"mid":"m_2","title":"Get Started","payload":"START"}},
 {"sender":{"id":"PSID"},"recipient":{"id":"PAGE_ID"},"timestamp":1458692752490,
  "payment":{"payload":"legacy"}}]}]}`)

func ExampleParseEvents() {
	events, err := messenger.ParseEvents(exampleBody)
	if err != nil {
		panic(err)
	}
	for _, ev := range events {
		switch e := ev.(type) {
		case *messenger.MessageEvent:
			fmt.Printf("%s wrote %q (quick reply %s)\n", e.Sender.ID, e.Message.Text, e.Message.QuickReply.Payload)
		case *messenger.PostbackEvent:
			fmt.Printf("%s tapped %q at %s\n", e.Sender.ID, e.Title, e.Time.Format(time.RFC3339Nano))
		case *messenger.UnknownEvent:
			fmt.Printf("unknown %q kept as %s\n", e.Key, e.Raw)
		}
	}
	// Every event marshals back to the item it came from.
	item, _ := json.Marshal(events[1])
	fmt.Println(string(item))
	// Output:
	// PSID wrote "hello" (quick reply GREETING)
	// PSID tapped "Get Started" at 2016-03-23T00:25:52.48Z
	// unknown "payment" kept as {"sender":{"id":"PSID"},"recipient":{"id":"PAGE_ID"},"timestamp":1458692752490,
	//   "payment":{"payload":"legacy"}}
	// {"sender":{"id":"PSID"},"recipient":{"id":"PAGE_ID"},"timestamp":1458692752480,"postback":{"mid":"m_2","title":"Get Started","payload":"START"}}
}

func ExampleSignPayload() {
	body := []byte(`{"object":"page","entry":[]}`)
	header := messenger.SignPayload(body, "app-secret")
	fmt.Println(header)
	fmt.Println(messenger.VerifySignature(body, header, "app-secret"))
	fmt.Println(messenger.VerifySignature(body, header, "another-secret"))
	// Output:
	// sha256=e6e9d7a842a48e17f43a34d6125d0d933e2aab92ee37f0993a4d493b50e3d438
	// <nil>
	// messenger: webhook signature does not match the body
}

func ExampleNewWebhook() {
	wh, err := messenger.NewWebhook("app-secret", "verify-token")
	if err != nil {
		panic(err)
	}
	handled := make(chan string, 2)
	messenger.On(wh, func(ctx context.Context, m *messenger.MessageEvent) error {
		handled <- "message: " + m.Message.Text
		return nil
	})
	messenger.On(wh, func(ctx context.Context, p *messenger.PostbackEvent) error {
		handled <- "postback: " + p.Payload
		return nil
	})
	srv := httptest.NewServer(wh)
	defer srv.Close()

	// Meta's subscription handshake.
	res, err := http.Get(srv.URL + "?hub.mode=subscribe&hub.verify_token=verify-token&hub.challenge=1158201444")
	if err != nil {
		panic(err)
	}
	var challenge bytes.Buffer
	challenge.ReadFrom(res.Body)
	res.Body.Close()
	fmt.Println(res.StatusCode, challenge.String())

	// A signed delivery.
	req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(exampleBody))
	req.Header.Set(messenger.SignatureHeader, messenger.SignPayload(exampleBody, "app-secret"))
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	fmt.Println(res.StatusCode)
	fmt.Println(<-handled) // the two events are one conversation: in timestamp order
	fmt.Println(<-handled)

	if err := wh.Shutdown(context.Background()); err != nil {
		panic(err)
	}
	// Output:
	// 200 1158201444
	// 200
	// message: hello
	// postback: START
}

func ExampleMarshalEnvelope() {
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	body, err := messenger.MarshalEnvelope(
		&messenger.MessageEvent{
			EventInfo: messenger.EventInfo{PageID: "PAGE_ID", Sender: messenger.Party{ID: "PSID"}, Recipient: messenger.Party{ID: "PAGE_ID"}, Time: at},
			Message:   messenger.ReceivedMessage{MID: "m_1", Text: "hi"},
		},
		&messenger.ReadEvent{
			EventInfo: messenger.EventInfo{PageID: "PAGE_ID", Sender: messenger.Party{ID: "PSID"}, Recipient: messenger.Party{ID: "PAGE_ID"}, Time: at},
			Watermark: at,
		},
	)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(body))
	// Output:
	// {"object":"page","entry":[{"id":"PAGE_ID","time":1780315200000,"messaging":[{"sender":{"id":"PSID"},"recipient":{"id":"PAGE_ID"},"timestamp":1780315200000,"message":{"mid":"m_1","text":"hi"}},{"sender":{"id":"PSID"},"recipient":{"id":"PAGE_ID"},"timestamp":1780315200000,"read":{"watermark":1780315200000}}]}]}
}

func ExampleWebhook_ForPage() {
	wh, err := messenger.NewWebhook("app-secret", "verify-token")
	if err != nil {
		panic(err)
	}
	defer wh.Shutdown(context.Background())
	// Each Page of a multi-page app gets its own handlers.
	for _, page := range []string{"SHOP_PAGE", "SUPPORT_PAGE"} {
		messenger.On(wh.ForPage(page), func(ctx context.Context, m *messenger.MessageEvent) error {
			fmt.Printf("%s got %q\n", page, m.Message.Text)
			return nil
		})
	}
	body, _ := messenger.MarshalEnvelope(&messenger.MessageEvent{
		EventInfo: messenger.EventInfo{PageID: "SUPPORT_PAGE", Sender: messenger.Party{ID: "PSID"}},
		Message:   messenger.ReceivedMessage{MID: "m_1", Text: "my order is late"},
	})
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	req.Header.Set(messenger.SignatureHeader, messenger.SignPayload(body, "app-secret"))
	wh.ServeHTTP(httptest.NewRecorder(), req)
	wh.WaitIdle(context.Background())
	// Output:
	// SUPPORT_PAGE got "my order is late"
}
