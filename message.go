package messenger

import (
	"encoding/json"
	"strings"
)

// Message is the content of a send: exactly one of Text, Attachment or Attachments,
// plus optional quick replies and metadata (docs/platform.md, “Message object”). Build it with Text,
// MediaURL, SavedMedia, Images or TemplateMessage and the With… methods; its JSON
// encoding is the wire "message" object.
type Message struct {
	// Text is UTF-8 and shorter than 2000 characters.
	Text string
	// Attachment is a media file or a template.
	Attachment *Attachment
	// Attachments sends several images at once: images only, at most 30.
	Attachments []Attachment
	// QuickReplies are at most 13 buttons shown above the composer (docs/platform.md, “Quick replies”).
	QuickReplies []QuickReply
	// Metadata is echoed back in the message_echoes webhook; fewer than 1000
	// characters.
	Metadata string
}

// Limits of the message object (docs/platform.md, “Message object”, “Quick replies”, “Limits”).
const (
	// MaxTextLen bounds Message.Text: the text must be shorter than this many characters.
	MaxTextLen = 2000
	// MaxMetadataLen bounds Message.Metadata: shorter than this many characters.
	MaxMetadataLen = 1000
	// MaxQuickReplies is the most quick replies on one message.
	MaxQuickReplies = 13
	// MaxImages is the most images in one multi-image message.
	MaxImages = 30
)

// Text is a text message; s must be shorter than 2000 characters (docs/platform.md, “Message object”).
func Text(s string) *Message { return &Message{Text: s} }

// WithQuickReplies appends quick replies to m (at most 13, docs/platform.md, “Quick replies”) and
// returns m.
func (m *Message) WithQuickReplies(qr ...QuickReply) *Message {
	m.QuickReplies = append(m.QuickReplies, qr...)
	return m
}

// WithMetadata sets the metadata echoed back in message_echoes (fewer than 1000
// characters) and returns m.
func (m *Message) WithMetadata(s string) *Message {
	m.Metadata = s
	return m
}

// Reusable asks Graph to save the media attachment of m for reuse: the send response
// then carries its AttachmentID, valid for 90 days (docs/platform.md, “Attachments”). It returns m.
func (m *Message) Reusable() *Message {
	if m.Attachment != nil {
		m.Attachment.IsReusable = true
	}
	return m
}

// isTemplate reports whether m carries a template of the given template_type.
func (m *Message) isTemplate(templateType string) bool {
	return m.Attachment != nil && m.Attachment.Template != nil && m.Attachment.Template.TemplateType() == templateType
}

// messageWire is the wire "message" object.
type messageWire struct {
	Text         string           `json:"text,omitempty"`
	Attachment   *attachmentWire  `json:"attachment,omitempty"`
	Attachments  []attachmentWire `json:"attachments,omitempty"`
	QuickReplies []quickReplyWire `json:"quick_replies,omitempty"`
	Metadata     string           `json:"metadata,omitempty"`
}

func (m *Message) wire() *messageWire {
	if m == nil {
		return nil
	}
	w := new(messageWire)
	m.wireTo(w)
	return w
}

// wireTo writes the wire form of m into w.
func (m *Message) wireTo(w *messageWire) {
	*w = messageWire{Text: m.Text, Metadata: m.Metadata}
	if m.Attachment != nil {
		a := m.Attachment.wire()
		w.Attachment = &a
	}
	if len(m.Attachments) > 0 {
		w.Attachments = make([]attachmentWire, len(m.Attachments))
		for i := range m.Attachments {
			w.Attachments[i] = m.Attachments[i].wire()
		}
	}
	if len(m.QuickReplies) > 0 {
		w.QuickReplies = make([]quickReplyWire, len(m.QuickReplies))
		for i := range m.QuickReplies {
			w.QuickReplies[i] = m.QuickReplies[i].wire()
		}
	}
}

// MarshalJSON encodes m as the wire "message" object.
func (m Message) MarshalJSON() ([]byte, error) { return json.Marshal((&m).wire()) }

// Validate checks m alone against the platform's documented limits for a message
// (text length, one of text or attachment, quick replies, templates, buttons)
// without touching the network, as Send does before any call. Each violation is a
// *ValidationError naming the field path under "message", the limit and the value;
// all of them are joined in the result, which matches ErrInvalidRequest with
// errors.Is. Rules that depend on the rest of a request (recipient, messaging type,
// tag) are SendRequest.Validate's.
func (m *Message) Validate() error {
	var v validator
	if m == nil {
		v.fail("message", "", "required", "nil", "there is no message to check")
		return v.err()
	}
	m.validate(&v, "message")
	return v.err()
}

func (m *Message) validate(v *validator, path string) {
	var parts []string
	if m.Text != "" {
		parts = append(parts, "text")
	}
	if m.Attachment != nil {
		parts = append(parts, "attachment")
	}
	if len(m.Attachments) > 0 {
		parts = append(parts, "attachments")
	}
	switch len(parts) {
	case 0:
		v.fail(path, "", "exactly one of text, attachment, attachments", "none", "the message is empty")
	case 1:
	default:
		v.fail(path, "", "exactly one of text, attachment, attachments", strings.Join(parts, " and "),
			"text and attachments are mutually exclusive")
	}
	v.lessRunes(path, ".text", m.Text, MaxTextLen)
	v.lessRunes(path, ".metadata", m.Metadata, MaxMetadataLen)
	if m.Attachment != nil {
		m.Attachment.validate(v, path+".attachment")
	}
	if len(m.Attachments) > 0 {
		v.count(path, ".attachments", len(m.Attachments), 1, MaxImages, "images")
		for i := range m.Attachments {
			p := index(path+".attachments", i)
			if a := &m.Attachments[i]; a.Type != AttachmentImage {
				v.fail(p, ".type", "image", preview(string(a.Type)), "several attachments can only be images")
			} else {
				a.validate(v, p)
			}
		}
	}
	v.count(path, ".quick_replies", len(m.QuickReplies), 0, MaxQuickReplies, "quick replies")
	for i := range m.QuickReplies {
		m.QuickReplies[i].validate(v, index(path+".quick_replies", i))
	}
}
