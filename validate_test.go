package messenger

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/tags"
)

// violations flattens err into its *ValidationErrors.
func violations(err error) []*ValidationError {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*ValidationError
		for _, e := range j.Unwrap() {
			out = append(out, violations(e)...)
		}
		return out
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return []*ValidationError{ve}
	}
	return nil
}

// fields lists the field paths of err's violations.
func violationFields(err error) []string {
	var out []string
	for _, v := range violations(err) {
		out = append(out, v.Field)
	}
	return out
}

// s returns a string of n characters, each two bytes in UTF-8, so that a byte
// count would overshoot every limit: the platform counts characters.
func runesOf(n int) string { return strings.Repeat("é", n) }

func textReq(body string) SendRequest {
	return SendRequest{To: PSID("1"), Type: Response, Message: Text(body)}
}

func tplReq(t Template) SendRequest {
	return SendRequest{To: PSID("1"), Type: Response, Message: TemplateMessage(t)}
}

func nQuickReplies(n int) []QuickReply {
	out := make([]QuickReply, n)
	for i := range out {
		out[i] = TextReply("t", "p")
	}
	return out
}

func nElements(n int) []GenericElement {
	out := make([]GenericElement, n)
	for i := range out {
		out[i] = GenericElement{Title: "t", Subtitle: "s"}
	}
	return out
}

func nPostbacks(n int) []Button {
	out := make([]Button, n)
	for i := range out {
		out[i] = PostbackButton("b", "p")
	}
	return out
}

func receiptWith(items int) *ReceiptTemplate {
	r := &ReceiptTemplate{RecipientName: "A", OrderNumber: "1", Currency: "USD", PaymentMethod: "Visa",
		Summary: ReceiptSummary{TotalCost: 1}}
	for range items {
		r.Elements = append(r.Elements, ReceiptElement{Title: "x", Price: 1})
	}
	return r
}

func feedbackWith(edit func(*CustomerFeedbackTemplate)) *CustomerFeedbackTemplate {
	f := feedbackTemplate()
	edit(f)
	return f
}

func nImages(n int) *Message {
	urls := make([]string, n)
	for i := range urls {
		urls[i] = "https://example.com/i.jpg"
	}
	return Images(urls...)
}

func mediaTpl(buttons int) *MediaTemplate {
	return NewMediaTemplate(MediaElement{MediaType: MediaVideo, URL: "https://www.facebook.com/page/videos/1", Buttons: nPostbacks(buttons)})
}

func msgReq(m *Message) SendRequest {
	return SendRequest{To: PSID("1"), Type: Response, Message: m}
}

