package messengertest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/messengertest"
)

func ExampleNewServer() {
	t := newExampleT() // in a test, the test's *testing.T
	defer t.finish()

	srv := messengertest.NewServer(t, messengertest.WithNow(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)))
	client := srv.Client()

	// A person writes to the Page: their 24-hour window opens.
	if _, err := srv.User("1254459154682919").Says("Do you have the red hat?"); err != nil {
		fmt.Println(err)
	}
	var res struct {
		RecipientID string `json:"recipient_id"`
		MessageID   string `json:"message_id"`
	}
	err := client.Do(context.Background(), "POST", "me/messages", map[string]any{
		"recipient":      map[string]string{"id": "1254459154682919"},
		"messaging_type": "RESPONSE",
		"message":        map[string]string{"text": "Yes, in every size!"},
	}, &res)
	fmt.Println(res.RecipientID, err)

	sent := srv.Sent()
	fmt.Println(len(sent), sent[0].Message.Text, sent[0].Time.Format(time.RFC3339))
	// Output:
	// 1254459154682919 <nil>
	// 1 Yes, in every size! 2026-07-01T12:00:00Z
}

func ExampleServer_Advance() {
	srv, _ := messengertest.Start()
	defer srv.Close()
	client := srv.Client()
	srv.User("42").Says("hi")

	srv.Advance(25 * time.Hour) // no sleeping: the fake clock moves
	err := client.Do(context.Background(), "POST", "me/messages", map[string]any{
		"recipient":      map[string]string{"id": "42"},
		"messaging_type": "UPDATE",
		"message":        map[string]string{"text": "Sale today!"},
	}, nil)
	var ge *messenger.GraphError
	if errors.As(err, &ge) {
		fmt.Println(ge.Code, ge.Subcode)
	}
	// Output:
	// 10 2018278
}

func ExampleUser_OptsIn() {
	srv, _ := messengertest.Start()
	defer srv.Close()
	client := srv.Client()
	token, _ := srv.User("42").OptsIn("back-in-stock")

	notify := map[string]any{
		"recipient": map[string]string{"one_time_notif_token": token},
		"message":   map[string]string{"text": "The red hat is back"},
	}
	first := client.Do(context.Background(), "POST", "me/messages", notify, nil)
	second := client.Do(context.Background(), "POST", "me/messages", notify, nil)
	var ge *messenger.GraphError
	errors.As(second, &ge)
	fmt.Println(first, ge.Code)
	// Output:
	// <nil> 100
}

func ExampleServer_InjectFault() {
	srv, _ := messengertest.Start()
	defer srv.Close()
	client := srv.Client(messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1}))
	srv.User("42").Says("hi")
	_ = srv.InjectFault(messengertest.Fault{Endpoint: messengertest.EndpointMessages, Count: 1, Code: 2})

	send := map[string]any{
		"recipient":      map[string]string{"id": "42"},
		"messaging_type": "RESPONSE",
		"message":        map[string]string{"text": "hello"},
	}
	err := client.Do(context.Background(), "POST", "me/messages", send, nil)
	fmt.Println(errors.Is(err, messenger.ErrTemporary))
	fmt.Println(client.Do(context.Background(), "POST", "me/messages", send, nil))
	// Output:
	// true
	// <nil>
}

func ExampleServer_SetWebhook() {
	srv, _ := messengertest.Start()
	defer srv.Close()
	srv.SetWebhook(httpHandlerFunc(func(body []byte, signature string) {
		fmt.Println(signature[:7], string(body[:17]))
	}))
	srv.User("42").Says("hi")
	// Output:
	// sha256= {"object":"page",
}
