package otn_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/otn"
	"github.com/gomessenger/messenger/store/memstore"
)

func Example() {
	// A stand-in for Graph's Send API that prints what it receives.
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("Graph got %s %s\n", r.URL.Path, bytes.TrimSpace(body))
		io.WriteString(w, `{"recipient_id":"1254477777772919","message_id":"m_1"}`)
	}))
	defer graph.Close()
	client, _ := messenger.New("PAGE_ACCESS_TOKEN", messenger.WithBaseURL(graph.URL))
	tokens, _ := memstore.New()
	n, _ := otn.New(client, tokens)
	ctx := context.Background()

	// The person tapped "Notify Me": Meta posts this opt-in to the webhook.
	events, _ := messenger.ParseEvents([]byte(`{"object":"page","entry":[{"id":"1029384756","time":1773152752478,"messaging":[
	  {"sender":{"id":"1254477777772919"},"recipient":{"id":"1029384756"},"timestamp":1773152752478,
	   "optin":{"type":"one_time_notif_req","payload":"back_in_stock:sku-42","one_time_notif_token":"OTN_TOKEN"}}]}]}`))
	tok, _, _ := n.Capture(ctx, events[0].(*messenger.OptinEvent))
	fmt.Println("token for", tok.Topic, "expires", tok.ExpiresAt.Format("2006-01-02"))

	_, err := n.Notify(ctx, "1029384756", "1254477777772919", "back_in_stock:sku-42", messenger.Text("Size 42 is back!"))
	fmt.Println("first:", err)
	_, err = n.Notify(ctx, "1029384756", "1254477777772919", "back_in_stock:sku-42", messenger.Text("Still there!"))
	fmt.Println("second refused:", errors.Is(err, otn.ErrNoToken))
	// Output:
	// token for back_in_stock:sku-42 expires 2027-03-10
	// Graph got /v25.0/me/messages {"recipient":{"one_time_notif_token":"OTN_TOKEN"},"message":{"text":"Size 42 is back!"}}
	// first: <nil>
	// second refused: true
}

func ExampleFateOf() {
	used := messenger.NewGraphError(400, 100, 0, "OAuthException", "(#100) The token is invalid")
	throttled := messenger.NewGraphError(400, 613, 0, "OAuthException", "(#613) Calls have exceeded the rate limit")
	fmt.Println(otn.FateOf(used))
	fmt.Println(otn.FateOf(throttled))
	fmt.Println(otn.FateOf(messenger.ErrAmbiguous))
	// Output:
	// dead
	// restored
	// kept claimed
}

func ExampleRequestMessage() {
	_, err := otn.RequestMessage("Tell me when the new collection of autumn coats and jackets is out", "autumn")
	fmt.Println(err != nil, errors.Is(err, messenger.ErrInvalidRequest))
	// Output: true true
}