// TestValidateLimits checks every limit of docs/platform.md, “Limits” (and the template rules
// of “Templates”) with one case just inside (want "") and one just outside (want the one
// field path that must be reported).
func TestValidateLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  SendRequest
		want string
	}{
		{"text 1999", textReq(runesOf(1999)), ""},
		{"text 2000", textReq(runesOf(2000)), "message.text"},
		{"metadata 999", msgReq(Text("a").WithMetadata(runesOf(999))), ""},
		{"metadata 1000", msgReq(Text("a").WithMetadata(runesOf(1000))), "message.metadata"},
		{"quick replies 13", msgReq(Text("a").WithQuickReplies(nQuickReplies(13)...)), ""},
		{"quick replies 14", msgReq(Text("a").WithQuickReplies(nQuickReplies(14)...)), "message.quick_replies"},
		{"quick reply title 20", msgReq(Text("a").WithQuickReplies(nQuickReplies(3)[0], TextReply(runesOf(20), "p"))), ""},
		{"quick reply title 21", msgReq(Text("a").WithQuickReplies(nQuickReplies(3)[0], TextReply(runesOf(21), "p"))), "message.quick_replies[1].title"},
		{"quick reply payload 1000", msgReq(Text("a").WithQuickReplies(TextReply("t", runesOf(1000)))), ""},
		{"quick reply payload 1001", msgReq(Text("a").WithQuickReplies(TextReply("t", runesOf(1001)))), "message.quick_replies[0].payload"},
		{"images 30", msgReq(nImages(30)), ""},
		{"images 31", msgReq(nImages(31)), "message.attachments"},
		{"generic elements 10", tplReq(NewGenericTemplate(nElements(10)...)), ""},
		{"generic elements 11", tplReq(NewGenericTemplate(nElements(11)...)), "message.attachment.payload.elements"},
		{"generic elements 0", tplReq(NewGenericTemplate()), "message.attachment.payload.elements"},
		{"element title 80", tplReq(NewGenericTemplate(GenericElement{Title: runesOf(80), Subtitle: "x"})), ""},
		{"element title 81", tplReq(NewGenericTemplate(GenericElement{Title: runesOf(81), Subtitle: "x"})), "message.attachment.payload.elements[0].title"},
		{"element subtitle 80", tplReq(NewGenericTemplate(GenericElement{Title: "t", Subtitle: runesOf(80)})), ""},
		{"element subtitle 81", tplReq(NewGenericTemplate(nElements(1)[0], GenericElement{Title: "t", Subtitle: runesOf(81)})), "message.attachment.payload.elements[1].subtitle"},
		{"element buttons 3", tplReq(NewGenericTemplate(GenericElement{Title: "t", Buttons: nPostbacks(3)})), ""},
		{"element buttons 4", tplReq(NewGenericTemplate(GenericElement{Title: "t", Buttons: nPostbacks(4)})), "message.attachment.payload.elements[0].buttons"},
		{"button title 20", tplReq(NewButtonTemplate("x", PostbackButton(runesOf(20), "p"))), ""},
		{"button title 21", tplReq(NewButtonTemplate("x", PostbackButton(runesOf(21), "p"))), "message.attachment.payload.buttons[0].title"},
		{"postback payload 1000", tplReq(NewButtonTemplate("x", PostbackButton("b", runesOf(1000)))), ""},
		{"postback payload 1001", tplReq(NewButtonTemplate("x", PostbackButton("b", runesOf(1001)))), "message.attachment.payload.buttons[0].payload"},
		{"button template text 640", tplReq(NewButtonTemplate(runesOf(640), nPostbacks(1)...)), ""},
		{"button template text 641", tplReq(NewButtonTemplate(runesOf(641), nPostbacks(1)...)), "message.attachment.payload.text"},
		{"button template buttons 1", tplReq(NewButtonTemplate("x", nPostbacks(1)...)), ""},
		{"button template buttons 0", tplReq(NewButtonTemplate("x")), "message.attachment.payload.buttons"},
		{"button template buttons 3", tplReq(NewButtonTemplate("x", nPostbacks(3)...)), ""},
		{"button template buttons 4", tplReq(NewButtonTemplate("x", nPostbacks(4)...)), "message.attachment.payload.buttons"},
		{"media elements 1", tplReq(mediaTpl(0)), ""},
		{"media elements 2", tplReq(&MediaTemplate{Elements: append(mediaTpl(0).Elements, mediaTpl(0).Elements...)}), "message.attachment.payload.elements"},
		{"media buttons 3", tplReq(mediaTpl(3)), ""},
		{"media buttons 4", tplReq(mediaTpl(4)), "message.attachment.payload.elements[0].buttons"},
		{"receipt elements 100", tplReq(receiptWith(100)), ""},
		{"receipt elements 101", tplReq(receiptWith(101)), "message.attachment.payload.elements"},
		{"products 10", tplReq(NewProductTemplate(strings.Split("1,2,3,4,5,6,7,8,9,10", ",")...)), ""},
		{"products 11", tplReq(NewProductTemplate(strings.Split("1,2,3,4,5,6,7,8,9,10,11", ",")...)), "message.attachment.payload.elements"},
		{"products 0", tplReq(NewProductTemplate()), "message.attachment.payload.elements"},
		{"otn title 65", tplReq(NewOneTimeNotifRequest(runesOf(65), "p")), ""},
		{"otn title 66", tplReq(NewOneTimeNotifRequest(runesOf(66), "p")), "message.attachment.payload.title"},
		{"recurring title 65", tplReq(&RecurringNotifRequest{Title: runesOf(65), Payload: "p"}), ""},
		{"recurring title 66", tplReq(&RecurringNotifRequest{Title: runesOf(66), Payload: "p"}), "message.attachment.payload.title"},
		{"feedback title 65", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.Title = runesOf(65) })), ""},
		{"feedback title 66", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.Title = runesOf(66) })), "message.attachment.payload.title"},
		{"feedback subtitle 80", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.Subtitle = runesOf(80) })), ""},
		{"feedback subtitle 81", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.Subtitle = runesOf(81) })), "message.attachment.payload.subtitle"},
		{"feedback button title 20", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.ButtonTitle = runesOf(20) })), ""},
		{"feedback button title 21", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.ButtonTitle = runesOf(21) })), "message.attachment.payload.button_title"},
		{"feedback url in title", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.Title = "see https://x.com" })), "message.attachment.payload.title"},
		{"feedback screens 2", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) {
			f.FeedbackScreens = append(f.FeedbackScreens, f.FeedbackScreens[0])
		})), "message.attachment.payload.feedback_screens"},
		{"feedback questions 2", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) {
			q := f.FeedbackScreens[0].Questions[0]
			f.FeedbackScreens[0].Questions = []FeedbackQuestion{q, q}
		})), "message.attachment.payload.feedback_screens[0].questions"},
		{"feedback question id 80", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.FeedbackScreens[0].Questions[0].ID = strings.Repeat("a", 80) })), ""},
		{"feedback question id 81", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.FeedbackScreens[0].Questions[0].ID = strings.Repeat("a", 81) })),
			"message.attachment.payload.feedback_screens[0].questions[0].id"},
		{"feedback question id charset", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.FeedbackScreens[0].Questions[0].ID = "a-b" })),
			"message.attachment.payload.feedback_screens[0].questions[0].id"},
		{"feedback question title 5", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.FeedbackScreens[0].Questions[0].Title = runesOf(5) })), ""},
		{"feedback question title 4", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.FeedbackScreens[0].Questions[0].Title = runesOf(4) })),
			"message.attachment.payload.feedback_screens[0].questions[0].title"},
		{"feedback question title 85", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.FeedbackScreens[0].Questions[0].Title = runesOf(85) })), ""},
		{"feedback question title 86", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.FeedbackScreens[0].Questions[0].Title = runesOf(86) })),
			"message.attachment.payload.feedback_screens[0].questions[0].title"},
		{"feedback placeholder 65", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) {
			f.FeedbackScreens[0].Questions[0].FollowUp.Placeholder = runesOf(65)
		})), ""},
		{"feedback placeholder 66", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) {
			f.FeedbackScreens[0].Questions[0].FollowUp.Placeholder = runesOf(66)
		})),
			"message.attachment.payload.feedback_screens[0].questions[0].follow_up.placeholder"},
		{"feedback score option for nps", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.FeedbackScreens[0].Questions[0].Type = FeedbackNPS })),
			"message.attachment.payload.feedback_screens[0].questions[0].score_option"},
		{"feedback nps zero_to_ten", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) {
			q := &f.FeedbackScreens[0].Questions[0]
			q.Type, q.ScoreOption = FeedbackNPS, ScoreZeroToTen
		})), ""},
		{"feedback expires 7", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.ExpiresInDays = 7 })), ""},
		{"feedback expires 8", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.ExpiresInDays = 8 })), "message.attachment.payload.expires_in_days"},
		{"feedback privacy url missing", tplReq(feedbackWith(func(f *CustomerFeedbackTemplate) { f.BusinessPrivacy.URL = "" })), "message.attachment.payload.business_privacy.url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkViolation(t, tc.req.Validate(), tc.want)
		})
	}
}

