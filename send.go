package messenger

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gomessenger/messenger/tags"
)

// SendRequest is one call to the Send API (docs/platform.md, “Send API”): a message or a sender
// action for one recipient. Build it with the constructors (PSID, Text, Tagged, …);
// (*Client).Send validates it locally, then posts its wire JSON to /{page}/messages.
// Its JSON encoding is that wire body.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/send-api/
type SendRequest struct {
	// To is the recipient; exactly one identifier (docs/platform.md, “Recipients”).
	To Recipient
	// Type is the messaging type: Response, Update, Utility or Tagged(tag). Required
	// for messages to a PSID, user_ref or phone number; optional for private replies
	// and notification tokens; must be empty with a sender action (docs/platform.md, “Send API”).
	Type MessagingType
	// Message is the content; mutually exclusive with Action.
	Message *Message
	// Action is a sender action (typing, mark seen); mutually exclusive with Message.
	Action SenderAction
	// Notification sets how the person is notified; empty means REGULAR.
	Notification NotificationType
	// PersonaID sends as a persona (docs/platform.md, “Personas”); with a sender action only for
	// typing_on and typing_off.
	PersonaID string
	// ReplyTo is the message id (mid) to quote; the Page must have received a message
	// from the person within 24 hours (docs/platform.md, “Send API”).
	ReplyTo string
	// Promotional marks promotional content. It is not sent; the policy guard uses
	// it, because no message tag may carry promotional content (docs/platform.md, “The 24-hour window”).
	Promotional bool
}

// SendResponse is Graph's answer to a send. RecipientID is empty when the recipient
// was a user_ref or phone number; MessageID is empty for sender actions; AttachmentID
// is set when a media attachment was sent with IsReusable (docs/platform.md, “Send responses”, “Attachments”).
type SendResponse struct {
	RecipientID  string `json:"recipient_id,omitempty"`
	MessageID    string `json:"message_id,omitempty"`
	AttachmentID string `json:"attachment_id,omitempty"`
	// Usage is what the usage headers of this response said (X-App-Usage,
	// X-Page-Usage, X-Business-Use-Case-Usage): the budgets of the Page this
	// client sends as, reported per call so that clients of several Pages
	// (ForPage) each see their own. Empty when Graph sent none.
	Usage Usage `json:"-"`
}

func (r *SendResponse) setUsage(u Usage) { r.Usage = u }

// decodeGraph reads Graph's send answer without reflection: one allocation for
// all three ids, which are substrings of one copy of the body.
func (r *SendResponse) decodeGraph(body []byte) error {
	rd := newJSONReader(string(body))
	for ok := rd.Enter('{'); ok; ok = rd.Next('}') {
		switch rd.Key() {
		case "recipient_id":
			r.RecipientID = rd.Str()
		case "message_id":
			r.MessageID = rd.Str()
		case "attachment_id":
			r.AttachmentID = rd.Str()
		default:
			rd.Skip()
		}
	}
	rd.End()
	return rd.Err()
}

// MessagingType is the messaging_type of a send, plus the tag when it is
// MESSAGE_TAG (docs/platform.md, “Messaging types”, “Message tags”). Use the values Response, Update, Utility or
// Tagged(tag); the zero value sends no messaging_type.
type MessagingType struct {
	// Kind is the wire value: "RESPONSE", "UPDATE", "MESSAGE_TAG" or "UTILITY".
	Kind string
	// Tag is set exactly when Kind is "MESSAGE_TAG".
	Tag tags.Tag
}

// The messaging types (docs/platform.md, “Messaging types”).
var (
	// Response replies to a message the person sent, inside the 24-hour window.
	Response = MessagingType{Kind: kindResponse}
	// Update is a proactive message inside the 24-hour window.
	Update = MessagingType{Kind: kindUpdate}
	// Utility sends a utility template.
	Utility = MessagingType{Kind: kindUtility}
)

const (
	kindResponse   = "RESPONSE"
	kindUpdate     = "UPDATE"
	kindMessageTag = "MESSAGE_TAG"
	kindUtility    = "UTILITY"
)

