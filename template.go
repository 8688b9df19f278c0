package messenger

import (
	"encoding/json"
	"net/url"
	"strings"
)

// Template is the payload of a template attachment (docs/platform.md, “Templates”). The
// implementations are *GenericTemplate, *ButtonTemplate, *MediaTemplate,
// *ReceiptTemplate, *CustomerFeedbackTemplate, *OneTimeNotifRequest,
// *RecurringNotifRequest, *ProductTemplate and RawTemplate, the escape hatch for
// template types this package does not model.
type Template interface {
	// TemplateType is the wire template_type, e.g. "generic".
	TemplateType() string
	// templatePayload is the wire payload object, template_type included.
	templatePayload() any
	validateTemplate(v *validator, path string)
}

// TemplateMessage is a message whose attachment is the template t.
func TemplateMessage(t Template) *Message {
	return &Message{Attachment: &Attachment{Type: AttachmentTemplate, Template: t}}
}

// Limits of the templates (docs/platform.md, “Templates”, “Limits”).
const (
	MaxGenericElements     = 10  // elements of a generic template (a carousel)
	MaxElementTitle        = 80  // characters of a generic element's title
	MaxElementSubtitle     = 80  // characters of a generic element's subtitle
	MaxElementButtons      = 3   // buttons per generic element, media element or button template
	MaxButtonTemplateText  = 640 // characters of a button template's text
	MaxReceiptElements     = 100 // items of a receipt
	MaxProducts            = 10  // products of a product template
	MaxNotifRequestTitle   = 65  // characters of a one-time or recurring notification request's title
	MaxFeedbackTitle       = 65  // characters of a customer feedback template's title
	MaxFeedbackSubtitle    = 80  // characters of a customer feedback template's subtitle
	MaxFeedbackButtonTitle = 20  // characters of a customer feedback template's button
)

// AspectRatio is the image aspect ratio of a generic template.
type AspectRatio string

// The generic template image aspect ratios.
const (
	AspectHorizontal AspectRatio = "horizontal" // 1.91:1, the default
	AspectSquare     AspectRatio = "square"     // 1:1
)

// GenericTemplate is a carousel of up to 10 elements, each with a title, optional
// subtitle, image, default action and up to 3 buttons (docs/platform.md, “Templates”).
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/send-messages/template/generic
type GenericTemplate struct {
	// Sharable shows Messenger's native share button; false is the platform default
	// and is not sent.
	Sharable         bool             `json:"sharable,omitempty"`
	ImageAspectRatio AspectRatio      `json:"image_aspect_ratio,omitempty"`
	Elements         []GenericElement `json:"elements"`
}

// GenericElement is one card of a generic template. Besides Title it needs at least
// one of Subtitle, ImageURL, DefaultAction and Buttons.
type GenericElement struct {
	// Title is at most 80 characters.
	Title string `json:"title"`
	// Subtitle is at most 80 characters.
	Subtitle string `json:"subtitle,omitempty"`
	ImageURL string `json:"image_url,omitempty"`
	// DefaultAction opens a URL when the card is tapped: see DefaultAction.
	DefaultAction *Button `json:"default_action,omitempty"`
	// Buttons are at most 3.
	Buttons []Button `json:"buttons,omitempty"`
}

// NewGenericTemplate is a generic template of the given elements.
func NewGenericTemplate(elements ...GenericElement) *GenericTemplate {
	return &GenericTemplate{Elements: elements}
}

// TemplateType returns "generic".
func (*GenericTemplate) TemplateType() string { return "generic" }

type genericFields GenericTemplate // drops methods so encoding/json sees plain fields

func (t *GenericTemplate) templatePayload() any {
	return struct {
		TemplateType string `json:"template_type"`
		*genericFields
	}{"generic", (*genericFields)(t)}
}

// MarshalJSON encodes t as the wire template payload, template_type included.
func (t *GenericTemplate) MarshalJSON() ([]byte, error) { return json.Marshal(t.templatePayload()) }

