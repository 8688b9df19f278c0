package messengertest

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func tagged(psid, tag, msg string) obj {
	return obj{"recipient": to(psid), "messaging_type": "MESSAGE_TAG", "tag": tag, "message": obj{"text": msg}}
}

func TestWindow(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	if err := post(t, c, "me/messages", text(testPSID, "within"), nil); err != nil {
		t.Fatalf("inside the window: %v", err)
	}
	srv.Advance(24*time.Hour + time.Second)
	wantGraphError(t, post(t, c, "me/messages", text(testPSID, "late"), nil), 10, 2018278)
	wantGraphError(t, post(t, c, "me/messages", obj{"recipient": to(testPSID), "sender_action": "typing_on"}, nil), 10, 2018278)
	if err := post(t, c, "me/messages", tagged(testPSID, "HUMAN_AGENT", "agent"), nil); err != nil {
		t.Fatalf("HUMAN_AGENT within 7 days: %v", err)
	}
	srv.Advance(6 * 24 * time.Hour)
	wantGraphError(t, post(t, c, "me/messages", tagged(testPSID, "HUMAN_AGENT", "agent"), nil), 10, 2018278)

	// Postbacks, reactions and referrals into an existing thread reopen the window;
	// HUMAN_AGENT still counts from the last message.
	u := srv.User(testPSID)
	if _, err := u.TapsPostback("Menu", "MENU"); err != nil {
		t.Fatal(err)
	}
	if err := post(t, c, "me/messages", text(testPSID, "after postback"), nil); err != nil {
		t.Fatalf("after a postback: %v", err)
	}
	wantGraphError(t, post(t, c, "me/messages", tagged(testPSID, "HUMAN_AGENT", "agent"), nil), 10, 2018278)
	for _, act := range []func() error{
		func() error { return u.Reacts("m_1", "love") },
		func() error { return u.OpensLink("promo") },
		func() error { return u.ArrivesFromAd("6000", "") },
	} {
		srv.Advance(25 * time.Hour)
		if err := act(); err != nil {
			t.Fatal(err)
		}
		if err := post(t, c, "me/messages", text(testPSID, "reopened"), nil); err != nil {
			t.Fatalf("window not reopened: %v", err)
		}
	}
	// Reads, opt-ins and comments do not open it.
	for _, act := range []func() error{
		u.Reads,
		func() error { _, err := u.OptsIn("t"); return err },
		func() error { _, err := u.Comments("nice"); return err },
	} {
		srv.Advance(25 * time.Hour)
		if err := act(); err != nil {
			t.Fatal(err)
		}
		wantGraphError(t, post(t, c, "me/messages", text(testPSID, "closed"), nil), 10, 2018278)
	}
}

func TestTagDates(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t, WithNow(time.Date(2026, 4, 25, 0, 0, 0, 0, time.UTC)))
	srv.Advance(25 * time.Hour) // outside the window, before the tag's end
	if err := post(t, c, "me/messages", tagged(testPSID, "POST_PURCHASE_UPDATE", "shipped"), nil); err != nil {
		t.Fatalf("before 2026-04-27: %v", err)
	}
	srv.SetNow(time.Date(2026, 4, 27, 0, 0, 0, 0, time.UTC))
	wantGraphError(t, post(t, c, "me/messages", tagged(testPSID, "ACCOUNT_UPDATE", "x"), nil), 100, 0)

	old, oc := newFake(t, WithNow(time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)))
	old.Advance(48 * time.Hour)
	if err := post(t, oc, "me/messages", tagged(testPSID, "SHIPPING_UPDATE", "legacy"), nil); err != nil {
		t.Fatalf("legacy tag in 2019: %v", err)
	}
	// 2019 still had the "24 + 1" rule: one more message after the window closed.
	if err := post(t, oc, "me/messages", text(testPSID, "one more"), nil); err != nil {
		t.Fatalf("24+1 in 2019: %v", err)
	}
	wantGraphError(t, post(t, oc, "me/messages", text(testPSID, "and another"), nil), 10, 2018278)
}

func TestAdWindow(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	u := srv.User("ad-person")
	if err := u.ArrivesFromAd("6001", ""); err != nil {
		t.Fatal(err)
	}
	wantGraphError(t, post(t, c, "me/messages", text("ad-person", "hi"), nil), 10, 2018278) // a click alone opens nothing
	if _, err := u.Says("I saw your ad"); err != nil {
		t.Fatal(err)
	}
	srv.Advance(48 * time.Hour)
	if err := post(t, c, "me/messages", text("ad-person", "still within the ad window"), nil); err != nil {
		t.Fatalf("48 h after an ad message: %v", err)
	}
	srv.Advance(25 * time.Hour)
	wantGraphError(t, post(t, c, "me/messages", text("ad-person", "too late"), nil), 10, 2018278)
}

