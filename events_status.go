package messenger

import "time"

// DeliveryEvent reports that messages the Page sent reached the person (field
// "message_deliveries", docs/platform.md, “Webhook events”): every message sent before Watermark was
// delivered. Watermarks make deliveries order-independent.
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/message-deliveries
type DeliveryEvent struct {
	EventInfo
	// MIDs lists delivered message ids; Meta may omit it.
	MIDs []string
	// Watermark: every message sent before it was delivered.
	Watermark time.Time
}

// ReadEvent reports that the person read every message the Page sent before or at
// Watermark (field "message_reads", docs/platform.md, “Webhook events”).
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/message-reads
type ReadEvent struct {
	EventInfo
	// Watermark: every message sent before or at it was read.
	Watermark time.Time
}

// ReactionEvent is a person reacting to a message, or removing a reaction (field
// "message_reactions", docs/platform.md, “Webhook events”). A reaction opens the messaging window
// (docs/platform.md, “The 24-hour window”).
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/message-reactions
type ReactionEvent struct {
	EventInfo
	// Reaction is "smile", "angry", "sad", "wow", "love", "like", "dislike" or "other";
	// it may be absent on "unreact".
	Reaction string
	// Emoji is the emoji itself.
	Emoji string
	// Action is "react" or "unreact".
	Action string
	// MID is the id of the message reacted to.
	MID string
}

// ResponseFeedbackEvent is a person's rating of a bot answer (field
// "response_feedback", docs/platform.md, “Webhook events”).
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/webhook-events
type ResponseFeedbackEvent struct {
	EventInfo
	// Feedback is "Good response" or "Bad response".
	Feedback string
	// MID is the rated message.
	MID string
}

// Kind returns "delivery".
func (*DeliveryEvent) Kind() string { return "delivery" }

// Kind returns "read".
func (*ReadEvent) Kind() string { return "read" }

// Kind returns "reaction".
func (*ReactionEvent) Kind() string { return "reaction" }

// Kind returns "response_feedback".
func (*ResponseFeedbackEvent) Kind() string { return "response_feedback" }

// MarshalJSON returns the messaging item (see [Event]).
func (e *DeliveryEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	return marshalItem(&e.EventInfo, "delivery", struct {
		MIDs      []string `json:"mids,omitempty"`
		Watermark int64    `json:"watermark"`
	}{e.MIDs, toMillis(e.Watermark)})
}

// MarshalJSON returns the messaging item (see [Event]).
func (e *ReadEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	return marshalItem(&e.EventInfo, "read", struct {
		Watermark int64 `json:"watermark"`
	}{toMillis(e.Watermark)})
}

// MarshalJSON returns the messaging item (see [Event]).
func (e *ReactionEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	return marshalItem(&e.EventInfo, "reaction", struct {
		Reaction string `json:"reaction,omitempty"`
		Emoji    string `json:"emoji,omitempty"`
		Action   string `json:"action,omitempty"`
		MID      string `json:"mid,omitempty"`
	}{e.Reaction, e.Emoji, e.Action, e.MID})
}

// MarshalJSON returns the messaging item (see [Event]).
func (e *ResponseFeedbackEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	return marshalItem(&e.EventInfo, "response_feedback", struct {
		Feedback string `json:"feedback,omitempty"`
		MID      string `json:"mid,omitempty"`
	}{e.Feedback, e.MID})
}

// UnmarshalJSON decodes one messaging item holding a delivery.
func (e *DeliveryEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// UnmarshalJSON decodes one messaging item holding a read.
func (e *ReadEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// UnmarshalJSON decodes one messaging item holding a reaction.
func (e *ReactionEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// UnmarshalJSON decodes one messaging item holding a response_feedback.
func (e *ResponseFeedbackEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

func (r *jsonReader) delivery() *DeliveryEvent {
	e := &DeliveryEvent{}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "mids":
			for ok := r.Enter('['); ok; ok = r.Next(']') {
				e.MIDs = append(e.MIDs, r.Str())
			}
		case "watermark":
			e.Watermark = millis(r.Int())
		default:
			r.Skip()
		}
	}
	return e
}

func (r *jsonReader) read() *ReadEvent {
	e := &ReadEvent{}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		if r.Key() == "watermark" {
			e.Watermark = millis(r.Int())
		} else {
			r.Skip()
		}
	}
	return e
}

func (r *jsonReader) reaction() *ReactionEvent {
	e := &ReactionEvent{}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "reaction":
			e.Reaction = r.Str()
		case "emoji":
			e.Emoji = r.Str()
		case "action":
			e.Action = r.Str()
		case "mid":
			e.MID = r.Str()
		default:
			r.Skip()
		}
	}
	return e
}

func (r *jsonReader) responseFeedback() *ResponseFeedbackEvent {
	e := &ResponseFeedbackEvent{}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "feedback":
			e.Feedback = r.Str()
		case "mid":
			e.MID = r.Str()
		default:
			r.Skip()
		}
	}
	return e
}
