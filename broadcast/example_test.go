package broadcast_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/broadcast"
	"github.com/gomessenger/messenger/messengertest"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/memstore"
)

// Plan says who a broadcast would reach and how, before anything is sent.
func ExampleBroadcast_Plan() {
	ctx := context.Background()
	const page = "1000000000000001"
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	st, _ := memstore.New(memstore.WithClock(func() time.Time { return now }))

	// Ada wrote an hour ago. Grace wrote two days ago but asked to be told once
	// when the kettle is back. Linus never wrote.
	st.RecordAction(ctx, page, "1001", store.Action{Kind: store.ActionMessage, At: now.Add(-time.Hour)})
	st.RecordAction(ctx, page, "1002", store.Action{Kind: store.ActionMessage, At: now.Add(-48 * time.Hour)})
	st.PutToken(ctx, store.Token{Value: "otn-grace", Kind: store.OneTimeKind, Page: page, User: "1002",
		Topic: "restock", IssuedAt: now.Add(-48 * time.Hour), ExpiresAt: now.AddDate(1, 0, 0), State: store.TokenLive})

	b := &broadcast.Broadcast{
		Page:     page,
		Audience: broadcast.PSIDs("1001", "1002", "1003"),
		Message:  messenger.Text("The blue kettle is back in stock"),
		Ways:     broadcast.Auto("restock"),
		Windows:  st,
		Tokens:   st,
		Now:      func() time.Time { return now },
	}
	sum, err := b.Plan(ctx, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	sum.WriteText(os.Stdout)
	// Output:
	// plan: 3 recipients, 2 sendable, 1 skipped
	// sendable by way:
	//          1  UPDATE
	//          1  one_time_notif_token/restock
	// skipped because:
	//          1  UPDATE: window.standard; one_time_notif_token/restock: token.none
}

// Audit gets one JSON line per recipient: the way found, or why there is none.
func ExampleBroadcast_Plan_audit() {
	ctx := context.Background()
	const page = "1000000000000001"
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	st, _ := memstore.New(memstore.WithClock(func() time.Time { return now }))
	st.RecordAction(ctx, page, "1001", store.Action{Kind: store.ActionMessage, At: now.Add(-time.Hour)})

	b := &broadcast.Broadcast{
		Page:     page,
		Audience: broadcast.PSIDs("1001", "1003"),
		Message:  messenger.Text("Tonight's concert is moved to 9 pm"),
		Ways:     []broadcast.Way{broadcast.InWindow()},
		Windows:  st,
		Now:      func() time.Time { return now },
		Audit:    os.Stdout,
	}
	if _, err := b.Plan(ctx, nil); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"psid":"1001","state":"sendable","at":"2026-05-01T12:00:00Z","way":"UPDATE","until":"2026-05-02T11:00:00Z"}
	// {"psid":"1003","state":"skipped","at":"2026-05-01T12:00:00Z","rule":"UPDATE: window.standard","reason":"UPDATE: RESPONSE and UPDATE are allowed within 24 hours of the person's last message or action: Conversation.LastUserMessage and LastUserAction are zero: no record of the person's last message or action"}
}

// An Entry is what the journal and the audit hold about one recipient.
func ExampleEntry() {
	e := broadcast.Entry{PSID: "1002", State: broadcast.StateFailed, Way: "UPDATE", Code: 551,
		Reason: "This person isn't receiving messages from you right now"}
	b, _ := json.Marshal(e)
	fmt.Println(string(b))
	fmt.Println(e.ErrorKey(), e.State.Final())
	// Output:
	// {"psid":"1002","state":"failed","way":"UPDATE","reason":"This person isn't receiving messages from you right now","code":551}
	// 551 true
}

// Send runs the broadcast. Here it sends to messengertest's fake Graph API, whose
// webhook deliveries the bot's messenger.Webhook records in the window store, as in
// production.
func ExampleBroadcast_Send() {
	ctx := context.Background()
	srv, err := messengertest.Start(messengertest.WithNow(time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	windows, _ := memstore.New(memstore.WithClock(srv.Now))
	hook, err := messenger.NewWebhook(srv.AppSecret(), "verify-token",
		messenger.WithWindows(windows), messenger.WithWebhookClock(srv.Now),
		messenger.WithWebhookLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer hook.Shutdown(ctx)
	srv.SetWebhook(hook)

	srv.User("1001").Says("Is the blue kettle back?")
	srv.Advance(30 * time.Hour) // Ada's window closes
	srv.User("1002").Says("Any news about the kettle?")
	hook.WaitIdle(ctx)

	b := &broadcast.Broadcast{
		Audience: broadcast.PSIDs("1001", "1002", "1003"),
		Message:  messenger.Text("The blue kettle is back in stock"),
		Ways:     []broadcast.Way{broadcast.InWindow()},
		Windows:  windows,
	}
	sum, err := b.Send(ctx, srv.Client(messenger.WithPageID(srv.PageID())))
	if err != nil {
		fmt.Println(err)
		return
	}
	sum.WriteText(os.Stdout)
	for _, s := range srv.Sent() {
		fmt.Println("the fake accepted", s.MessagingType, "to", s.RecipientID)
	}
	// Output:
	// broadcast: 3 recipients, 1 sent, 2 skipped
	// sent by way:
	//          1  UPDATE
	// skipped because:
	//          2  UPDATE: window.standard
	// the fake accepted UPDATE to 1002
}
