package messengertest

import (
	"bytes"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/tags"
	"github.com/google/go-cmp/cmp"
)

// These tests drive every endpoint through the SDK's own typed API: what the SDK
// encodes, the fake must accept, and what the fake refuses, the SDK must surface
// with the right sentinel.

func TestSDKSendEveryMessageKind(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	ctx := t.Context()
	saved, err := c.UploadURL(ctx, messenger.AttachmentImage, "https://e.com/hat.png")
	if err != nil {
		t.Fatal(err)
	}
	to := messenger.PSID(testPSID)
	msgs := map[string]*messenger.Message{
		"text":          messenger.Text("hello").WithMetadata("m"),
		"quick replies": messenger.Text("Pick").WithQuickReplies(messenger.TextReply("Red", "RED"), messenger.PhoneReply(), messenger.EmailReply()),
		"image url":     messenger.MediaURL(messenger.AttachmentImage, "https://e.com/a.png").Reusable(),
		"saved":         messenger.SavedMedia(messenger.AttachmentImage, saved),
		"images":        messenger.Images("https://e.com/1.png", "https://e.com/2.png"),
		"generic": messenger.TemplateMessage(messenger.NewGenericTemplate(messenger.GenericElement{
			Title: "Red hat", Subtitle: "Warm", ImageURL: "https://e.com/hat.png",
			DefaultAction: messenger.DefaultAction("https://e.com/hat"),
			Buttons:       []messenger.Button{messenger.URLButton("View", "https://e.com/hat").WithWebview("tall"), messenger.PostbackButton("Buy", "BUY"), messenger.CallButton("Call", "+12125552368")},
		})),
		"button":  messenger.TemplateMessage(messenger.NewButtonTemplate("Need help?", messenger.PostbackButton("Agent", "AGENT"), messenger.AccountLinkButton("https://e.com/login"))),
		"media":   messenger.TemplateMessage(messenger.NewMediaTemplate(messenger.MediaElement{MediaType: "image", AttachmentID: saved})),
		"product": messenger.TemplateMessage(messenger.NewProductTemplate("1", "2")),
		"receipt": messenger.TemplateMessage(&messenger.ReceiptTemplate{RecipientName: "Ada", OrderNumber: "A-1", Currency: "USD", PaymentMethod: "Visa 2345",
			Timestamp: testNow, Summary: messenger.ReceiptSummary{TotalCost: 56.14}}),
		"otn request": messenger.TemplateMessage(messenger.NewOneTimeNotifRequest("Back in stock?", "restock")),
	}
	for name, m := range msgs {
		t.Run(name, func(t *testing.T) {
			res, err := c.Send(ctx, messenger.SendRequest{To: to, Type: messenger.Response, Message: m})
			if err != nil {
				t.Fatal(err)
			}
			if res.RecipientID != testPSID || res.MessageID == "" {
				t.Errorf("response = %+v", res)
			}
		})
	}
	feedback := &messenger.CustomerFeedbackTemplate{Title: "Rate us", ButtonTitle: "Rate",
		FeedbackScreens: []messenger.FeedbackScreen{{Questions: []messenger.FeedbackQuestion{{ID: "q1", Type: messenger.FeedbackCSAT}}}},
		BusinessPrivacy: messenger.BusinessPrivacy{URL: "https://e.com/privacy"}}
	if _, err := c.Send(ctx, messenger.SendRequest{To: to, Type: messenger.Tagged(tags.CustomerFeedback), Message: messenger.TemplateMessage(feedback)}); err != nil {
		t.Errorf("customer feedback: %v", err)
	}
	for _, a := range []messenger.SenderAction{messenger.TypingOn, messenger.TypingOff, messenger.MarkSeen} {
		res, err := c.SendAction(ctx, to, a, "")
		if err != nil || res.RecipientID != testPSID || res.MessageID != "" {
			t.Errorf("%s: %+v %v", a, res, err)
		}
	}
	if err := srv.User("checkbox-person").ChecksBox("ref-1"); err != nil {
		t.Fatal(err)
	}
	if res, err := c.Send(ctx, messenger.SendRequest{To: messenger.UserRef("ref-1"), Type: messenger.Update, Message: messenger.Text("hi")}); err != nil || res.RecipientID != "" {
		t.Errorf("user_ref: %+v %v", res, err)
	}
	if got := len(srv.Sent()); got != len(msgs)+1+3+1 {
		t.Errorf("%d sends recorded", got)
	}
}

