package messenger

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/tags"
)

// wireCases pairs each kind of send with the wire JSON it must produce, kept in
// testdata/send/<name>.json. The files are the wire shapes of docs/platform.md (“Recipients”
// to “Templates”, “Private replies”, “One-time notifications”) with two systematic edits: a "messaging_type" is added where an older
// example omits it (current docs require it for PSID recipients, docs/platform.md, “Send API”), and
// "sharable": false, the platform default, is not sent.
func wireCases() []struct {
	name string
	req  SendRequest
} {
	return []struct {
		name string
		req  SendRequest
	}{
		{"text", SendRequest{To: PSID("1254459154682919"), Type: Response, Message: Text("Hello, world!")}},
		{"image_url_reusable", SendRequest{To: PSID("<PSID>"), Type: Response,
			Message: MediaURL(AttachmentImage, "https://example.com/a.jpg").Reusable()}},
		{"image_attachment_id", SendRequest{To: PSID("<PSID>"), Type: Response,
			Message: SavedMedia(AttachmentImage, "1857777774821032")}},
		{"images", SendRequest{To: PSID("<PSID>"), Type: Response, Message: &Message{Attachments: []Attachment{
			{Type: AttachmentImage, URL: "https://example.com/1.jpg"},
			{Type: AttachmentImage, URL: "https://example.com/2.jpg"},
			{Type: AttachmentImage, AttachmentID: "1857777774821032"},
		}}}},
		{"quick_replies", SendRequest{To: PSID("<PSID>"), Type: Response, Message: Text("Pick a color:").WithQuickReplies(
			TextReply("Red", "COLOR_RED").WithImage("http://example.com/img/red.png"), PhoneReply(), EmailReply())}},
		{"quick_reply_image_only", SendRequest{To: PSID("<PSID>"), Type: Response, Message: Text("Pick a color:").WithQuickReplies(
			TextReply("Red", "").WithImage("http://example.com/img/red.png"))}},
		{"sender_action", SendRequest{To: PSID("<PSID>"), Action: TypingOn}},
		{"sender_action_persona", SendRequest{To: PSID("<PSID>"), Action: TypingOn, PersonaID: "<PERSONA_ID>"}},
		{"generic", SendRequest{To: PSID("<PSID>"), Type: Response, Message: TemplateMessage(&GenericTemplate{
			ImageAspectRatio: AspectHorizontal,
			Elements: []GenericElement{{
				Title:         "Welcome!",
				Subtitle:      "We have the right hat for everyone.",
				ImageURL:      "https://example.com/hat.jpg",
				DefaultAction: &Button{Type: ButtonURL, URL: "https://example.com/", WebviewHeightRatio: WebviewTall},
				Buttons: []Button{
					URLButton("View Website", "https://example.com/"),
					PostbackButton("Start Chatting", "DEVELOPER_DEFINED_PAYLOAD"),
				},
			}},
		})}},
		{"generic_sharable_square", SendRequest{To: PSID("<PSID>"), Type: Response, Message: TemplateMessage(&GenericTemplate{
			Sharable: true, ImageAspectRatio: AspectSquare,
			Elements: []GenericElement{
				{Title: "Hat", ImageURL: "https://example.com/hat.jpg"},
				{Title: "Scarf", Subtitle: "Warm"},
			},
		})}},
		{"button_template", SendRequest{To: PSID("<PSID>"), Type: Response, Message: TemplateMessage(NewButtonTemplate(
			"What do you want to do next?",
			URLButton("Visit Messenger", "https://www.messenger.com"),
			PostbackButton("Talk to us", "TALK"),
			CallButton("Call Representative", "+15105551234"),
		))}},
		{"all_buttons", SendRequest{To: PSID("<PSID>"), Type: Response, Message: TemplateMessage(NewGenericTemplate(
			GenericElement{Title: "Web", Buttons: []Button{
				URLButton("Shop", "https://example.com/shop").WithWebview(WebviewCompact).
					WithExtensions("https://example.com/fallback").WithoutShareButton(),
				PostbackButton("More", "MORE"),
				CallButton("Call", "+16505551234"),
			}},
			GenericElement{Title: "Account", Buttons: []Button{
				AccountLinkButton("https://example.com/authorize"),
				AccountUnlinkButton(),
				GamePlayButton("Play", `{"level":1}`, &GameMetadata{PlayerID: "4321"}),
			}},
		))}},
		{"media", SendRequest{To: PSID("<PSID>"), Type: Response, Message: TemplateMessage(NewMediaTemplate(MediaElement{
			MediaType: MediaImage, AttachmentID: "<ID>",
			Buttons: []Button{URLButton("View Website", "https://example.com")},
		}))}},
		{"receipt", SendRequest{To: PSID("<PSID>"), Type: Response, Message: TemplateMessage(&ReceiptTemplate{
			RecipientName: "Stephane Crozatier", OrderNumber: "12345678902", Currency: "USD",
			PaymentMethod: "Visa 2345", OrderURL: "https://example.com/order?order_id=123",
			Timestamp: time.Unix(1428444852, 0),
			Address: &ReceiptAddress{Street1: "1 Hacker Way", City: "Menlo Park", PostalCode: "94025",
				State: "CA", Country: "US"},
			Summary: ReceiptSummary{Subtotal: 75, ShippingCost: 4.95, TotalTax: 6.19, TotalCost: 56.14},
			Adjustments: []ReceiptAdjustment{
				{Name: "New Customer Discount", Amount: 20}, {Name: "$10 Off Coupon", Amount: 10},
			},
			Elements: []ReceiptElement{
				{Title: "Classic White T-Shirt", Subtitle: "100% Soft and Luxurious Cotton", Quantity: 2, Price: 50,
					Currency: "USD", ImageURL: "https://example.com/whiteshirt.png"},
				{Title: "Classic Gray T-Shirt", Subtitle: "100% Soft and Luxurious Cotton", Quantity: 1, Price: 25,
					Currency: "USD", ImageURL: "https://example.com/grayshirt.png"},
			},
		})}},
		{"customer_feedback", SendRequest{To: PSID("<PSID>"), Type: Tagged(tags.CustomerFeedback), Message: TemplateMessage(feedbackTemplate())}},
		{"one_time_notif_req", SendRequest{To: PSID("<PSID>"), Type: Response,
			Message: TemplateMessage(NewOneTimeNotifRequest("Back in stock?", "<USER_DEFINED_PAYLOAD>"))}},
		{"one_time_notif_send", SendRequest{To: OneTimeToken("<ONE_TIME_TOKEN>"), Message: Text("<MESSAGE_CONTENT>")}},
		{"notification_messages", SendRequest{To: PSID("<PSID>"), Type: Response, Message: TemplateMessage(&RecurringNotifRequest{
			Title: "Daily deals", ImageURL: "https://example.com/deals.png", Payload: "<USER_DEFINED_PAYLOAD>",
			Frequency: FrequencyDaily, Reoptin: "ENABLED", Timezone: "America/New_York", CTAText: "GET_UPDATES",
		})}},
		{"recurring_send", SendRequest{To: RecurringToken("<TOKEN>"), Message: Text("Today's deal")}},
		{"product", SendRequest{To: PSID("<PSID>"), Type: Response,
			Message: TemplateMessage(NewProductTemplate("<PRODUCT_ID>", "<PRODUCT_ID_2>"))}},
		{"user_ref", SendRequest{To: UserRef("<USER_REF>"), Type: Response, Message: Text("hi")}},
		{"private_reply_comment", SendRequest{To: Comment("<COMMENT_ID>"), Message: Text("Thanks for your comment!")}},
		{"private_reply_post", SendRequest{To: Post("<PAGE_POST_ID>"), Message: TemplateMessage(
			NewButtonTemplate("Thanks for your post", PostbackButton("Talk to us", "TALK")))}},
		{"phone", SendRequest{To: Phone("+1(212)555-2368", &RecipientName{FirstName: "John", LastName: "Doe"}),
			Type: Update, Message: Text("Your order shipped")}},
		{"tagged_full", SendRequest{To: PSID("<PSID>"), Type: Tagged(tags.HumanAgent), Notification: NotifySilentPush,
			PersonaID: "<PERSONA_ID>", ReplyTo: "m_abc", Message: Text("An agent here").WithMetadata("ticket-42")}},
		{"utility", SendRequest{To: PSID("<PSID>"), Type: Utility, Message: TemplateMessage(
			RawTemplate(`{"template_type":"utility","name":"order_update","language":"en_US"}`))}},
	}
}

