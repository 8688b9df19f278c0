package messenger

import (
	"encoding/json"
	"slices"
)

// MessageEvent is a message a person sent to the Page (webhook field "messages",
// docs/platform.md, “Webhook events”): text, attachments, a quick-reply tap, a reply to an earlier
// message. It opens the standard 24-hour messaging window (docs/platform.md, “The 24-hour window”).
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/webhook-events
type MessageEvent struct {
	EventInfo
	// Message is what the person sent.
	Message ReceivedMessage
}

// EchoEvent is a message the Page sent, echoed back (field "message_echoes",
// docs/platform.md, “Webhook events”): Sender is the Page and Recipient the person. Message.AppID tells
// which app sent it; Message.Metadata is what the sender attached.
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/message-echoes
type EchoEvent struct {
	EventInfo
	// Message is what the Page sent, with IsEcho set.
	Message ReceivedMessage
}

// MessageEditEvent reports that a person edited a message they sent earlier (field
// "message_edits").
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/webhook-events
type MessageEditEvent struct {
	EventInfo
	// MID is the id of the edited message.
	MID string
	// Text is the new text.
	Text string
	// NumEdit counts the edits of this message so far.
	NumEdit int64
}

// ReceivedMessage is the body of a received or echoed message.
type ReceivedMessage struct {
	// MID is the message id, unique across the platform; it is the dedupe key.
	MID string `json:"mid,omitempty"`
	// Text is the message text, if any (up to 2000 characters when sent by a Page).
	Text string `json:"text,omitempty"`
	// QuickReply is set when the person tapped a quick reply.
	QuickReply *QuickReplyPayload `json:"quick_reply,omitempty"`
	// ReplyTo is set when the person quoted an earlier message.
	ReplyTo *RepliedTo `json:"reply_to,omitempty"`
	// Attachments are the media, files, locations, shares and templates of the message.
	Attachments []ReceivedAttachment `json:"attachments,omitempty"`
	// Referral is set on the first message after a Click-to-Messenger ad or a
	// product referral.
	Referral *Referral `json:"referral,omitempty"`
	// NLP is the built-in NLP result (entities, intents, traits, detected_locales) as
	// received, when built-in NLP is on for the Page.
	NLP json.RawMessage `json:"nlp,omitempty"`
	// StickerID is set for stickers in older payloads (a number on the wire).
	StickerID string `json:"sticker_id,omitempty"`
	// Tags.Source tells where a message was sent from (for example the chat plugin).
	Tags *ReceivedMessageTags `json:"tags,omitempty"`
	// IsDeleted marks a message the person deleted.
	IsDeleted bool `json:"is_deleted,omitempty"`

	// IsEcho, AppID and Metadata are set on echoes only. AppID is the sending app (a
	// number on the wire); Metadata is the string the sender passed.
	IsEcho bool `json:"is_echo,omitempty"`
	// AppID is the app that sent an echoed message (a number on the wire).
	AppID string `json:"app_id,omitempty"`
	// Metadata is the string the sending app attached to an echoed message.
	Metadata string `json:"metadata,omitempty"`
}

// QuickReplyPayload is the developer-defined payload of a tapped quick reply.
type QuickReplyPayload struct {
	// Payload is the payload given to the quick reply when it was sent.
	Payload string `json:"payload"`
}

// RepliedTo names the message a received message replies to.
type RepliedTo struct {
	// MID is the id of the quoted message.
	MID string `json:"mid"`
	// IsSelfReply is true when the person replied to their own message.
	IsSelfReply bool `json:"is_self_reply"`
}

// ReceivedMessageTags is the "tags" object of a received message.
type ReceivedMessageTags struct {
	// Source is where the message comes from, such as "customer_chat_plugin".
	Source string `json:"source,omitempty"`
}

// ReceivedAttachment is one attachment of a received or echoed message.
type ReceivedAttachment struct {
	// Type is "image", "video", "audio", "file", "location", "fallback", "template",
	// "reel", "ig_reel", "post", … as Meta sends it.
	Type string `json:"type"`
	// Payload is nil when the attachment has none (some fallback attachments).
	Payload *ReceivedAttachmentPayload `json:"payload,omitempty"`
	// Title is the title of a fallback attachment (a shared link).
	Title string `json:"title,omitempty"`
	// URL is the link of a fallback attachment; Meta spells the key "URL".
	URL string `json:"URL,omitempty"`
}