func TestSDKErrorsMapToSentinels(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	ctx := t.Context()
	send := func(psid string, typ messenger.MessagingType) error {
		_, err := c.Send(ctx, messenger.SendRequest{To: messenger.PSID(psid), Type: typ, Message: messenger.Text("hi")})
		return err
	}
	srv.User("blocked").Says("hi")
	srv.User("blocked").Blocks()
	srv.User("handed").Says("hi")
	srv.User("handed").HandOver(PageInboxAppID, "")
	bad, _ := messenger.New("wrong", messenger.WithBaseURL(srv.URL), messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1}))
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"unknown person", send("404", messenger.Response), messenger.ErrInvalidParameter},
		{"blocked", send("blocked", messenger.Response), messenger.ErrUserUnavailable},
		{"thread owned", send("handed", messenger.Response), messenger.ErrThreadOwnedByOtherApp},
		{"dead tag", send(testPSID, messenger.Tagged(tags.PostPurchaseUpdate)), messenger.ErrInvalidParameter},
		{"rate limited", send(PSIDRateLimited, messenger.Response), messenger.ErrRateLimited},
		{"temporary", send(PSIDTemporaryFailure, messenger.Response), messenger.ErrTemporary},
		{"unavailable", send(PSIDUnavailable, messenger.Response), messenger.ErrUserUnavailable},
		{"outside window", send(PSIDOutsideWindow, messenger.Response), messenger.ErrOutsideWindow},
		{"ambiguous", send(PSIDAmbiguous, messenger.Response), messenger.ErrAmbiguous},
		{"bad token", func() error {
			_, err := bad.Send(ctx, messenger.SendRequest{To: messenger.PSID(testPSID), Type: messenger.Response, Message: messenger.Text("x")})
			return err
		}(), messenger.ErrInvalidToken},
	}
	srv.Advance(25 * time.Hour)
	tests = append(tests, struct {
		name string
		err  error
		want error
	}{"window closed", send(testPSID, messenger.Update), messenger.ErrOutsideWindow})
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if _, err := c.Send(ctx, messenger.SendRequest{To: messenger.PSID(testPSID), Type: messenger.Tagged(tags.HumanAgent), Message: messenger.Text("agent here")}); err != nil {
		t.Errorf("HUMAN_AGENT after 25 h: %v", err)
	}
}

func TestSDKPrivateRepliesAndTokens(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	ctx := t.Context()
	u := srv.User("777")
	cid, _ := u.Comments("price?")
	pid, _ := u.PostsOnPage("hello page")
	for _, to := range []messenger.Recipient{messenger.Comment(cid), messenger.Post(pid)} {
		if _, err := c.PrivateReply(ctx, to, messenger.Text("sent you a DM")); err != nil {
			t.Fatalf("%+v: %v", to, err)
		}
		if _, err := c.PrivateReply(ctx, to, messenger.Text("again")); !errors.Is(err, messenger.ErrAlreadyReplied) {
			t.Errorf("second private reply: %v", err)
		}
	}
	tok, _ := u.OptsIn("restock")
	res, err := c.Send(ctx, messenger.SendRequest{To: messenger.OneTimeToken(tok), Message: messenger.Text("back in stock")})
	if err != nil || res.RecipientID != "777" {
		t.Fatalf("OTN: %+v %v", res, err)
	}
	if _, err := c.Send(ctx, messenger.SendRequest{To: messenger.OneTimeToken(tok), Message: messenger.Text("again")}); !errors.Is(err, messenger.ErrInvalidParameter) {
		t.Errorf("OTN reuse: %v", err)
	}
}

