package messenger

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// cmpEvents compares events on their exported fields.
var cmpEvents = cmp.Options{cmpopts.IgnoreUnexported(EventInfo{}), cmpopts.EquateEmpty()}

const (
	whPage = "1234567890"
	whUser = "6783274623"
)

// info builds the metadata of a messaging item from the usual Page to the usual user.
func whInfo(ms int64) EventInfo {
	return EventInfo{PageID: whPage, Sender: Party{ID: whUser}, Recipient: Party{ID: whPage}, Time: millis(ms)}
}

func whEchoInfo(ms int64) EventInfo {
	return EventInfo{PageID: whPage, Sender: Party{ID: whPage}, Recipient: Party{ID: whUser}, Time: millis(ms)}
}

func whPageOnly(ms int64) EventInfo {
	return EventInfo{PageID: whPage, Recipient: Party{ID: whPage}, Time: millis(ms)}
}

func readWebhookFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "webhooks", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// corpus lists every file of testdata/webhooks with the events it must decode to.
var webhookCorpus = map[string][]Event{
	"message_text.json": {&MessageEvent{EventInfo: whInfo(1458692752478), Message: ReceivedMessage{
		MID: "mid.1457764197618:41d102a3e1ae206a38", Text: "hello, world! äöå ä 😀"}}},
	"message_quick_reply.json": {&MessageEvent{EventInfo: whInfo(1458692752478), Message: ReceivedMessage{
		MID: "m_qr1", Text: "Red", QuickReply: &QuickReplyPayload{Payload: "COLOR_RED"}}}},
	"message_reply_to.json": {&MessageEvent{EventInfo: whInfo(1458692752478), Message: ReceivedMessage{
		MID: "m_reply1", Text: "yes, that one", ReplyTo: &RepliedTo{MID: "m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU"}}}},
	"message_attachments.json": {&MessageEvent{EventInfo: whInfo(1458692752478), Message: ReceivedMessage{
		MID: "m_att1", Attachments: []ReceivedAttachment{
			{Type: "image", Payload: &ReceivedAttachmentPayload{URL: "https://scontent.example/image.jpg"}},
			{Type: "video", Payload: &ReceivedAttachmentPayload{URL: "https://scontent.example/video.mp4"}},
			{Type: "audio", Payload: &ReceivedAttachmentPayload{URL: "https://scontent.example/audio.mp4"}},
			{Type: "file", Payload: &ReceivedAttachmentPayload{URL: "https://scontent.example/file.pdf"}},
			{Type: "image", Payload: &ReceivedAttachmentPayload{URL: "https://scontent.example/sticker.png", StickerID: "369239263222822"}},
			{Type: "location", Payload: &ReceivedAttachmentPayload{Coordinates: &Coordinates{Lat: 52.52, Long: 13.405}}},
			{Type: "fallback", Title: "An article", URL: "https://example.com/article"},
			{Type: "fallback"},
			{Type: "reel", Payload: &ReceivedAttachmentPayload{URL: "https://scontent.example/reel.mp4", Title: "My reel",
				Extra: map[string]json.RawMessage{"reel_video_id": json.RawMessage(`"1234"`)}}},
			{Type: "template", Payload: &ReceivedAttachmentPayload{Extra: map[string]json.RawMessage{
				"template_type": json.RawMessage(`"product"`),
				"product":       json.RawMessage(`{"elements":[{"id":"P1","retailer_id":"R1","title":"Shoe"}]}`)}}},
		}}}},
	"message_sticker.json": {&MessageEvent{EventInfo: whInfo(1458692752478), Message: ReceivedMessage{
		MID: "m_sticker", StickerID: "369239263222822", Attachments: []ReceivedAttachment{{Type: "image", Payload: &ReceivedAttachmentPayload{
			URL: "https://scontent.example/369239263222822.png", StickerID: "369239263222822"}}}}}},
	"message_nlp.json": {&MessageEvent{EventInfo: whInfo(1458692752478), Message: ReceivedMessage{
		MID: "m_nlp", Text: "tomorrow at 2pm",
		NLP: json.RawMessage(`{"intents":[],"entities":{"wit$datetime:datetime":[{"confidence":0.9,"value":"2026-06-02T14:00:00.000-07:00","type":"value"}]},"traits":{"wit$sentiment":[{"value":"neutral","confidence":0.6}]},"detected_locales":[{"locale":"en_XX","confidence":0.99}]}`)}}},
	"message_ad_referral.json": {&MessageEvent{EventInfo: whInfo(1458692752478), Message: ReceivedMessage{
		MID: "m_ad1", Text: "Is this still available?", Tags: &ReceivedMessageTags{Source: "customer_chat_plugin"},
		Referral: &Referral{Ref: "summer", AdID: "23850000000000000", Source: "ADS", Type: "OPEN_THREAD", AdsContext: &AdsContext{
			AdTitle: "Summer sale", PhotoURL: "https://scontent.example/ad.jpg", PostID: "1234567890_987", ProductID: "555"}}}}},
	"echo.json": {&EchoEvent{EventInfo: whEchoInfo(1457764197627), Message: ReceivedMessage{
		IsEcho: true, AppID: "1517776481860111", Metadata: "order-42", MID: "mid.1457764197618:41d102a3e1ae206a38", Text: "hello, world!"}}},
	"echo_template.json": {&EchoEvent{EventInfo: whEchoInfo(1457764197627), Message: ReceivedMessage{
		IsEcho: true, AppID: "1517776481860111", MID: "m_echo_tpl", Attachments: []ReceivedAttachment{{Type: "template",
			Payload: &ReceivedAttachmentPayload{Extra: map[string]json.RawMessage{
				"template_type": json.RawMessage(`"button"`),
				"text":          json.RawMessage(`"What next?"`),
				"buttons":       json.RawMessage(`[{"type":"postback","title":"Track order","payload":"TRACK"}]`)}}}}}}},
	"postback.json": {&PostbackEvent{EventInfo: whInfo(1458692752478), MID: "m_pb1", Title: "Track order", Payload: "TRACK_ORDER"}},
	"postback_referral.json": {&PostbackEvent{EventInfo: whInfo(1458692752478), MID: "m_pb2", Title: "Get Started", Payload: "GET_STARTED",
		Referral: &Referral{Ref: "spring-promo", Source: "SHORTLINK", Type: "OPEN_THREAD"}}},
	"referral_shortlink.json": {&ReferralEvent{EventInfo: whInfo(1458692752478), Referral: Referral{Ref: "order_42", Source: "SHORTLINK", Type: "OPEN_THREAD"}}},
	"referral_ads.json": {&ReferralEvent{EventInfo: whInfo(1458692752478), Referral: Referral{Ref: "ad_ref", AdID: "6045246247433", Source: "ADS", Type: "OPEN_THREAD",
		AdsContext: &AdsContext{AdTitle: "Winter boots", PhotoURL: "https://scontent.example/p.jpg", VideoURL: "https://scontent.example/v.mp4",
			PostID: "1234567890_111", ProductID: "222", FlowID: "333"}}}},
	"referral_chat_plugin.json": {&ReferralEvent{
		EventInfo: EventInfo{PageID: whPage, Sender: Party{UserRef: "ref-9f1c2e"}, Recipient: Party{ID: whPage}, Time: millis(1458692752478)},
		Referral:  Referral{Ref: "pricing", Source: "CUSTOMER_CHAT_PLUGIN", Type: "OPEN_THREAD", RefererURI: "https://shop.example/pricing", IsGuestUser: true}}},
	"referral_messenger_code.json": {
		&ReferralEvent{EventInfo: whInfo(1458692752478), Referral: Referral{Ref: "table-7", Source: "MESSENGER_CODE", Type: "OPEN_THREAD"}},
		&ReferralEvent{EventInfo: EventInfo{PageID: whPage, Sender: Party{ID: "6783274624"}, Recipient: Party{ID: whPage}, Time: millis(1458692752479)},
			Referral: Referral{Source: "DISCOVER_TAB", Type: "OPEN_THREAD"}}},
	"optin_plugin.json":   {&OptinEvent{EventInfo: whInfo(1457764197627), Ref: "PASS_THROUGH_PARAM"}},
	"optin_checkbox.json": {&OptinEvent{EventInfo: whPageOnly(1457764197627), Ref: "checkout", UserRef: "UNIQUE_REF_123"}},
	"optin_one_time.json": {&OptinEvent{EventInfo: whInfo(1458692752478), Type: "one_time_notif_req", Payload: "PRICE_DROP_SKU_42", OneTimeNotifToken: "otn-token-abc"}},
	"optin_recurring.json": {&OptinEvent{EventInfo: whInfo(1458692752478), Type: "notification_messages", Payload: "DAILY_DEALS", Title: "Daily deals",
		NotificationMessagesToken: "rn-token-xyz", Frequency: "DAILY", Timezone: "Europe/Berlin", TokenExpiry: millis(1474244752478), TokenStatus: "NOT_REFRESHED"}},
	"optin_recurring_stop.json": {&OptinEvent{EventInfo: whInfo(1458692752478), Type: "notification_messages", Payload: "DAILY_DEALS",
		NotificationMessagesToken: "rn-token-xyz", TokenExpiry: millis(1474244752478), TokenStatus: "REFRESHED", NotificationStatus: "STOP NOTIFICATIONS"}},
	"delivery.json": {&DeliveryEvent{EventInfo: whInfo(0), MIDs: []string{"mid.1458668856218:ed81099e15d3f4f233"}, Watermark: millis(1458668856253)}},
	"read.json":     {&ReadEvent{EventInfo: whInfo(1458668856463), Watermark: millis(1458668856253)}},
	"reaction.json": {
		&ReactionEvent{EventInfo: whInfo(1458668856463), Reaction: "love", Emoji: "\u2764\uFE0F", Action: "react", MID: "m_page_msg_1"},
		&ReactionEvent{EventInfo: whInfo(1458668856999), Action: "unreact", MID: "m_page_msg_1"}},
	"handover_pass.json": {
		&PassThreadControlEvent{EventInfo: whInfo(1458692752478), NewOwnerAppID: "123456789", Metadata: "from idle"},
		&PassThreadControlEvent{EventInfo: EventInfo{PageID: whPage, Sender: Party{ID: "6783274624"}, Recipient: Party{ID: whPage}, Time: millis(1458692752479)},
			PreviousOwnerAppID: "987654321", NewOwnerAppID: "123456789", Metadata: "escalated"}},
	"handover_take.json":    {&TakeThreadControlEvent{EventInfo: whInfo(1458692752478), PreviousOwnerAppID: "123456789", NewOwnerAppID: "263902037430900", Metadata: "agent took over"}},
	"handover_request.json": {&RequestThreadControlEvent{EventInfo: whInfo(1458692752478), RequestedOwnerAppID: "123456789", Metadata: "please"}},
	"app_roles.json": {&AppRolesEvent{EventInfo: whPageOnly(1458692752478), Roles: map[string][]string{
		"123456789": {"primary_receiver"}, "263902037430900": {"secondary_receiver"}}}},
	"policy_enforcement.json": {
		&PolicyEnforcementEvent{EventInfo: whPageOnly(1458692752478), Action: "block",
			Reason: "The bot violated our Platform Policies (https://developers.facebook.com/policy/#messengerplatform)."},
		&PolicyEnforcementEvent{EventInfo: whPageOnly(1458692752479), Action: "unblock"}},
	"policy_enforcement_hyphen.json": {&PolicyEnforcementEvent{EventInfo: whPageOnly(1458692752478), Action: "warning", Reason: "Too many messages outside the window."}},
	"account_linking.json": {
		&AccountLinkingEvent{EventInfo: whInfo(1234567890000), Status: "linked", AuthorizationCode: "PASS_THROUGH_AUTHORIZATION_CODE"},
		&AccountLinkingEvent{EventInfo: whInfo(1234567890001), Status: "unlinked"}},
	"messaging_feedback.json": {&MessagingFeedbackEvent{EventInfo: whInfo(1458692752478), Screens: []FeedbackScreenAnswers{{ScreenID: 0, Questions: map[string]FeedbackAnswer{
		"hauydmns8": {Type: "csat", Payload: "5", FollowUp: &FeedbackFollowUpAnswer{Type: "free_form", Payload: "I am very satisfied!"}},
		"nps1":      {Type: "nps", Payload: "9"}}}}}},
	"game_play.json": {&GamePlayEvent{EventInfo: whInfo(1457764197627), GameID: "111222333", PlayerID: "444555666", ContextType: "THREAD",
		ContextID: "777888999", Score: 100, Payload: `{"level":3}`}},
	"response_feedback.json": {&ResponseFeedbackEvent{EventInfo: whInfo(1458692752478), Feedback: "Good response", MID: "m_bot_answer_1"}},
	"message_edit.json":      {&MessageEditEvent{EventInfo: whInfo(1458692752478), MID: "m_edited_1", Text: "hello, world (edited)", NumEdit: 1}},
	"feed_comment.json": {&FeedEvent{
		EventInfo: EventInfo{PageID: "370873143344730", Sender: Party{ID: "6780462125377510", Name: "Changan Yang"}, Time: seconds(1701413571)},
		Field:     "feed", Item: "comment", Verb: "add", CommentID: "690891113073877_759878495960329",
		PostID: "370873143344730_690891113073877", ParentID: "370873143344730_690891113073877",
		From: Party{ID: "6780462125377510", Name: "Changan Yang"}, Message: "Where can I buy this?", CreatedTime: seconds(1701413571),
		Post: &FeedPost{ID: "370873143344730_690891113073877", StatusType: "added_video", IsPublished: true,
			UpdatedTime: time.Date(2023, 12, 1, 6, 52, 51, 0, time.UTC), PermalinkURL: "https://www.facebook.com/example/posts/690891113073877",
			PromotionStatus: "inactive"}}},
	"feed_visitor_post.json": {&FeedEvent{
		EventInfo: EventInfo{PageID: "370873143344730", Sender: Party{ID: "6780462125377511", Name: "Ada Visitor"}, Time: seconds(1701413590)},
		Field:     "feed", Item: "status", Verb: "add", PostID: "370873143344730_700000000000001",
		From: Party{ID: "6780462125377511", Name: "Ada Visitor"}, Message: "Do you ship to Norway?", CreatedTime: seconds(1701413590)}},
	"feed_reaction.json": {&FeedEvent{
		EventInfo: EventInfo{PageID: "370873143344730", Sender: Party{ID: "6780462125377512", Name: "Bo Liker"}, Time: seconds(1701413690)},
		Field:     "feed", Item: "reaction", Verb: "add", PostID: "370873143344730_690891113073877", ParentID: "370873143344730_690891113073877",
		ReactionType: "like", From: Party{ID: "6780462125377512", Name: "Bo Liker"}, CreatedTime: seconds(1701413690)}},
	"batched_entries.json": {
		&MessageEvent{EventInfo: whInfo(1458692752478), Message: ReceivedMessage{MID: "m_b1", Text: "first"}},
		&MessageEvent{EventInfo: whInfo(1458692752479), Message: ReceivedMessage{MID: "m_b2", Text: "second"}},
		&PostbackEvent{EventInfo: EventInfo{PageID: whPage, Sender: Party{ID: "6783274699"}, Recipient: Party{ID: whPage}, Time: millis(1458692752480)},
			MID: "m_b3", Title: "Start", Payload: "START"},
		&ReadEvent{EventInfo: EventInfo{PageID: "2222222222", Sender: Party{ID: "5555555555"}, Recipient: Party{ID: "2222222222"}, Time: millis(1458692752481)},
			Watermark: millis(1458692752400)}},
	"standby.json": {
		&MessageEvent{EventInfo: whStandby(whInfo(1458692752478)), Message: ReceivedMessage{MID: "m_sb1", Text: "talking to the agent"}},
		&PostbackEvent{EventInfo: whStandby(whInfo(1458692752490)), Title: "Track order"}},
	"unknown_kinds.json": {
		&UnknownEvent{EventInfo: whInfo(1458692752478), Key: "payment"},
		&UnknownEvent{EventInfo: whInfo(1458692752479), Key: "brand_new_kind"},
		&MessageEvent{EventInfo: whInfo(1458692752480), Message: ReceivedMessage{MID: "m_future", Text: "hi"}},
		&UnknownEvent{EventInfo: EventInfo{PageID: whPage}, Field: "mention"}},
	"numbers_as_strings.json": {
		&ReadEvent{EventInfo: whInfo(1458692752478), Watermark: millis(1458668856253)},
		&EchoEvent{EventInfo: whInfo(1458692752479), Message: ReceivedMessage{IsEcho: true, AppID: "1517776481860111", MID: "m_s1", Text: "ok"}},
		&GamePlayEvent{EventInfo: whInfo(1458692752480), GameID: "111222333", PlayerID: "444", Score: 250, ContextType: "SOLO"}},
}