// checkViolation asserts that err is nil when want is "", and otherwise that it is
// exactly one *ValidationError at field want, with a limit and a value, matching
// ErrInvalidRequest.
func checkViolation(t *testing.T, err error, want string) {
	t.Helper()
	var wantFields []string
	if want != "" {
		wantFields = []string{want}
	}
	if diff := cmp.Diff(wantFields, violationFields(err)); diff != "" {
		t.Fatalf("violations (-want +got):\n%s\nerror: %v", diff, err)
	}
	if want == "" {
		return
	}
	if !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("errors.Is(%v, ErrInvalidRequest) = false", err)
	}
	ve := violations(err)[0]
	if ve.Limit == "" || ve.Value == "" || ve.Reason == "" {
		t.Errorf("violation lacks limit, value or reason: %+v", ve)
	}
	if len(ve.Value) > 120 {
		t.Errorf("value not shortened (%d bytes): %s", len(ve.Value), ve.Value)
	}
}

// TestValidateRules checks the structural rules of docs/platform.md, “Send API” to “Templates”: one field
// path per broken rule.
func TestValidateRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  SendRequest
		want string
	}{
		{"no recipient", SendRequest{Type: Response, Message: Text("a")}, "recipient"},
		{"two identifiers", SendRequest{To: Recipient{ID: "1", UserRef: "u"}, Type: Response, Message: Text("a")}, "recipient"},
		{"name without phone", SendRequest{To: Recipient{ID: "1", Name: &RecipientName{FirstName: "A"}}, Type: Response, Message: Text("a")}, "recipient.name"},
		{"message and action", SendRequest{To: PSID("1"), Message: Text("a"), Action: TypingOn}, "sender_action"},
		{"neither message nor action", SendRequest{To: PSID("1"), Type: Response}, "message"},
		{"text and attachment", msgReq(&Message{Text: "a", Attachment: &Attachment{Type: AttachmentImage, URL: "https://e.com/a.png"}}), "message"},
		{"attachment and attachments", msgReq(&Message{Attachment: &Attachment{Type: AttachmentImage, URL: "https://e.com/a.png"}, Attachments: nImages(2).Attachments}), "message"},
		{"empty message", msgReq(&Message{}), "message"},
		{"message tag without tag", SendRequest{To: PSID("1"), Type: MessagingType{Kind: "MESSAGE_TAG"}, Message: Text("a")}, "tag"},
		{"tag with response", SendRequest{To: PSID("1"), Type: MessagingType{Kind: "RESPONSE", Tag: tags.HumanAgent}, Message: Text("a")}, "tag"},
		{"tag without type", SendRequest{To: PSID("1"), Type: MessagingType{Tag: tags.HumanAgent}, Message: Text("a")}, "messaging_type"},
		{"unknown messaging type", SendRequest{To: PSID("1"), Type: MessagingType{Kind: "PROMO"}, Message: Text("a")}, "messaging_type"},
		{"missing messaging type to psid", SendRequest{To: PSID("1"), Message: Text("a")}, "messaging_type"},
		{"no messaging type for private reply", SendRequest{To: Comment("c"), Message: Text("a")}, ""},
		{"no messaging type for otn", SendRequest{To: OneTimeToken("t"), Message: Text("a")}, ""},
		{"messaging type with action", SendRequest{To: PSID("1"), Type: Response, Action: TypingOn}, "messaging_type"},
		{"unknown action", SendRequest{To: PSID("1"), Action: "wave"}, "sender_action"},
		{"persona with typing_off", SendRequest{To: PSID("1"), Action: TypingOff, PersonaID: "p"}, ""},
		{"persona with mark_seen", SendRequest{To: PSID("1"), Action: MarkSeen, PersonaID: "p"}, "persona_id"},
		{"persona with message", SendRequest{To: PSID("1"), Type: Response, Message: Text("a"), PersonaID: "p"}, ""},
		{"reply_to with action", SendRequest{To: PSID("1"), Action: MarkSeen, ReplyTo: "m"}, "reply_to"},
		{"notification with action", SendRequest{To: PSID("1"), Action: MarkSeen, Notification: NotifyNoPush}, "notification_type"},
		{"unknown notification", SendRequest{To: PSID("1"), Type: Response, Message: Text("a"), Notification: "LOUD"}, "notification_type"},
		{"customer feedback tag with text", SendRequest{To: PSID("1"), Type: Tagged(tags.CustomerFeedback), Message: Text("a")}, "tag"},
		{"attachment url and id", msgReq(&Message{Attachment: &Attachment{Type: AttachmentFile, URL: "https://e.com/a", AttachmentID: "1"}}), "message.attachment.payload"},
		{"attachment neither url nor id", msgReq(&Message{Attachment: &Attachment{Type: AttachmentFile}}), "message.attachment.payload"},
		{"attachment relative url", msgReq(MediaURL(AttachmentAudio, "/a.mp3")), "message.attachment.payload.url"},
		{"attachment unknown type", msgReq(MediaURL("sticker", "https://e.com/a")), "message.attachment.type"},
		{"reusable saved attachment", msgReq(SavedMedia(AttachmentVideo, "1").Reusable()), "message.attachment.payload.is_reusable"},
		{"template type without template", msgReq(&Message{Attachment: &Attachment{Type: AttachmentTemplate}}), "message.attachment.payload"},
		{"template with media type", msgReq(&Message{Attachment: &Attachment{Type: AttachmentImage, Template: NewButtonTemplate("x", nPostbacks(1)...)}}), "message.attachment.type"},
		{"non-image in attachments", msgReq(&Message{Attachments: []Attachment{{Type: AttachmentVideo, URL: "https://e.com/v.mp4"}}}), "message.attachments[0].type"},
		{"text quick reply without payload", msgReq(Text("a").WithQuickReplies(TextReply("t", ""))), "message.quick_replies[0].payload"},
		{"text quick reply without title", msgReq(Text("a").WithQuickReplies(TextReply("", "p"))), "message.quick_replies[0].title"},
		{"unknown quick reply type", msgReq(Text("a").WithQuickReplies(QuickReply{ContentType: "location"})), "message.quick_replies[0].content_type"},
		{"default action with title", tplReq(NewGenericTemplate(GenericElement{Title: "t", DefaultAction: &Button{Type: ButtonURL, Title: "x", URL: "https://e.com"}})),
			"message.attachment.payload.elements[0].default_action.title"},
		{"default action postback", tplReq(NewGenericTemplate(GenericElement{Title: "t", DefaultAction: &Button{Type: ButtonPostback, Payload: "p"}})),
			"message.attachment.payload.elements[0].default_action.type"},
		{"element with title only", tplReq(NewGenericTemplate(GenericElement{Title: "t"})), "message.attachment.payload.elements[0]"},
		{"unknown aspect ratio", tplReq(&GenericTemplate{ImageAspectRatio: "tall", Elements: nElements(1)}), "message.attachment.payload.image_aspect_ratio"},
		{"account link over http", tplReq(NewButtonTemplate("x", AccountLinkButton("http://e.com/auth"))), "message.attachment.payload.buttons[0].url"},
		{"call button without plus", tplReq(NewButtonTemplate("x", CallButton("Call", "650 555"))), "message.attachment.payload.buttons[0].payload"},
		{"url button without url", tplReq(NewButtonTemplate("x", URLButton("Go", ""))), "message.attachment.payload.buttons[0].url"},
		{"unknown webview height", tplReq(NewButtonTemplate("x", URLButton("Go", "https://e.com").WithWebview("huge"))), "message.attachment.payload.buttons[0].webview_height_ratio"},
		{"fallback without extensions", tplReq(NewButtonTemplate("x", Button{Type: ButtonURL, Title: "Go", URL: "https://e.com", FallbackURL: "https://e.com/f"})),
			"message.attachment.payload.buttons[0].fallback_url"},
		{"unknown button type", tplReq(NewButtonTemplate("x", Button{Type: "element_share"})), "message.attachment.payload.buttons[0].type"},
		{"game metadata both ids", tplReq(NewButtonTemplate("x", GamePlayButton("Play", "", &GameMetadata{PlayerID: "1", ContextID: "2"}))),
			"message.attachment.payload.buttons[0].game_metadata"},
		{"media external url", tplReq(NewMediaTemplate(MediaElement{MediaType: MediaImage, URL: "https://example.com/a.jpg"})), "message.attachment.payload.elements[0].url"},
		{"media audio", tplReq(NewMediaTemplate(MediaElement{MediaType: "audio", AttachmentID: "1"})), "message.attachment.payload.elements[0].media_type"},
		{"media url and id", tplReq(NewMediaTemplate(MediaElement{MediaType: MediaImage, AttachmentID: "1", URL: "https://www.facebook.com/photo.php?fbid=1"})),
			"message.attachment.payload.elements[0]"},
		{"receipt missing currency", tplReq(func() Template { r := receiptWith(1); r.Currency = ""; return r }()), "message.attachment.payload.currency"},
		{"receipt bad currency", tplReq(func() Template { r := receiptWith(1); r.Currency = "usd"; return r }()), "message.attachment.payload.currency"},
		{"receipt bad country", tplReq(func() Template {
			r := receiptWith(1)
			r.Address = &ReceiptAddress{Street1: "s", City: "c", PostalCode: "p", State: "s", Country: "USA"}
			return r
		}()), "message.attachment.payload.address.country"},
		{"raw template not object", tplReq(RawTemplate(`[1]`)), "message.attachment.payload"},
		{"raw template without type", tplReq(RawTemplate(`{"a":1}`)), "message.attachment.payload.template_type"},
		{"recurring bad frequency", tplReq(&RecurringNotifRequest{Title: "t", Frequency: "HOURLY"}), "message.attachment.payload.notification_messages_frequency"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkViolation(t, tc.req.Validate(), tc.want)
		})
	}
}

