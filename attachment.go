package messenger

import (
	"encoding/json"
)

// AttachmentType is the type of a message attachment (docs/platform.md, “Message object”).
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/send-messages/saving-assets
type AttachmentType string

// The attachment types.
const (
	AttachmentImage    AttachmentType = "image"
	AttachmentAudio    AttachmentType = "audio"
	AttachmentVideo    AttachmentType = "video"
	AttachmentFile     AttachmentType = "file"
	AttachmentTemplate AttachmentType = "template"
)

// Attachment is a media file (by URL or by saved attachment id) or a template.
// For media, set exactly one of URL and AttachmentID; for Type AttachmentTemplate
// set Template. Its JSON encoding is the wire {"type", "payload"} object.
type Attachment struct {
	Type AttachmentType
	// URL is fetched by Meta: images up to 8 MB, other types up to 25 MB; video
	// fetches time out after 75 s, others after 10 s (docs/platform.md, “Attachments”).
	URL string
	// AttachmentID reuses an asset this Page saved (it expires after 90 days).
	AttachmentID string
	// IsReusable asks Graph to save the asset sent by URL and return its id.
	IsReusable bool
	// Template is the payload of a template attachment.
	Template Template
}

// MediaURL is a message with one media attachment fetched by Meta from url
// (docs/platform.md, “Attachments”). t is AttachmentImage, AttachmentAudio, AttachmentVideo or
// AttachmentFile. Chain Reusable to get an attachment id back.
func MediaURL(t AttachmentType, url string) *Message {
	return &Message{Attachment: &Attachment{Type: t, URL: url}}
}

// SavedMedia is a message with a media attachment saved earlier by this Page
// (Upload or a reusable send), identified by its attachment id (docs/platform.md, “Attachments”).
func SavedMedia(t AttachmentType, attachmentID string) *Message {
	return &Message{Attachment: &Attachment{Type: t, AttachmentID: attachmentID}}
}

// Images is a message with several images at once, fetched from urls: at most 30
// (docs/platform.md, “Message object”). To mix saved images, fill Message.Attachments directly.
func Images(urls ...string) *Message {
	m := &Message{Attachments: make([]Attachment, len(urls))}
	for i, u := range urls {
		m.Attachments[i] = Attachment{Type: AttachmentImage, URL: u}
	}
	return m
}

// attachmentWire is the wire {"type","payload"} object; payload is a *mediaPayload
// or a template's wire struct.
type attachmentWire struct {
	Type    AttachmentType `json:"type"`
	Payload any            `json:"payload"`
}

type mediaPayload struct {
	URL          string `json:"url,omitempty"`
	AttachmentID string `json:"attachment_id,omitempty"`
	IsReusable   bool   `json:"is_reusable,omitempty"`
}

func (a *Attachment) wire() attachmentWire {
	if a.Template != nil {
		return attachmentWire{Type: a.Type, Payload: a.Template.templatePayload()}
	}
	return attachmentWire{Type: a.Type, Payload: &mediaPayload{URL: a.URL, AttachmentID: a.AttachmentID, IsReusable: a.IsReusable}}
}

// MarshalJSON encodes a as the wire attachment object.
func (a Attachment) MarshalJSON() ([]byte, error) { return json.Marshal((&a).wire()) }

func (a *Attachment) validate(v *validator, path string) {
	if !v.oneOf(path, ".type", string(a.Type), string(AttachmentImage), string(AttachmentAudio),
		string(AttachmentVideo), string(AttachmentFile), string(AttachmentTemplate)) {
		return
	}
	if a.Type == AttachmentTemplate {
		if a.Template == nil {
			v.fail(path, ".payload", "a template", "none", "a template attachment needs a template")
			return
		}
		if a.URL != "" || a.AttachmentID != "" || a.IsReusable {
			v.fail(path, ".payload", "template fields only", "url or attachment_id",
				"a template attachment carries no media")
		}
		a.Template.validateTemplate(v, path+".payload")
		return
	}
	if a.Template != nil {
		v.fail(path, ".type", "template", string(a.Type), "a template needs the attachment type template")
		return
	}
	switch {
	case a.URL != "" && a.AttachmentID != "":
		v.fail(path, ".payload", "exactly one of url, attachment_id", "both", "media is sent by URL or by saved id, not both")
	case a.URL == "" && a.AttachmentID == "":
		v.fail(path, ".payload", "exactly one of url, attachment_id", "neither", "media needs a URL or a saved attachment id")
	case a.URL != "":
		v.webURL(path, ".payload.url", a.URL, false)
	case a.IsReusable:
		v.fail(path, ".payload.is_reusable", "only with url", "true", "a saved attachment is already reusable")
	}
}