func whStandby(in EventInfo) EventInfo {
	in.Standby = true
	return in
}

func TestCorpusIsComplete(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "webhooks", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, ok := webhookCorpus[filepath.Base(f)]; !ok {
			t.Errorf("%s has no expectation in corpus", f)
		}
	}
	if len(files) != len(webhookCorpus) {
		t.Errorf("%d files, %d expectations", len(files), len(webhookCorpus))
	}
}

// TestParseEventsCorpus checks every field of every corpus event.
func TestParseEventsCorpus(t *testing.T) {
	t.Parallel()
	for name, want := range webhookCorpus {
		t.Run(name, func(t *testing.T) {
			got, err := ParseEvents(readWebhookFile(t, name))
			if err != nil {
				t.Fatal(err)
			}
			// UnknownEvent.Raw is checked by the round trip; compare the rest here.
			opts := append(cmpEvents, cmpopts.IgnoreFields(UnknownEvent{}, "Raw"))
			if diff := cmp.Diff(want, got, opts); diff != "" {
				t.Errorf("ParseEvents mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// wireItems returns the messaging/standby items and changes of a body, in order, as
// encoding/json sees them (each corpus entry holds one kind of array).
func wireItems(t *testing.T, body []byte) []json.RawMessage {
	t.Helper()
	var env struct {
		Entry []map[string]json.RawMessage `json:"entry"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	var items []json.RawMessage
	for _, e := range env.Entry {
		for _, k := range []string{"messaging", "standby", "changes"} {
			if raw, ok := e[k]; ok {
				var arr []json.RawMessage
				if err := json.Unmarshal(raw, &arr); err != nil {
					t.Fatal(err)
				}
				items = append(items, arr...)
			}
		}
	}
	return items
}

func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return v
}

// TestCorpusRoundTrip: json.Marshal of each event gives back its wire item, unknown
// fields included.
func TestCorpusRoundTrip(t *testing.T) {
	t.Parallel()
	for name := range webhookCorpus {
		t.Run(name, func(t *testing.T) {
			body := readWebhookFile(t, name)
			evs, err := ParseEvents(body)
			if err != nil {
				t.Fatal(err)
			}
			items := wireItems(t, body)
			if len(items) != len(evs) {
				t.Fatalf("%d events for %d wire items", len(evs), len(items))
			}
			for i, ev := range evs {
				got, err := json.Marshal(ev)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(decodeAny(t, items[i]), decodeAny(t, got)); diff != "" {
					t.Errorf("event %d (%s) marshal mismatch (-wire +got):\n%s", i, ev.Kind(), diff)
				}
				var compact bytes.Buffer
				if err := json.Compact(&compact, items[i]); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(compact.Bytes(), got) {
					t.Errorf("event %d (%s): marshal is not the received bytes:\n got %s\nwant %s", i, ev.Kind(), got, compact.Bytes())
				}
				// And json.Unmarshal into the same type gives the event back.
				dst := reflect.New(reflect.TypeOf(ev).Elem()).Interface().(Event)
				dst.Info().PageID, dst.Info().Standby = ev.Info().PageID, ev.Info().Standby
				if err := json.Unmarshal(got, dst); err != nil {
					t.Fatalf("event %d (%s): json.Unmarshal: %v", i, ev.Kind(), err)
				}
				if diff := cmp.Diff(ev, dst, cmpEvents, cmpopts.IgnoreFields(UnknownEvent{}, "Raw")); diff != "" {
					t.Errorf("event %d (%s): json.Unmarshal mismatch (-want +got):\n%s", i, ev.Kind(), diff)
				}
			}
		})
	}
}

// normalize makes two encodings of the same event comparable: numeric strings become
// numbers, nulls disappear, the legacy policy-enforcement key takes its new spelling.
func normalizeWire(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if e == nil {
				continue
			}
			if k == "policy-enforcement" {
				k = "policy_enforcement"
			}
			out[k] = normalizeWire(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeWire(e)
		}
		return out
	case string:
		if f, err := strconv.ParseFloat(x, 64); err == nil && strings.Trim(x, "0123456789.e") == "" {
			return f
		}
		return x
	case json.Number:
		f, _ := x.Float64()
		return f
	}
	return v
}

// TestCorpusTypedEncoding: the typed fields alone (as for an event built in code)
// encode every field of the wire item, so the fake server generates full payloads.
func TestCorpusTypedEncoding(t *testing.T) {
	t.Parallel()
	for name := range webhookCorpus {
		if name == "unknown_kinds.json" { // has fields no type models, on purpose
			continue
		}
		t.Run(name, func(t *testing.T) {
			body := readWebhookFile(t, name)
			evs, err := ParseEvents(body)
			if err != nil {
				t.Fatal(err)
			}
			items := wireItems(t, body)
			for i, ev := range evs {
				ev.Info().raw = "" // as if built in code
				got, err := json.Marshal(ev)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(normalizeWire(decodeAny(t, items[i])), normalizeWire(decodeAny(t, got))); diff != "" {
					t.Errorf("event %d (%s) typed encoding mismatch (-wire +got):\n%s", i, ev.Kind(), diff)
				}
				back, err := ParseEvent(got)
				if err != nil {
					t.Fatal(err)
				}
				back.Info().PageID = ev.Info().PageID
				back.Info().Standby = ev.Info().Standby
				if diff := cmp.Diff(ev, back, cmpEvents); diff != "" {
					t.Errorf("event %d (%s) does not survive its typed encoding (-want +got):\n%s", i, ev.Kind(), diff)
				}
			}
		})
	}
}

func TestMarshalReflectsChangedFields(t *testing.T) {
	t.Parallel()
	evs, err := ParseEvents(readWebhookFile(t, "unknown_kinds.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := evs[2].(*MessageEvent)
	m.Message.Text = "changed"
	got, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"sender":{"id":"6783274623"},"recipient":{"id":"1234567890"},"timestamp":1458692752480,"message":{"mid":"m_future","text":"changed"}}`
	if string(got) != want {
		t.Errorf("after a change:\n got %s\nwant %s", got, want)
	}
}

func TestMarshalEnvelopeRoundTrip(t *testing.T) {
	t.Parallel()
	var all []Event
	for name := range webhookCorpus {
		evs, err := ParseEvents(readWebhookFile(t, name))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, evs...)
	}
	built := []Event{
		&MessageEvent{EventInfo: whInfo(1700000000001), Message: ReceivedMessage{MID: "m_built", Text: "built in code",
			QuickReply: &QuickReplyPayload{Payload: "P"}, Attachments: []ReceivedAttachment{{Type: "image", Payload: &ReceivedAttachmentPayload{URL: "https://x.example/a.png"}}}}},
		&EchoEvent{EventInfo: whEchoInfo(1700000000002), Message: ReceivedMessage{MID: "m_echo", AppID: "42", Text: "echo"}},
		&PostbackEvent{EventInfo: whStandby(whInfo(1700000000003)), Title: "Menu", Payload: "MENU"},
		&ReadEvent{EventInfo: whInfo(1700000000004), Watermark: millis(1700000000000)},
		&FeedEvent{EventInfo: EventInfo{PageID: whPage, Sender: Party{ID: whUser, Name: "A"}, Time: seconds(1700000000)},
			Field: "feed", Item: "comment", Verb: "add", CommentID: "1_2", PostID: "3_4", From: Party{ID: whUser, Name: "A"}, CreatedTime: seconds(1700000000)},
		&OptinEvent{EventInfo: whInfo(1700000000005), Type: "notification_messages", NotificationMessagesToken: "t", TokenExpiry: millis(1800000000000)},
	}
	// The built echo comes back with IsEcho set.
	wantBuilt := append([]Event(nil), built...)
	e := *built[1].(*EchoEvent)
	e.Message.IsEcho = true
	wantBuilt[1] = &e
	all = append(all, built...)
	body, err := MarshalEnvelope(all...)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseEvents(body)
	if err != nil {
		t.Fatal(err)
	}
	want := append(all[:len(all)-len(built):len(all)-len(built)], wantBuilt...)
	if diff := cmp.Diff(want, got, cmpEvents); diff != "" {
		t.Errorf("ParseEvents(MarshalEnvelope(events)) mismatch (-want +got):\n%s", diff)
	}
}

func TestMarshalEnvelopeErrors(t *testing.T) {
	t.Parallel()
	if _, err := MarshalEnvelope(&MessageEvent{}); err == nil || !strings.Contains(err.Error(), "PageID") {
		t.Errorf("missing PageID: err = %v, want one naming PageID", err)
	}
	if _, err := MarshalEnvelope(nil); err == nil {
		t.Error("nil event: no error")
	}
	b, err := MarshalEnvelope()
	if err != nil || string(b) != `{"object":"page","entry":[]}` {
		t.Errorf("no events: %s, %v", b, err)
	}
}

func TestParseEventsEdgeCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want []Event
	}{
		{"null", `null`, nil},
		{"empty object", `{}`, nil},
		{"null entry", `{"object":"page","entry":null}`, nil},
		{"entry not an array", `{"entry":{"id":"1","messaging":[{"read":{"watermark":1}}]}}`,
			[]Event{&ReadEvent{EventInfo: EventInfo{PageID: "1"}, Watermark: millis(1)}}},
		{"entry member not an object", `{"entry":[5]}`, []Event{&UnknownEvent{}}},
		{"item not an object", `{"entry":[{"id":"1","messaging":["x"]}]}`, []Event{&UnknownEvent{EventInfo: EventInfo{PageID: "1"}}}},
		{"item without a kind", `{"entry":[{"id":"1","messaging":[{"timestamp":5}]}]}`, []Event{&UnknownEvent{EventInfo: EventInfo{PageID: "1", Time: millis(5)}}}},
		{"wrong types are left zero", `{"entry":[{"id":"1","messaging":[{"sender":"x","message":{"mid":["a"],"text":12,"quick_reply":"q","is_echo":"true"}}]}]}`,
			[]Event{&EchoEvent{EventInfo: EventInfo{PageID: "1"}, Message: ReceivedMessage{Text: "12", IsEcho: true}}}},
		{"first known key wins", `{"entry":[{"id":"1","messaging":[{"x":1,"read":{"watermark":2},"delivery":{"watermark":3}}]}]}`,
			[]Event{&ReadEvent{EventInfo: EventInfo{PageID: "1"}, Watermark: millis(2)}}},
		{"key order does not matter", `{"entry":[{"messaging":[{"timestamp":7,"read":{"watermark":2},"sender":{"id":"u"}}],"id":"p"}]}`,
			[]Event{&ReadEvent{EventInfo: EventInfo{PageID: "p", Sender: Party{ID: "u"}, Time: millis(7)}, Watermark: millis(2)}}},
		{"escaped keys and strings", `{"entry":[{"id":"1","messaging":[{"message":{"te\u0078t":"a\"b\\c\/d\n\u00e9\ud83d\ude00\ud800x"}}]}]}`,
			[]Event{&MessageEvent{EventInfo: EventInfo{PageID: "1"}, Message: ReceivedMessage{Text: "a\"b\\c/d\né😀\uFFFDx"}}}},
		{"invalid UTF-8 is replaced", "{\"entry\":[{\"id\":\"1\",\"messaging\":[{\"message\":{\"text\":\"a\xffb\"}}]}]}",
			[]Event{&MessageEvent{EventInfo: EventInfo{PageID: "1"}, Message: ReceivedMessage{Text: "a\uFFFDb"}}}},
		{"non-feed change", `{"entry":[{"id":"1","changes":[{"value":{},"field":"ratings"}]}]}`,
			[]Event{&UnknownEvent{EventInfo: EventInfo{PageID: "1"}, Field: "ratings"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEvents([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpEvents, cmpopts.IgnoreFields(UnknownEvent{}, "Raw")); diff != "" {
				t.Errorf("ParseEvents(%s) mismatch (-want +got):\n%s", tt.body, diff)
			}
		})
	}
}

func TestParseEventsMalformed(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		``, ` `, `[]`, `"page"`, `5`, `{`, `{"entry":[}`, `{"entry":[{"id":"1",}]}`, `{"entry":[1,]}`,
		`{"a":1}x`, `{"a":tru}`, `{"a":"\x"}`, `{"a":"\u12"}`, "{\"a\":\"\x01\"}", `{"a":01}`, `{"a":1.}`,
		`{"a":-}`, `{"a":1e}`, `{a:1}`, `{"a" 1}`, `{"entry":[{"messaging":[{"message":{"text":"unterminated}}]}]}`,
		strings.Repeat("[", 20000),
		`{"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`,
	} {
		_, err := ParseEvents([]byte(body))
		if !errors.Is(err, ErrMalformedPayload) {
			t.Errorf("ParseEvents(%.40q) error = %v, want ErrMalformedPayload", body, err)
		}
		if json.Valid([]byte(body)) && strings.HasPrefix(body, "{") && len(body) < 1000 {
			t.Errorf("%q is valid JSON: the test is wrong", body)
		}
	}
}

func TestParseEventAndUnmarshalJSON(t *testing.T) {
	t.Parallel()
	item := `{"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1000,"postback":{"title":"T","payload":"P"}}`
	ev, err := ParseEvent([]byte(item))
	if err != nil {
		t.Fatal(err)
	}
	want := &PostbackEvent{EventInfo: EventInfo{Sender: Party{ID: "u"}, Recipient: Party{ID: "p"}, Time: millis(1000)}, Title: "T", Payload: "P"}
	if diff := cmp.Diff(Event(want), ev, cmpEvents); diff != "" {
		t.Errorf("ParseEvent mismatch (-want +got):\n%s", diff)
	}
	pb := PostbackEvent{EventInfo: EventInfo{PageID: "kept"}}
	if err := json.Unmarshal([]byte(item), &pb); err != nil {
		t.Fatal(err)
	}
	want.PageID = "kept"
	if diff := cmp.Diff(want, &pb, cmpEvents); diff != "" {
		t.Errorf("UnmarshalJSON mismatch (-want +got):\n%s", diff)
	}
	var m MessageEvent
	if err := json.Unmarshal([]byte(item), &m); err == nil || !strings.Contains(err.Error(), "postback") {
		t.Errorf("postback into *MessageEvent: err = %v, want one naming the kind", err)
	}
	change := `{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"c","created_time":5}}`
	var f FeedEvent
	if err := json.Unmarshal([]byte(change), &f); err != nil {
		t.Fatal(err)
	}
	if f.CommentID != "c" || !f.CreatedTime.Equal(seconds(5)) || !f.Time.Equal(seconds(5)) {
		t.Errorf("feed change decoded to %+v", f)
	}
	if _, err := ParseEvent([]byte(`[1]`)); !errors.Is(err, ErrMalformedPayload) {
		t.Errorf("ParseEvent([1]) error = %v, want ErrMalformedPayload", err)
	}
}

func TestEventKinds(t *testing.T) {
	t.Parallel()
	got := map[string]bool{}
	for name := range webhookCorpus {
		evs, _ := ParseEvents(readWebhookFile(t, name))
		for _, ev := range evs {
			got[ev.Kind()] = true
		}
	}
	for _, k := range []string{"message", "echo", "message_edit", "postback", "referral", "optin", "delivery", "read",
		"reaction", "pass_thread_control", "take_thread_control", "request_thread_control", "app_roles",
		"policy_enforcement", "account_linking", "messaging_feedback", "game_play", "response_feedback", "feed",
		"payment", "brand_new_kind", "mention"} {
		if !got[k] {
			t.Errorf("no corpus event of kind %q", k)
		}
	}
}