func (t *GenericTemplate) validateTemplate(v *validator, path string) {
	if t.ImageAspectRatio != "" {
		v.oneOf(path, ".image_aspect_ratio", string(t.ImageAspectRatio), string(AspectHorizontal), string(AspectSquare))
	}
	v.count(path, ".elements", len(t.Elements), 1, MaxGenericElements, "elements")
	for i := range t.Elements {
		t.Elements[i].validate(v, index(path+".elements", i))
	}
}

func (e *GenericElement) validate(v *validator, path string) {
	v.required(path, ".title", e.Title, "an element needs a title")
	v.maxRunes(path, ".title", e.Title, MaxElementTitle)
	v.maxRunes(path, ".subtitle", e.Subtitle, MaxElementSubtitle)
	if e.Subtitle == "" && e.ImageURL == "" && e.DefaultAction == nil && len(e.Buttons) == 0 {
		v.fail(path, "", "a title plus one of subtitle, image_url, default_action, buttons", "title only",
			"an element needs a property besides its title")
	}
	if e.ImageURL != "" {
		v.webURL(path, ".image_url", e.ImageURL, false)
	}
	if e.DefaultAction != nil {
		e.DefaultAction.validateDefaultAction(v, path+".default_action")
	}
	validateButtons(v, path+".buttons", e.Buttons, 0, MaxElementButtons)
}

// ButtonTemplate is a text of at most 640 characters with 1 to 3 buttons
// (docs/platform.md, “Templates”).
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/send-messages/template/button
type ButtonTemplate struct {
	Text    string   `json:"text"`
	Buttons []Button `json:"buttons"`
}

// NewButtonTemplate is a button template.
func NewButtonTemplate(text string, buttons ...Button) *ButtonTemplate {
	return &ButtonTemplate{Text: text, Buttons: buttons}
}

// TemplateType returns "button".
func (*ButtonTemplate) TemplateType() string { return "button" }

type buttonFields ButtonTemplate

func (t *ButtonTemplate) templatePayload() any {
	return struct {
		TemplateType string `json:"template_type"`
		*buttonFields
	}{"button", (*buttonFields)(t)}
}

// MarshalJSON encodes t as the wire template payload, template_type included.
func (t *ButtonTemplate) MarshalJSON() ([]byte, error) { return json.Marshal(t.templatePayload()) }

func (t *ButtonTemplate) validateTemplate(v *validator, path string) {
	v.required(path, ".text", t.Text, "a button template needs a text")
	v.maxRunes(path, ".text", t.Text, MaxButtonTemplateText)
	validateButtons(v, path+".buttons", t.Buttons, 1, MaxElementButtons)
}

// MediaType is the kind of media of a media template element.
type MediaType string

// The media template media types (audio is not supported).
const (
	MediaImage MediaType = "image"
	MediaVideo MediaType = "video"
)

// MediaTemplate shows one image or video with up to 3 buttons (docs/platform.md,
// “Templates”). Elements must hold exactly one element.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/send-messages/template/media
type MediaTemplate struct {
	// Sharable shows Messenger's native share button; false is the default, not sent.
	Sharable bool           `json:"sharable,omitempty"`
	Elements []MediaElement `json:"elements"`
}

// MediaElement is the media of a media template: exactly one of AttachmentID and
// URL, where URL must be a Facebook photo or video URL (other media must be uploaded
// first).
type MediaElement struct {
	MediaType    MediaType `json:"media_type"`
	AttachmentID string    `json:"attachment_id,omitempty"`
	URL          string    `json:"url,omitempty"`
	Buttons      []Button  `json:"buttons,omitempty"`
}

// NewMediaTemplate is a media template of one element.
func NewMediaTemplate(e MediaElement) *MediaTemplate {
	return &MediaTemplate{Elements: []MediaElement{e}}
}

// TemplateType returns "media".
func (*MediaTemplate) TemplateType() string { return "media" }

type mediaFields MediaTemplate

func (t *MediaTemplate) templatePayload() any {
	return struct {
		TemplateType string `json:"template_type"`
		*mediaFields
	}{"media", (*mediaFields)(t)}
}