// ReceivedAttachmentPayload is an attachment's payload. Media carry URL; stickers
// StickerID; locations Coordinates; templates and products carry their own keys,
// which are kept in Extra.
type ReceivedAttachmentPayload struct {
	// URL is where to download the media; such URLs expire, so save the file if you need it.
	URL string `json:"url,omitempty"`
	// Title is the title of reels and shared posts.
	Title string `json:"title,omitempty"`
	// StickerID identifies a sticker (a number on the wire).
	StickerID string `json:"sticker_id,omitempty"`
	// Coordinates is the place of a location attachment.
	Coordinates *Coordinates `json:"coordinates,omitempty"`
	// Extra holds every other key of the payload as received ("template_type",
	// "elements", "buttons", "product", …); MarshalJSON writes them back.
	Extra map[string]json.RawMessage `json:"-"`
}

// Coordinates is a shared location.
type Coordinates struct {
	// Lat is the latitude in degrees.
	Lat float64 `json:"lat"`
	// Long is the longitude in degrees.
	Long float64 `json:"long"`
}

// Kind returns "message".
func (*MessageEvent) Kind() string { return "message" }

// Kind returns "echo".
func (*EchoEvent) Kind() string { return "echo" }

// Kind returns "message_edit".
func (*MessageEditEvent) Kind() string { return "message_edit" }

// MarshalJSON returns the messaging item (see [Event]).
func (e *MessageEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	return marshalItem(&e.EventInfo, "message", e.Message)
}

// MarshalJSON returns the messaging item (see [Event]); is_echo is always true.
func (e *EchoEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	m := e.Message
	m.IsEcho = true
	return marshalItem(&e.EventInfo, "message", m)
}

// MarshalJSON returns the messaging item (see [Event]).
func (e *MessageEditEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	return marshalItem(&e.EventInfo, "message_edit", struct {
		MID     string `json:"mid,omitempty"`
		Text    string `json:"text,omitempty"`
		NumEdit int64  `json:"num_edit,omitempty"`
	}{e.MID, e.Text, e.NumEdit})
}

