package messenger

import "encoding/json"

// QuickReplyType is the content_type of a quick reply (docs/platform.md, “Quick replies”).
type QuickReplyType string

// The quick-reply content types. (location was removed by the platform.)
const (
	QuickReplyText  QuickReplyType = "text"
	QuickReplyPhone QuickReplyType = "user_phone_number"
	QuickReplyEmail QuickReplyType = "user_email"
)

// Limits of quick replies (docs/platform.md, “Quick replies”).
const (
	// MaxQuickReplyTitle is the most characters in a quick-reply title.
	MaxQuickReplyTitle = 20
	// MaxPayloadLen is the most characters in a quick-reply or postback payload.
	MaxPayloadLen = 1000
)

// QuickReply is one quick-reply button above the composer. A tap comes back as a
// message webhook whose quick_reply payload is Payload (docs/platform.md, “Quick replies”).
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/buttons/quick-replies
type QuickReply struct {
	ContentType QuickReplyType `json:"content_type"`
	// Title is required for text quick replies; at most 20 characters.
	Title string `json:"title,omitempty"`
	// Payload is required for text quick replies (it may be empty when ImageURL is
	// set); at most 1000 characters.
	Payload string `json:"payload,omitempty"`
	// ImageURL is an optional icon, at least 24×24 px.
	ImageURL string `json:"image_url,omitempty"`
}

// TextReply is a text quick reply with a title (≤ 20 characters) and a payload
// (≤ 1000 characters).
func TextReply(title, payload string) QuickReply {
	return QuickReply{ContentType: QuickReplyText, Title: title, Payload: payload}
}

// WithImage sets the icon of a quick reply and returns it.
func (q QuickReply) WithImage(imageURL string) QuickReply {
	q.ImageURL = imageURL
	return q
}

// PhoneReply asks for the person's phone number, prefilled from their profile.
func PhoneReply() QuickReply { return QuickReply{ContentType: QuickReplyPhone} }

// EmailReply asks for the person's email address, prefilled from their profile.
func EmailReply() QuickReply { return QuickReply{ContentType: QuickReplyEmail} }

// quickReplyWire sends "payload" even when empty for text quick replies, where the
// platform requires the field (an empty string is allowed with an image).
type quickReplyWire struct {
	ContentType QuickReplyType `json:"content_type"`
	Title       string         `json:"title,omitempty"`
	Payload     *string        `json:"payload,omitempty"`
	ImageURL    string         `json:"image_url,omitempty"`
}

func (q *QuickReply) wire() quickReplyWire {
	w := quickReplyWire{ContentType: q.ContentType, Title: q.Title, ImageURL: q.ImageURL}
	if q.Payload != "" || q.ContentType == QuickReplyText {
		w.Payload = &q.Payload
	}
	return w
}

// MarshalJSON encodes q as the wire quick-reply object.
func (q QuickReply) MarshalJSON() ([]byte, error) { return json.Marshal(q.wire()) }

func (q *QuickReply) validate(v *validator, path string) {
	if !v.oneOf(path, ".content_type", string(q.ContentType), string(QuickReplyText), string(QuickReplyPhone), string(QuickReplyEmail)) {
		return
	}
	if q.ContentType == QuickReplyText {
		v.required(path, ".title", q.Title, "a text quick reply needs a title")
		if q.Payload == "" && q.ImageURL == "" {
			v.fail(path, ".payload", "set unless image_url is set", `""`, "a text quick reply needs a payload")
		}
	}
	v.maxRunes(path, ".title", q.Title, MaxQuickReplyTitle)
	v.maxRunes(path, ".payload", q.Payload, MaxPayloadLen)
	if q.ImageURL != "" {
		v.webURL(path, ".image_url", q.ImageURL, false)
	}
}