// Tagged is the MESSAGE_TAG messaging type with tag t, for non-promotional messages
// outside the 24-hour window (docs/platform.md, “Message tags”). Whether t is allowed at a given time
// is the policy package's question.
func Tagged(t tags.Tag) MessagingType { return MessagingType{Kind: kindMessageTag, Tag: t} }

// IsZero reports whether no messaging type is set.
func (t MessagingType) IsZero() bool { return t.Kind == "" && t.Tag == "" }

func (t MessagingType) validate(v *validator, r *SendRequest) {
	if t.IsZero() {
		if r.Message != nil && r.Action == "" && r.To.isPersonAddress() {
			v.fail("messaging_type", "", "one of RESPONSE, UPDATE, MESSAGE_TAG, UTILITY", `""`,
				"a message to a PSID, user_ref or phone number needs a messaging type")
		}
		return
	}
	if r.Action != "" {
		v.fail("messaging_type", "", "absent with sender_action", preview(t.Kind),
			"a sender action is sent with only recipient and persona_id")
		return
	}
	if !v.oneOf("messaging_type", "", t.Kind, kindResponse, kindUpdate, kindMessageTag, kindUtility) {
		return
	}
	switch {
	case t.Kind == kindMessageTag && t.Tag == "":
		v.fail("tag", "", "set with messaging_type MESSAGE_TAG", `""`, "MESSAGE_TAG needs a tag")
	case t.Kind != kindMessageTag && t.Tag != "":
		v.fail("tag", "", "only with messaging_type MESSAGE_TAG", preview(string(t.Tag)),
			"a tag is sent only with MESSAGE_TAG, not "+t.Kind)
	}
}

// NotificationType says how the person's device announces a message (docs/platform.md, “Send API”).
type NotificationType string

// The notification types.
const (
	// NotifyRegular plays sound or vibration; it is the platform default.
	NotifyRegular NotificationType = "REGULAR"
	// NotifySilentPush shows an on-screen notification only.
	NotifySilentPush NotificationType = "SILENT_PUSH"
	// NotifyNoPush sends no notification.
	NotifyNoPush NotificationType = "NO_PUSH"
)

// SenderAction is a typing indicator or read receipt sent in its own request
// (docs/platform.md, “Sender actions”).
type SenderAction string

// The sender actions.
const (
	// TypingOn shows the typing indicator; it clears after 20 s or with the next message.
	TypingOn SenderAction = "typing_on"
	// TypingOff hides the typing indicator.
	TypingOff SenderAction = "typing_off"
	// MarkSeen marks the person's last message as read.
	MarkSeen SenderAction = "mark_seen"
)

// sendWire is the wire body of a send; field order follows Meta's examples.
type sendWire struct {
	Recipient        Recipient        `json:"recipient"`
	MessagingType    string           `json:"messaging_type,omitempty"`
	Tag              tags.Tag         `json:"tag,omitempty"`
	Message          *messageWire     `json:"message,omitempty"`
	SenderAction     SenderAction     `json:"sender_action,omitempty"`
	NotificationType NotificationType `json:"notification_type,omitempty"`
	PersonaID        string           `json:"persona_id,omitempty"`
	ReplyTo          *replyToWire     `json:"reply_to,omitempty"`
}

type replyToWire struct {
	MID string `json:"mid"`
}

// wire converts r to its wire form.
func (r *SendRequest) wire() *sendWire {
	wb := new(wireBuf)
	r.wireTo(wb)
	if r.Message != nil {
		wb.w.Message = &wb.m
	}
	return &wb.w
}

// wireBuf holds the wire form of a send and of its message.
type wireBuf struct {
	w sendWire
	m messageWire
}

// wireTo writes the wire form of r into wb, all but the link from the send to
// its message (w.Message stays nil), so that wb may live on the stack.
func (r *SendRequest) wireTo(wb *wireBuf) {
	w := &wb.w
	*w = sendWire{
		Recipient:        r.To,
		MessagingType:    r.Type.Kind,
		Tag:              r.Type.Tag,
		SenderAction:     r.Action,
		NotificationType: r.Notification,
		PersonaID:        r.PersonaID,
	}
	if r.Message != nil {
		r.Message.wireTo(&wb.m)
	}
	if r.ReplyTo != "" {
		w.ReplyTo = &replyToWire{MID: r.ReplyTo}
	}
}