func TestOneTimeNotification(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	token, err := srv.User(testPSID).OptsIn("restock")
	if err != nil {
		t.Fatal(err)
	}
	srv.Advance(30 * 24 * time.Hour) // far outside the window: the token is the permission
	send := obj{"recipient": obj{"one_time_notif_token": token}, "message": obj{"text": "Back in stock"}}
	var res sendResponse
	if err := post(t, c, "me/messages", send, &res); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if res.RecipientID != testPSID {
		t.Errorf("recipient_id = %q, want the opted-in PSID", res.RecipientID)
	}
	ge := wantGraphError(t, post(t, c, "me/messages", send, nil), 100, 0)
	if !strings.Contains(ge.Message, "already") {
		t.Errorf("reuse message %q does not say the token was used", ge.Message)
	}
	tok2, _ := srv.User(testPSID).OptsIn("later")
	srv.Advance(366 * 24 * time.Hour)
	wantGraphError(t, post(t, c, "me/messages", obj{"recipient": obj{"one_time_notif_token": tok2}, "message": obj{"text": "x"}}, nil), 100, 0)
}

func TestPrivateReplies(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	u := srv.User("777")
	cid, err := u.Comments("How much is the red hat?")
	if err != nil {
		t.Fatal(err)
	}
	reply := obj{"recipient": obj{"comment_id": cid}, "message": obj{"text": "DM'd you!"}}
	var res sendResponse
	if err := post(t, c, srv.PageID()+"/messages", reply, &res); err != nil {
		t.Fatalf("first private reply: %v", err)
	}
	if res.RecipientID != "777" || res.MessageID == "" {
		t.Errorf("response = %+v", res)
	}
	wantGraphError(t, post(t, c, "me/messages", reply, nil), 10900, 0)
	// The comment did not open the window.
	wantGraphError(t, post(t, c, "me/messages", text("777", "hi"), nil), 10, 2018278)

	late, _ := u.Comments("another")
	postID, _ := u.PostsOnPage("visitor post")
	srv.Advance(7*24*time.Hour + time.Minute)
	wantGraphError(t, post(t, c, "me/messages", obj{"recipient": obj{"comment_id": late}, "message": obj{"text": "x"}}, nil), 100, 2018292)
	wantGraphError(t, post(t, c, "me/messages", obj{"recipient": obj{"post_id": postID}, "message": obj{"text": "x"}}, nil), 100, 2018292)
	wantGraphError(t, post(t, c, "me/messages", obj{"recipient": obj{"post_id": late}, "message": obj{"text": "x"}}, nil), 100, 2018292)
}

