package messengertest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/messengertest"
	"github.com/gomessenger/messenger/tags"
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
	res, err := client.Send(context.Background(), messenger.SendRequest{
		To:      messenger.PSID("1254459154682919"),
		Type:    messenger.Response,
		Message: messenger.Text("Yes, in every size!"),
	})
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
	_, err := client.Send(context.Background(), messenger.SendRequest{
		To: messenger.PSID("42"), Type: messenger.Update, Message: messenger.Text("Sale today!"),
	})
	fmt.Println(errors.Is(err, messenger.ErrOutsideWindow))

	_, err = client.Send(context.Background(), messenger.SendRequest{
		To: messenger.PSID("42"), Type: messenger.Tagged(tags.HumanAgent), Message: messenger.Text("Sam here, sorry for the wait."),
	})
	fmt.Println(err)
	// Output:
	// true
	// <nil>
}

func ExampleUser_OptsIn() {
	srv, _ := messengertest.Start()
	defer srv.Close()
	client := srv.Client()
	token, _ := srv.User("42").OptsIn("back-in-stock")

	notify := messenger.SendRequest{To: messenger.OneTimeToken(token), Message: messenger.Text("The red hat is back")}
	_, first := client.Send(context.Background(), notify)
	_, second := client.Send(context.Background(), notify)
	fmt.Println(first, errors.Is(second, messenger.ErrInvalidParameter))
	// Output:
	// <nil> true
}

func ExampleUser_Comments() {
	srv, _ := messengertest.Start()
	defer srv.Close()
	client := srv.Client()
	commentID, _ := srv.User("42").Comments("Do you ship to Canada?")

	_, first := client.PrivateReply(context.Background(), messenger.Comment(commentID), messenger.Text("Yes!"))
	_, second := client.PrivateReply(context.Background(), messenger.Comment(commentID), messenger.Text("Yes again!"))
	fmt.Println(first, errors.Is(second, messenger.ErrAlreadyReplied))
	// Output:
	// <nil> true
}

func ExampleServer_InjectFault() {
	srv, _ := messengertest.Start()
	defer srv.Close()
	client := srv.Client(messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1}))
	srv.User("42").Says("hi")
	_ = srv.InjectFault(messengertest.Fault{Endpoint: messengertest.EndpointMessages, Count: 1, Code: 2})

	send := messenger.SendRequest{To: messenger.PSID("42"), Type: messenger.Response, Message: messenger.Text("hello")}
	_, err := client.Send(context.Background(), send)
	fmt.Println(errors.Is(err, messenger.ErrTemporary))
	_, err = client.Send(context.Background(), send)
	fmt.Println(err)
	// Output:
	// true
	// <nil>
}

func ExampleServer_SetWebhook() {
	srv, _ := messengertest.Start()
	defer srv.Close()
	client := srv.Client()

	// The bot under test: the SDK's webhook, verifying the fake's signatures.
	hook, _ := messenger.NewWebhook(srv.AppSecret(), "verify-token")
	messenger.On(hook, func(ctx context.Context, m *messenger.MessageEvent) error {
		_, err := client.Send(ctx, messenger.SendRequest{
			To: messenger.PSID(m.Sender.ID), Type: messenger.Response, Message: messenger.Text("You said: " + m.Message.Text),
		})
		return err
	})
	srv.SetWebhook(hook)

	srv.User("42").Says("hello")
	sent, _ := srv.WaitForSent(context.Background(), 1)
	fmt.Println(sent[0].Recipient.ID, sent[0].Message.Text)
	// Output:
	// 42 You said: hello
}

func ExampleServer_WaitForSent() {
	srv, _ := messengertest.Start()
	defer srv.Close()
	client := srv.Client()
	srv.User("42").Says("hi")

	go client.SendAction(context.Background(), messenger.PSID("42"), messenger.TypingOn, "")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sent, err := srv.WaitForSent(ctx, 1) // wakes on the send; never polls
	fmt.Println(sent[0].SenderAction, err)
	// Output:
	// typing_on <nil>
}