func feedbackTemplate() *CustomerFeedbackTemplate {
	return &CustomerFeedbackTemplate{
		Title:       "Rate your experience with Original Coast Clothing.",
		Subtitle:    "Let Original Coast Clothing know how they are doing by answering two questions",
		ButtonTitle: "Rate Experience",
		FeedbackScreens: []FeedbackScreen{{Questions: []FeedbackQuestion{{
			ID: "hauydmns8", Type: FeedbackCSAT,
			Title:      "How would you rate your experience with Original Coast Clothing?",
			ScoreLabel: ScoreNegPos, ScoreOption: ScoreFiveStars,
			FollowUp: &FeedbackFollowUp{Type: "free_form", Placeholder: "Give additional feedback"},
		}}}},
		BusinessPrivacy: BusinessPrivacy{URL: "https://www.example.com"},
		ExpiresInDays:   3,
	}
}

// decodeJSON decodes b into a generic value so that comparisons ignore key order
// and spacing.
func wireValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	return v
}

func TestSendWireJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range wireCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want, err := os.ReadFile(filepath.Join("testdata", "send", tc.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.req.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			// Both paths must agree: json.Marshal (MarshalJSON) and what Send hands to Do.
			got, err := json.Marshal(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wireValue(t, want), wireValue(t, got)); diff != "" {
				t.Errorf("MarshalJSON mismatch (-want +got):\n%s", diff)
			}
			got, err = json.Marshal(tc.req.wire())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wireValue(t, want), wireValue(t, got)); diff != "" {
				t.Errorf("wire mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMarshalValues checks that values, not only pointers, encode to wire JSON.
func TestMarshalValues(t *testing.T) {
	t.Parallel()
	m := *MediaURL(AttachmentVideo, "https://example.com/v.mp4")
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"message", m, `{"attachment":{"type":"video","payload":{"url":"https://example.com/v.mp4"}}}`},
		{"attachment", *m.Attachment, `{"type":"video","payload":{"url":"https://example.com/v.mp4"}}`},
		{"quick reply", TextReply("A", "a"), `{"content_type":"text","title":"A","payload":"a"}`},
		{"recipient", Phone("+1", nil), `{"phone_number":"+1"}`},
	}
	for _, tc := range tests {
		got, err := json.Marshal(tc.v)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wireValue(t, []byte(tc.want)), wireValue(t, got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}