func TestBlockedAndThreadOwner(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	u := srv.User(testPSID)
	u.Blocks()
	wantGraphError(t, post(t, c, "me/messages", text(testPSID, "hi"), nil), 551, 0)
	u.Unblocks()
	if err := u.HandOver(PageInboxAppID, "human"); err != nil {
		t.Fatal(err)
	}
	wantGraphError(t, post(t, c, "me/messages", text(testPSID, "hi"), nil), 10, 2018300)
	if err := post(t, c, "me/take_thread_control", obj{"recipient": to(testPSID), "metadata": "back"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := post(t, c, "me/messages", text(testPSID, "hi"), nil); err != nil {
		t.Fatalf("after taking control: %v", err)
	}
}

func TestPersonaSendAndReplyTo(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	var p struct{ ID string }
	if err := post(t, c, "me/personas", obj{"name": "Sam", "profile_picture_url": "https://e.com/sam.png"}, &p); err != nil {
		t.Fatal(err)
	}
	mid, _ := srv.User(testPSID).Says("where is my order?")
	send := obj{"recipient": to(testPSID), "messaging_type": "RESPONSE", "persona_id": p.ID, "reply_to": obj{"mid": mid}, "message": obj{"text": "On its way"}}
	if err := post(t, c, "me/messages", send, nil); err != nil {
		t.Fatal(err)
	}
	if err := post(t, c, "me/messages", obj{"recipient": to(testPSID), "sender_action": "typing_on", "persona_id": p.ID}, nil); err != nil {
		t.Fatalf("typing as persona: %v", err)
	}
	if err := c.Do(t.Context(), "DELETE", p.ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	wantGraphError(t, post(t, c, "me/messages", send, nil), 100, 0)
	sent := srv.Sent()
	if got := sent[0]; got.PersonaID != p.ID || got.ReplyTo != mid || got.Message.Text != "On its way" {
		t.Errorf("record = %+v", got)
	}
}

func TestRecordsTypedAndRaw(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	body := obj{"recipient": to(testPSID), "messaging_type": "RESPONSE", "notification_type": "NO_PUSH",
		"message": obj{"text": "Pick", "metadata": "m1", "quick_replies": arr{obj{"content_type": "text", "title": "Red", "payload": "RED"}}}}
	var res sendResponse
	if err := post(t, c, "me/messages", body, &res); err != nil {
		t.Fatal(err)
	}
	got := srv.Sent()
	want := []SendRecord{{
		Time: testNow, Page: "me", Recipient: Recipient{ID: testPSID}, RecipientID: testPSID,
		MessagingType: "RESPONSE", NotificationType: "NO_PUSH", MessageID: res.MessageID,
		Message: &Message{Text: "Pick", Metadata: "m1", QuickReplies: []QuickReply{{ContentType: "text", Title: "Red", Payload: "RED"}}},
	}}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(SendRecord{}, "Body", "Raw")); diff != "" {
		t.Errorf("Sent (-want +got):\n%s", diff)
	}
	var decoded obj
	if err := json.Unmarshal(got[0].Body, &decoded); err != nil || decoded["messaging_type"] != "RESPONSE" {
		t.Errorf("Body = %s (%v)", got[0].Body, err)
	}
	if !bytes.Equal(got[0].Body, got[0].Raw) {
		t.Errorf("a JSON call's Body should be its raw bytes")
	}
}

// TestFormEncodedSend sends the way Meta's curl samples do: each top-level parameter
// a form field holding JSON (even with single quotes).
func TestFormEncodedSend(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	form := url.Values{
		"recipient":      {"{'id':'" + testPSID + "'}"},
		"messaging_type": {"RESPONSE"},
		"message":        {`{"text":"hello, world"}`},
	}
	if err := post(t, c, "me/messages", form, nil); err != nil {
		t.Fatal(err)
	}
	rec := srv.Sent()[0]
	if rec.Message.Text != "hello, world" || rec.Recipient.ID != testPSID {
		t.Errorf("record = %+v", rec)
	}
	var decoded obj
	if err := json.Unmarshal(rec.Body, &decoded); err != nil {
		t.Fatalf("Body %s is not JSON: %v", rec.Body, err)
	}
	if strings.Contains(string(rec.Body), "access_token") {
		t.Errorf("Body keeps credentials: %s", rec.Body)
	}
	form.Set("sender_action", "typing_on")
	wantGraphError(t, post(t, c, "me/messages", form, nil), 100, 2018014)
}

func TestUploadsAndReuse(t *testing.T) {
	t.Parallel()
	_, c := newFake(t)
	var up struct {
		AttachmentID string `json:"attachment_id"`
	}
	if err := post(t, c, "me/message_attachments", obj{"message": obj{"attachment": obj{"type": "image", "payload": obj{"url": "https://e.com/a.png", "is_reusable": true}}}}, &up); err != nil {
		t.Fatal(err)
	}
	file := func(ctype, typ string, data []byte) *messenger.MultipartBody {
		return &messenger.MultipartBody{
			Fields:    []messenger.MultipartField{{Name: "message", Value: `{"attachment":{"type":"` + typ + `","payload":{"is_reusable":true}}}`}},
			FileField: "filedata", FileName: "a.png", ContentType: ctype, File: bytes.NewReader(data),
		}
	}
	var up2 struct {
		AttachmentID string `json:"attachment_id"`
	}
	if err := post(t, c, "me/message_attachments", file("image/png", "image", []byte("\x89PNG")), &up2); err != nil {
		t.Fatal(err)
	}
	wantGraphError(t, post(t, c, "me/message_attachments", file("video/mp4", "image", []byte("x")), nil), 100, 2018047)
	wantGraphError(t, post(t, c, "me/message_attachments", obj{"message": obj{"attachment": obj{"type": "template", "payload": obj{}}}}, nil), 100, 0)
	wantGraphError(t, post(t, c, "me/message_attachments", obj{"message": obj{"attachment": obj{"type": "image", "payload": obj{"url": "https://x.invalid/a.png"}}}}, nil), 100, 2018008)
	for _, id := range []string{up.AttachmentID, up2.AttachmentID} {
		if err := post(t, c, "me/messages", msgReq(obj{"attachment": obj{"type": "image", "payload": obj{"attachment_id": id}}}), nil); err != nil {
			t.Fatalf("reuse %s: %v", id, err)
		}
	}
	// Upload and send in one multipart call; is_reusable answers an attachment_id.
	mp := file("image/png", "image", []byte("\x89PNG"))
	mp.Fields = append(mp.Fields, messenger.MultipartField{Name: "recipient", Value: `{"id":"` + testPSID + `"}`}, messenger.MultipartField{Name: "messaging_type", Value: "RESPONSE"})
	var res sendResponse
	if err := post(t, c, "me/messages", mp, &res); err != nil {
		t.Fatal(err)
	}
	if res.AttachmentID == "" || res.MessageID == "" {
		t.Errorf("multipart send response = %+v, want message_id and attachment_id", res)
	}
}
