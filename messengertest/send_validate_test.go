package messengertest

import (
	"strings"
	"testing"
)

type obj = map[string]any
type arr = []any

func to(psid string) obj { return obj{"id": psid} }

func msgReq(m obj) obj {
	return obj{"recipient": to(testPSID), "messaging_type": "RESPONSE", "message": m}
}

func tmpl(payload obj) obj {
	return msgReq(obj{"attachment": obj{"type": "template", "payload": payload}})
}

func qrs(n int) arr {
	out := arr{}
	for range n {
		out = append(out, obj{"content_type": "text", "title": "Red", "payload": "RED"})
	}
	return out
}

func elems(n int, e obj) arr {
	out := arr{}
	for range n {
		out = append(out, e)
	}
	return out
}

var postbackBtn = obj{"type": "postback", "title": "Go", "payload": "GO"}

// TestSendValidationMatchesReference is the table of Graph's error codes (docs/platform.md, “Errors”) for
// the same mistakes (docs/platform.md, “Send API”, “Errors”): each request is sent through the SDK's Do, so
// the fake alone judges it.
func TestSendValidationMatchesReference(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	attID := srv.SaveAttachment()
	long := func(n int) string { return strings.Repeat("é", n) }
	tests := []struct {
		name     string
		body     obj
		code     int
		subcode  int
		inMsgErr string // a word the error message must contain (field or limit)
	}{
		// “Send API”: exclusive and required fields
		{"message and sender_action", obj{"recipient": to(testPSID), "messaging_type": "RESPONSE", "message": obj{"text": "hi"}, "sender_action": "typing_on"}, 100, 2018014, ""},
		{"no recipient", obj{"messaging_type": "RESPONSE", "message": obj{"text": "hi"}}, 100, 0, "recipient"},
		{"recipient without identifier", obj{"recipient": obj{}, "messaging_type": "RESPONSE", "message": obj{"text": "hi"}}, 100, 0, "recipient"},
		{"recipient with two identifiers", obj{"recipient": obj{"id": testPSID, "user_ref": "x"}, "messaging_type": "RESPONSE", "message": obj{"text": "hi"}}, 100, 0, "id, user_ref"},
		{"recipient misspelled field", obj{"recipient": obj{"psid": testPSID}, "messaging_type": "RESPONSE", "message": obj{"text": "hi"}}, 100, 0, "psid"},
		{"neither message nor action", obj{"recipient": to(testPSID), "messaging_type": "RESPONSE"}, 100, 0, "sender_action"},
		{"empty message", msgReq(obj{}), 100, 2018034, ""},
		{"empty text", msgReq(obj{"text": ""}), 100, 2018034, ""},
		{"text and attachment", msgReq(obj{"text": "a", "attachment": obj{"type": "image", "payload": obj{"url": "https://e.com/a.png"}}}), 100, 0, "mutually exclusive"},
		{"unknown message field", msgReq(obj{"txt": "a"}), 100, 0, "txt"},
		{"missing messaging_type", obj{"recipient": to(testPSID), "message": obj{"text": "hi"}}, 100, 0, "messaging_type"},
		{"bad messaging_type", obj{"recipient": to(testPSID), "messaging_type": "NOW", "message": obj{"text": "hi"}}, 100, 0, "NOW"},
		{"MESSAGE_TAG without tag", obj{"recipient": to(testPSID), "messaging_type": "MESSAGE_TAG", "message": obj{"text": "hi"}}, 100, 0, "tag"},
		{"tag without MESSAGE_TAG", obj{"recipient": to(testPSID), "messaging_type": "RESPONSE", "tag": "HUMAN_AGENT", "message": obj{"text": "hi"}}, 100, 0, "MESSAGE_TAG"},
		{"bad notification_type", obj{"recipient": to(testPSID), "messaging_type": "RESPONSE", "notification_type": "LOUD", "message": obj{"text": "hi"}}, 100, 0, "LOUD"},
		{"bad sender_action", obj{"recipient": to(testPSID), "sender_action": "dance"}, 100, 0, "dance"},
		{"persona with mark_seen", obj{"recipient": to(testPSID), "sender_action": "mark_seen", "persona_id": "1"}, 100, 0, "persona_id"},
		// “Message object” and “Limits”
		{"text 2000 chars", msgReq(obj{"text": long(2000)}), 100, 0, "2000"},
		{"metadata 1000 chars", msgReq(obj{"text": "a", "metadata": long(1000)}), 100, 0, "1000"},
		{"14 quick replies", msgReq(obj{"text": "a", "quick_replies": qrs(14)}), 100, 0, "13"},
		{"quick reply title 21", msgReq(obj{"text": "a", "quick_replies": arr{obj{"content_type": "text", "title": long(21), "payload": "P"}}}), 100, 0, "20"},
		{"quick reply payload 1001", msgReq(obj{"text": "a", "quick_replies": arr{obj{"content_type": "text", "title": "T", "payload": long(1001)}}}), 100, 0, "1000"},
		{"text quick reply without payload", msgReq(obj{"text": "a", "quick_replies": arr{obj{"content_type": "text", "title": "T"}}}), 100, 0, "payload"},
		{"location quick reply", msgReq(obj{"text": "a", "quick_replies": arr{obj{"content_type": "location"}}}), 100, 0, "location"},
		{"31 images", msgReq(obj{"attachments": elems(31, obj{"type": "image", "payload": obj{"url": "https://e.com/a.png"}})}), 100, 0, "30"},
		{"attachments not images", msgReq(obj{"attachments": arr{obj{"type": "video", "payload": obj{"url": "https://e.com/a.mp4"}}}}), 100, 0, "image"},
		{"bad attachment type", msgReq(obj{"attachment": obj{"type": "gif", "payload": obj{"url": "https://e.com/a.gif"}}}), 100, 0, "gif"},
		{"media url and id", msgReq(obj{"attachment": obj{"type": "image", "payload": obj{"url": "https://e.com/a.png", "attachment_id": attID}}}), 100, 0, "exactly one"},
		{"unfetchable url", msgReq(obj{"attachment": obj{"type": "image", "payload": obj{"url": "https://down.invalid/a.png"}}}), 100, 2018008, ""},
		{"relative url", msgReq(obj{"attachment": obj{"type": "image", "payload": obj{"url": "/a.png"}}}), 100, 2018008, ""},
		{"attachment not owned", msgReq(obj{"attachment": obj{"type": "image", "payload": obj{"attachment_id": "999"}}}), 100, 2018074, ""},
		// “Templates”
		{"unknown template", tmpl(obj{"template_type": "list", "elements": arr{}}), 100, 0, "list"},
		{"generic 11 elements", tmpl(obj{"template_type": "generic", "elements": elems(11, obj{"title": "T", "subtitle": "S"})}), 100, 0, "10"},
		{"generic title 81", tmpl(obj{"template_type": "generic", "elements": arr{obj{"title": long(81), "subtitle": "S"}}}), 100, 0, "80"},
		{"generic subtitle 81", tmpl(obj{"template_type": "generic", "elements": arr{obj{"title": "T", "subtitle": long(81)}}}), 100, 0, "80"},
		{"generic title only", tmpl(obj{"template_type": "generic", "elements": arr{obj{"title": "T"}}}), 100, 0, "besides title"},
		{"generic 4 buttons", tmpl(obj{"template_type": "generic", "elements": arr{obj{"title": "T", "buttons": elems(4, postbackBtn)}}}), 100, 0, "3"},
		{"default_action with title", tmpl(obj{"template_type": "generic", "elements": arr{obj{"title": "T", "default_action": obj{"type": "web_url", "url": "https://e.com", "title": "x"}}}}), 100, 0, "default_action"},
		{"button text 641", tmpl(obj{"template_type": "button", "text": long(641), "buttons": arr{postbackBtn}}), 100, 0, "640"},
		{"button template no buttons", tmpl(obj{"template_type": "button", "text": "T", "buttons": arr{}}), 100, 0, "1 to 3"},
		{"postback payload 1001", tmpl(obj{"template_type": "button", "text": "T", "buttons": arr{obj{"type": "postback", "title": "x", "payload": long(1001)}}}), 100, 0, "1000"},
		{"web_url without url", tmpl(obj{"template_type": "button", "text": "T", "buttons": arr{obj{"type": "web_url", "title": "x"}}}), 100, 0, "url"},
		{"phone button with spaces", tmpl(obj{"template_type": "button", "text": "T", "buttons": arr{obj{"type": "phone_number", "title": "x", "payload": "+1 212"}}}), 100, 0, "phone"},
		{"media two elements", tmpl(obj{"template_type": "media", "elements": elems(2, obj{"media_type": "image", "attachment_id": attID})}), 100, 0, "exactly 1"},
		{"media external url", tmpl(obj{"template_type": "media", "elements": arr{obj{"media_type": "image", "url": "https://e.com/a.png"}}}), 100, 0, "Facebook URL"},
		{"media audio", tmpl(obj{"template_type": "media", "elements": arr{obj{"media_type": "audio", "attachment_id": attID}}}), 100, 0, "media_type"},
		{"receipt without order_number", tmpl(obj{"template_type": "receipt", "recipient_name": "A", "currency": "USD", "payment_method": "Visa", "summary": obj{"total_cost": 1}}), 100, 0, "order_number"},
		{"product 11", tmpl(obj{"template_type": "product", "elements": elems(11, obj{"id": "1"})}), 100, 0, "10"},
		{"customer feedback two questions", tmpl(obj{"template_type": "customer_feedback", "title": "T", "subtitle": "S", "button_title": "B",
			"feedback_screens": arr{obj{"questions": arr{obj{"id": "q1", "type": "csat"}, obj{"id": "q2", "type": "csat"}}}}, "business_privacy": obj{"url": "https://e.com"}}), 100, 0, "1 question"},
		{"otn title 66", tmpl(obj{"template_type": "one_time_notif_req", "title": long(66), "payload": "P"}), 100, 0, "65"},
		{"customer feedback tag with text", obj{"recipient": to(testPSID), "messaging_type": "MESSAGE_TAG", "tag": "CUSTOMER_FEEDBACK", "message": obj{"text": "rate us"}}, 100, 0, "customer_feedback"},
		// “Message tags”: on the fake clock's date (2026-07-01)
		{"dead tag after 2026-04-27", obj{"recipient": to(testPSID), "messaging_type": "MESSAGE_TAG", "tag": "POST_PURCHASE_UPDATE", "message": obj{"text": "shipped"}}, 100, 0, "POST_PURCHASE_UPDATE"},
		{"legacy tag", obj{"recipient": to(testPSID), "messaging_type": "MESSAGE_TAG", "tag": "SHIPPING_UPDATE", "message": obj{"text": "shipped"}}, 100, 0, "SHIPPING_UPDATE"},
		{"utility without a utility template", obj{"recipient": to(testPSID), "messaging_type": "UTILITY", "message": obj{"text": "code 1234"}}, 100, 0, "utility"},
		{"unknown user_ref", obj{"recipient": obj{"user_ref": "nobody"}, "messaging_type": "RESPONSE", "message": obj{"text": "hi"}}, 100, 2018001, ""},
		{"news tag", obj{"recipient": to(testPSID), "messaging_type": "MESSAGE_TAG", "tag": "NON_PROMOTIONAL_SUBSCRIPTION", "message": obj{"text": "news"}}, 10, 2018065, ""},
		// state
		{"unknown psid", text("42", "hi"), 100, 2018001, ""},
		{"unknown persona", obj{"recipient": to(testPSID), "messaging_type": "RESPONSE", "persona_id": "5", "message": obj{"text": "hi"}}, 100, 0, "persona_id"},
		{"unknown comment", obj{"recipient": obj{"comment_id": "1_2"}, "message": obj{"text": "hi"}}, 100, 2018292, ""},
		{"unknown OTN token", obj{"recipient": obj{"one_time_notif_token": "nope"}, "message": obj{"text": "hi"}}, 100, 0, "one_time_notif_token"},
		{"reply_to unknown mid", obj{"recipient": to(testPSID), "messaging_type": "RESPONSE", "reply_to": obj{"mid": "m_x"}, "message": obj{"text": "hi"}}, 100, 0, "reply_to"},
		// magic recipients (“Errors”)
		{"rate limited", text(PSIDRateLimited, "hi"), 613, 0, ""},
		{"temporary", text(PSIDTemporaryFailure, "hi"), 2, 0, ""},
		{"unavailable", text(PSIDUnavailable, "hi"), 551, 0, ""},
		{"outside window", text(PSIDOutsideWindow, "hi"), 10, 2018278, ""},
		{"thread owned", text(PSIDThreadOwnedByOtherApp, "hi"), 10, 2018300, ""},
		{"ambiguous", text(PSIDAmbiguous, "hi"), 1, 1357046, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ge := wantGraphError(t, post(t, c, "me/messages", tt.body, nil), tt.code, tt.subcode)
			if tt.inMsgErr != "" && !strings.Contains(ge.Message, tt.inMsgErr) {
				t.Errorf("message %q does not mention %q", ge.Message, tt.inMsgErr)
			}
		})
	}
	if n := len(srv.Sent()); n != 0 {
		t.Errorf("%d refused sends were recorded", n)
	}
}