// MarshalJSON encodes r as the Send API body of docs/platform.md, “Send API”.
func (r SendRequest) MarshalJSON() ([]byte, error) { return json.Marshal(r.wire()) }

// Validate checks r against the platform's documented rules and limits (docs/platform.md,
// “Send API” to “Limits”) without touching the network. Each violation is a *ValidationError
// naming the field path, the limit and the value; all of them are joined in the
// result, which matches ErrInvalidRequest with errors.Is.
func (r SendRequest) Validate() error {
	var v validator
	r.validate(&v)
	return v.err()
}

func (r *SendRequest) validate(v *validator) {
	r.To.validate(v, "recipient")
	switch {
	case r.Message != nil && r.Action != "":
		v.fail("sender_action", "", "either message or sender_action", "both",
			"a request carries a message or a sender action, not both")
	case r.Message == nil && r.Action == "":
		v.fail("message", "", "either message or sender_action", "neither",
			"a request needs a message or a sender action")
	}
	r.Type.validate(v, r)
	if r.Notification != "" {
		v.oneOf("notification_type", "", string(r.Notification),
			string(NotifyRegular), string(NotifySilentPush), string(NotifyNoPush))
	}
	if r.Action != "" {
		if v.oneOf("sender_action", "", string(r.Action), string(TypingOn), string(TypingOff), string(MarkSeen)) &&
			r.PersonaID != "" && r.Action == MarkSeen {
			v.fail("persona_id", "", "only with typing_on or typing_off", string(r.Action),
				"personas can only show typing indicators")
		}
		if r.Notification != "" {
			v.fail("notification_type", "", "absent with sender_action", string(r.Notification),
				"a sender action is sent with only recipient and persona_id")
		}
		if r.ReplyTo != "" {
			v.fail("reply_to", "", "absent with sender_action", preview(r.ReplyTo),
				"only a message can quote another message")
		}
	}
	if r.Message != nil {
		r.Message.validate(v, "message")
		if r.Type.Tag == tags.CustomerFeedback && !r.Message.isTemplate("customer_feedback") {
			v.fail("tag", "", "another tag unless the message is a customer_feedback template", string(r.Type.Tag),
				"the CUSTOMER_FEEDBACK tag may only carry a customer feedback template")
		}
	}
}

// Send validates req and posts it to the Send API (POST /{page}/messages). A request
// that breaks a documented limit fails with a *ValidationError (errors.Is
// ErrInvalidRequest) and nothing is sent; a refusal by Graph is a *GraphError.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/send-api/
func (c *Client) Send(ctx context.Context, req SendRequest) (*SendResponse, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if err := c.checkPolicy(ctx, &req); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, errNilContext
	}
	call, err := c.newCall(http.MethodPost, c.sendPath)
	if err != nil {
		return nil, err
	}
	buf := getBuffer()
	defer putBuffer(buf)
	var wb wireBuf
	req.wireTo(&wb)
	// Text, quick replies and sender actions are written by hand; attachments and
	// templates go through encoding/json with the wire form built again on the
	// heap, so that wb stays on the stack for the others.
	b, ok := wb.appendJSON(buf.AvailableBuffer(), req.Message != nil)
	if ok {
		buf.Write(b)
	} else if err := encodeJSON(buf, req.wire()); err != nil {
		return nil, fmt.Errorf("messenger: encoding request body for %s: %w", call.LogPath, err)
	}
	call.BodyBytes, call.ContentType = buf.Bytes(), "application/json"
	var out SendResponse
	if err := c.do(ctx, &call, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SendAction sends a sender action (typing_on, typing_off, mark_seen) to a person,
// as its own request (docs/platform.md, “Sender actions”). personaID may be "" and is allowed only with
// the typing indicators. The response carries only RecipientID.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/send-messages/sender-actions
func (c *Client) SendAction(ctx context.Context, to Recipient, a SenderAction, personaID string) (*SendResponse, error) {
	return c.Send(ctx, SendRequest{To: to, Action: a, PersonaID: personaID})
}