// MarshalJSON encodes t as the wire template payload, template_type included.
func (t *MediaTemplate) MarshalJSON() ([]byte, error) { return json.Marshal(t.templatePayload()) }

func (t *MediaTemplate) validateTemplate(v *validator, path string) {
	v.count(path, ".elements", len(t.Elements), 1, 1, "elements")
	for i := range t.Elements {
		e, p := &t.Elements[i], index(path+".elements", i)
		v.oneOf(p, ".media_type", string(e.MediaType), string(MediaImage), string(MediaVideo))
		switch {
		case e.AttachmentID != "" && e.URL != "":
			v.fail(p, "", "exactly one of attachment_id, url", "both", "media is given by saved id or by Facebook URL, not both")
		case e.AttachmentID == "" && e.URL == "":
			v.fail(p, "", "exactly one of attachment_id, url", "neither", "a media element needs an attachment id or a Facebook URL")
		case e.URL != "" && !isFacebookURL(e.URL):
			v.fail(p, ".url", "a Facebook photo or video URL", preview(e.URL),
				"external media must be uploaded first and sent by attachment_id")
		}
		validateButtons(v, p+".buttons", e.Buttons, 0, MaxElementButtons)
	}
}

// isFacebookURL reports whether s is an https or http URL on facebook.com or fb.com.
func isFacebookURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return false
	}
	h := strings.ToLower(u.Hostname())
	for _, d := range []string{"facebook.com", "fb.com"} {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

// ProductTemplate shows up to 10 products of the Page's catalog by product id
// (docs/platform.md, “Templates”); it needs Graph v8.0 or later.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/send-messages/template/product
type ProductTemplate struct {
	ProductIDs []string
}

// NewProductTemplate is a product template of the given product ids.
func NewProductTemplate(productIDs ...string) *ProductTemplate {
	return &ProductTemplate{ProductIDs: productIDs}
}

// TemplateType returns "product".
func (*ProductTemplate) TemplateType() string { return "product" }

type productElement struct {
	ID string `json:"id"`
}

func (t *ProductTemplate) templatePayload() any {
	els := make([]productElement, len(t.ProductIDs))
	for i, id := range t.ProductIDs {
		els[i].ID = id
	}
	return struct {
		TemplateType string           `json:"template_type"`
		Elements     []productElement `json:"elements"`
	}{"product", els}
}

// MarshalJSON encodes t as the wire template payload, template_type included.
func (t *ProductTemplate) MarshalJSON() ([]byte, error) { return json.Marshal(t.templatePayload()) }

func (t *ProductTemplate) validateTemplate(v *validator, path string) {
	v.count(path, ".elements", len(t.ProductIDs), 1, MaxProducts, "products")
	for i, id := range t.ProductIDs {
		v.required(index(path+".elements", i), ".id", id, "a product needs its id")
	}
}

// RawTemplate is a template payload given as raw JSON, template_type included, for
// template types this package does not model (coupon, utility, airline, …). Only
// its shape is checked locally: a JSON object with a template_type.
type RawTemplate json.RawMessage

// TemplateType returns the template_type of the raw payload, or "" if it has none.
func (t RawTemplate) TemplateType() string {
	var p struct {
		TemplateType string `json:"template_type"`
	}
	if json.Unmarshal(t, &p) != nil {
		return ""
	}
	return p.TemplateType
}

func (t RawTemplate) templatePayload() any { return json.RawMessage(t) }

// MarshalJSON returns the raw payload.
func (t RawTemplate) MarshalJSON() ([]byte, error) {
	if len(t) == 0 {
		return []byte("null"), nil
	}
	return t, nil
}

func (t RawTemplate) validateTemplate(v *validator, path string) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(t, &obj); err != nil || obj == nil {
		v.fail(path, "", "a JSON object", preview(string(t)), "a raw template must be a JSON object")
		return
	}
	if t.TemplateType() == "" {
		v.fail(path, ".template_type", "set", `""`, "a template needs its template_type")
	}
}