// TestSendValidAccepted: every valid shape of docs/platform.md is accepted.
func TestSendValidAccepted(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	attID := srv.SaveAttachment()
	if err := srv.User(testPSID).ChecksBox("ref-1"); err != nil {
		t.Fatal(err)
	}
	btn := obj{"type": "web_url", "url": "https://e.com", "title": "View", "webview_height_ratio": "tall", "messenger_extensions": false, "webview_share_button": "hide"}
	tests := []struct {
		name string
		body obj
	}{
		{"text 1999", msgReq(obj{"text": strings.Repeat("a", 1999), "metadata": "m"})},
		{"13 quick replies", msgReq(obj{"text": "a", "quick_replies": append(qrs(11), obj{"content_type": "user_email"}, obj{"content_type": "text", "title": "n", "payload": 7})})},
		{"image url reusable", msgReq(obj{"attachment": obj{"type": "image", "payload": obj{"url": "https://e.com/a.png", "is_reusable": true}}})},
		{"image by id", msgReq(obj{"attachment": obj{"type": "image", "payload": obj{"attachment_id": attID}}})},
		{"30 images", msgReq(obj{"attachments": elems(30, obj{"type": "image", "payload": obj{"url": "https://e.com/a.png"}})})},
		{"generic", tmpl(obj{"template_type": "generic", "sharable": true, "image_aspect_ratio": "square", "elements": elems(10, obj{"title": "T", "subtitle": "S", "image_url": "https://e.com/i.png",
			"default_action": obj{"type": "web_url", "url": "https://e.com"}, "buttons": arr{btn, postbackBtn, obj{"type": "phone_number", "title": "Call", "payload": "+12125552368"}}})})},
		{"button", tmpl(obj{"template_type": "button", "text": "Pick", "buttons": arr{postbackBtn, obj{"type": "account_link", "url": "https://e.com/login"}, obj{"type": "account_unlink"}}})},
		{"media", tmpl(obj{"template_type": "media", "elements": arr{obj{"media_type": "video", "url": "https://www.facebook.com/page/videos/1", "buttons": arr{btn}}}})},
		{"receipt", tmpl(obj{"template_type": "receipt", "recipient_name": "Ada", "order_number": "12345", "currency": "USD", "payment_method": "Visa 2345",
			"timestamp": "1428444852", "elements": arr{obj{"title": "Shirt", "price": 50, "quantity": 2}}, "address": obj{"street_1": "1 Hacker Way", "city": "Menlo Park", "postal_code": "94025", "state": "CA", "country": "US"},
			"summary": obj{"subtotal": 75.00, "shipping_cost": 4.95, "total_tax": 6.19, "total_cost": 56.14}, "adjustments": arr{obj{"name": "Coupon", "amount": 20}}})},
		{"product", tmpl(obj{"template_type": "product", "elements": arr{obj{"id": "1"}}})},
		{"otn request", tmpl(obj{"template_type": "one_time_notif_req", "title": "Back in stock?", "payload": "restock"})},
		{"customer feedback tagged", obj{"recipient": to(testPSID), "messaging_type": "MESSAGE_TAG", "tag": "CUSTOMER_FEEDBACK", "message": obj{"attachment": obj{"type": "template", "payload": obj{
			"template_type": "customer_feedback", "title": "Rate us", "subtitle": "Two questions", "button_title": "Rate",
			"feedback_screens": arr{obj{"questions": arr{obj{"id": "q_1", "type": "csat", "title": "How was it?", "score_label": "neg_pos", "score_option": "five_stars", "follow_up": obj{"type": "free_form", "placeholder": "More?"}}}}},
			"business_privacy": obj{"url": "https://e.com/privacy"}, "expires_in_days": 3}}}}},
		{"human agent", obj{"recipient": to(testPSID), "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT", "message": obj{"text": "Hi, Sam here"}}},
		{"update silent", obj{"recipient": to(testPSID), "messaging_type": "UPDATE", "notification_type": "SILENT_PUSH", "message": obj{"text": "hi"}}},
		{"typing", obj{"recipient": to(testPSID), "sender_action": "typing_on"}},
		{"user_ref", obj{"recipient": obj{"user_ref": "ref-1"}, "messaging_type": "RESPONSE", "message": obj{"text": "hi"}}},
		{"numeric psid", obj{"recipient": obj{"id": 1254459154682919}, "messaging_type": "RESPONSE", "message": obj{"text": "hi"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res sendResponse
			if err := post(t, c, "me/messages", tt.body, &res); err != nil {
				t.Fatal(err)
			}
			_, action := tt.body["sender_action"]
			_, ref := tt.body["recipient"].(obj)["user_ref"]
			if (res.MessageID == "") != action || (res.RecipientID == "") != ref {
				t.Errorf("response %+v: want message_id unless an action, recipient_id unless user_ref", res)
			}
		})
	}
}