func TestSDKUploadsBatchHandoverProfile(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	ctx := t.Context()
	id, err := c.Upload(ctx, messenger.UploadFile{Type: messenger.AttachmentImage, Body: bytes.NewReader([]byte("\x89PNG")), Name: "a.png", ContentType: "image/png"})
	if err != nil || id == "" {
		t.Fatalf("Upload: %q %v", id, err)
	}
	if _, err := c.Upload(ctx, messenger.UploadFile{Type: messenger.AttachmentImage, Body: bytes.NewReader([]byte("x")), Name: "a.mp4", ContentType: "video/mp4"}); !errors.Is(err, messenger.ErrInvalidParameter) {
		t.Errorf("mismatched upload: %v", err)
	}

	results, err := c.SendBatch(ctx, []messenger.SendRequest{
		{To: messenger.PSID(testPSID), Type: messenger.Response, Message: messenger.Text("one")},
		{To: messenger.PSID("404"), Type: messenger.Response, Message: messenger.Text("two")},
		{To: messenger.PSID(testPSID), Type: messenger.Response, Message: messenger.SavedMedia(messenger.AttachmentImage, id)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Err != nil || results[0].Response.MessageID == "" || !errors.Is(results[1].Err, messenger.ErrInvalidParameter) || results[2].Err != nil {
		t.Errorf("SendBatch = %+v", results)
	}
	batch, err := c.Batch(ctx, []messenger.BatchRequest{{Method: "GET", RelativeURL: testPSID + "?fields=first_name"}, {Method: "POST", RelativeURL: "me/personas", Body: url.Values{"name": {"Sam"}}}})
	if err != nil || batch[0].Code != 200 || batch[1].Code != 200 {
		t.Errorf("Batch = %+v %v", batch, err)
	}

	if err := c.PassThreadControl(ctx, testPSID, messenger.PageInboxAppID, "to a human"); err != nil {
		t.Fatal(err)
	}
	own, err := c.ThreadOwner(ctx, testPSID)
	if err != nil || own.AppID != messenger.PageInboxAppID {
		t.Errorf("ThreadOwner = %+v %v", own, err)
	}
	if err := c.RequestThreadControl(ctx, testPSID, "mine please"); err != nil {
		t.Error(err)
	}
	if _, err := c.TakeThreadControl(ctx, testPSID, "back"); err != nil {
		t.Error(err)
	}
	if err := c.ReleaseThreadControl(ctx, testPSID, ""); err != nil {
		t.Error(err)
	}
	recv, err := c.SecondaryReceivers(ctx)
	if err != nil || len(recv) != 1 || recv[0].ID != messenger.PageInboxAppID {
		t.Errorf("SecondaryReceivers = %+v %v", recv, err)
	}

	prof := messenger.PageProfile{
		GetStarted:         &messenger.GetStarted{Payload: "START"},
		Greeting:           []messenger.Greeting{{Locale: messenger.DefaultLocale, Text: "Hi " + messenger.GreetingFirstName}},
		PersistentMenu:     []messenger.PersistentMenu{{Locale: messenger.DefaultLocale, CallToActions: []messenger.Button{messenger.PostbackButton("Agent", "AGENT"), messenger.URLButton("Shop", "https://e.com")}}},
		IceBreakers:        []messenger.IceBreakers{{Locale: messenger.DefaultLocale, CallToActions: []messenger.IceBreaker{{Question: "Where?", Payload: "WHERE"}}}},
		WhitelistedDomains: []string{"https://e.com"},
		AccountLinkingURL:  "https://e.com/link",
	}
	if err := c.SetProfile(ctx, prof); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetProfile(ctx, "get_started", "greeting", "persistent_menu", "ice_breakers", "whitelisted_domains", "account_linking_url")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&prof, got); diff != "" {
		t.Errorf("GetProfile (-want +got):\n%s", diff)
	}
	if err := c.DeleteProfile(ctx, "greeting"); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.GetProfile(ctx, "greeting"); got.Greeting != nil {
		t.Errorf("greeting after delete: %+v", got.Greeting)
	}

	srv.User(testPSID).SetName("Ada", "Lovelace")
	up, err := c.UserProfile(ctx, testPSID, messenger.UserFirstName, messenger.UserLastName, messenger.UserLocale)
	if err != nil || up.FirstName != "Ada" || up.LastName != "Lovelace" || up.Locale != "en_US" {
		t.Errorf("UserProfile = %+v %v", up, err)
	}
	if _, err := c.UserProfile(ctx, "404"); err == nil {
		t.Error("profile of an unknown person")
	}
}