func TestValidateReportsEveryViolation(t *testing.T) {
	t.Parallel()
	req := SendRequest{Message: Text(runesOf(2000)).WithQuickReplies(TextReply(runesOf(21), "p"))}
	got := violationFields(req.Validate())
	want := []string{"recipient", "message.text", "message.quick_replies[0].title"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
}

func TestValidationErrorNamesFieldLimitValue(t *testing.T) {
	t.Parallel()
	err := textReq(strings.Repeat("x", 2500)).Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("not a *ValidationError: %v", err)
	}
	want := &ValidationError{
		Field:  "message.text",
		Limit:  "fewer than 2000 characters",
		Value:  `"` + strings.Repeat("x", previewRunes) + `"… (2500 characters)`,
		Reason: "too long",
	}
	if diff := cmp.Diff(want, ve); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestMessageValidate checks a message on its own, with no request around it: the
// same field paths as a send's, and nothing about recipient or messaging type.
func TestMessageValidate(t *testing.T) {
	t.Parallel()
	two := []QuickReply{TextReply("a", "A"), TextReply("b", "B")}
	tests := []struct {
		name string
		m    *Message
		want string // the one violated field; "" for none
	}{
		{"text", Text("hello"), ""},
		{"text with quick replies", Text("pick").WithQuickReplies(two...), ""},
		{"nil", nil, "message"},
		{"empty", &Message{}, "message"},
		{"text too long", Text(strings.Repeat("x", 2000)), "message.text"},
		{"quick reply title too long", Text("pick").WithQuickReplies(TextReply(strings.Repeat("t", 21), "P")), "message.quick_replies[0].title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkViolation(t, tt.m.Validate(), tt.want)
		})
	}
}