// UnmarshalJSON decodes one messaging item holding a message.
func (e *MessageEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// UnmarshalJSON decodes one messaging item holding an echo.
func (e *EchoEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// UnmarshalJSON decodes one messaging item holding a message_edit.
func (e *MessageEditEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// MarshalJSON writes the message as Meta does: app_id and sticker_id as numbers.
func (m ReceivedMessage) MarshalJSON() ([]byte, error) {
	type plain ReceivedMessage
	return json.Marshal(struct {
		plain
		StickerID numericID `json:"sticker_id,omitempty"`
		AppID     numericID `json:"app_id,omitempty"`
	}{plain(m), numericID(m.StickerID), numericID(m.AppID)})
}

// MarshalJSON writes the typed fields and then the keys of Extra.
func (p ReceivedAttachmentPayload) MarshalJSON() ([]byte, error) {
	type plain ReceivedAttachmentPayload
	b, err := json.Marshal(struct {
		plain
		StickerID numericID `json:"sticker_id,omitempty"`
	}{plain(p), numericID(p.StickerID)})
	if err != nil || len(p.Extra) == 0 {
		return b, err
	}
	keys := make([]string, 0, len(p.Extra))
	for k := range p.Extra {
		switch k {
		case "url", "title", "sticker_id", "coordinates":
			continue // the typed field wins
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = b[:len(b)-1] // drop '}'
	for _, k := range keys {
		if len(b) > 1 {
			b = append(b, ',')
		}
		kj, _ := json.Marshal(k)
		b = append(append(b, kj...), ':')
		v := p.Extra[k]
		if len(v) == 0 {
			v = json.RawMessage("null")
		}
		var buf []byte
		if buf, err = json.Marshal(v); err != nil {
			return nil, err
		}
		b = append(b, buf...)
	}
	return append(b, '}'), nil
}

// numericID is an id Meta writes as a JSON number; it marshals as a number when it is
// all digits and as a string otherwise.
type numericID string

// MarshalJSON writes n as a number when it is all digits.
func (n numericID) MarshalJSON() ([]byte, error) {
	if isDigits(string(n)) {
		return []byte(n), nil
	}
	return json.Marshal(string(n))
}

func isDigits(s string) bool {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (r *jsonReader) message() ReceivedMessage {
	var m ReceivedMessage
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "mid":
			m.MID = r.Str()
		case "text":
			m.Text = r.Str()
		case "quick_reply":
			if r.Peek() != '{' {
				r.Skip()
				continue
			}
			q := &QuickReplyPayload{}
			for ok := r.Enter('{'); ok; ok = r.Next('}') {
				if r.Key() == "payload" {
					q.Payload = r.Str()
				} else {
					r.Skip()
				}
			}
			m.QuickReply = q
		case "reply_to":
			if r.Peek() != '{' {
				r.Skip()
				continue
			}
			rt := &RepliedTo{}
			for ok := r.Enter('{'); ok; ok = r.Next('}') {
				switch r.Key() {
				case "mid":
					rt.MID = r.Str()
				case "is_self_reply":
					rt.IsSelfReply = r.Bool()
				default:
					r.Skip()
				}
			}
			m.ReplyTo = rt
		case "attachments":
			m.Attachments = r.attachments()
		case "referral":
			m.Referral = r.referralPtr()
		case "nlp":
			if raw := r.Raw(); raw != "null" {
				m.NLP = json.RawMessage(raw)
			}
		case "sticker_id":
			m.StickerID = r.Str()
		case "tags":
			if r.Peek() != '{' {
				r.Skip()
				continue
			}
			t := &ReceivedMessageTags{}
			for ok := r.Enter('{'); ok; ok = r.Next('}') {
				if r.Key() == "source" {
					t.Source = r.Str()
				} else {
					r.Skip()
				}
			}
			m.Tags = t
		case "is_deleted":
			m.IsDeleted = r.Bool()
		case "is_echo":
			m.IsEcho = r.Bool()
		case "app_id":
			m.AppID = r.Str()
		case "metadata":
			m.Metadata = r.Str()
		default:
			r.Skip()
		}
	}
	return m
}

func (r *jsonReader) attachments() []ReceivedAttachment {
	var out []ReceivedAttachment
	for ok := r.Enter('['); ok; ok = r.Next(']') {
		var a ReceivedAttachment
		for ok := r.Enter('{'); ok; ok = r.Next('}') {
			switch r.Key() {
			case "type":
				a.Type = r.Str()
			case "payload":
				if r.Peek() == '{' {
					a.Payload = r.attachmentPayload()
				} else {
					r.Skip()
				}
			case "title":
				a.Title = r.Str()
			case "URL":
				a.URL = r.Str()
			default:
				r.Skip()
			}
		}
		out = append(out, a)
	}
	return out
}

func (r *jsonReader) attachmentPayload() *ReceivedAttachmentPayload {
	p := &ReceivedAttachmentPayload{}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch k := r.Key(); k {
		case "url":
			p.URL = r.Str()
		case "title":
			p.Title = r.Str()
		case "sticker_id":
			p.StickerID = r.Str()
		case "coordinates":
			if r.Peek() != '{' {
				r.Skip()
				continue
			}
			c := &Coordinates{}
			for ok := r.Enter('{'); ok; ok = r.Next('}') {
				switch r.Key() {
				case "lat":
					c.Lat = r.Float()
				case "long":
					c.Long = r.Float()
				default:
					r.Skip()
				}
			}
			p.Coordinates = c
		default:
			raw := r.Raw()
			if r.Err() != nil {
				return p
			}
			if p.Extra == nil {
				p.Extra = make(map[string]json.RawMessage)
			}
			p.Extra[k] = json.RawMessage(raw)
		}
	}
	return p
}

func (r *jsonReader) messageEdit() *MessageEditEvent {
	e := &MessageEditEvent{}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "mid":
			e.MID = r.Str()
		case "text":
			e.Text = r.Str()
		case "num_edit":
			e.NumEdit = r.Int()
		default:
			r.Skip()
		}
	}
	return e
}
