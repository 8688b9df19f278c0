package messenger

import "encoding/json"

// OneTimeNotifRequest is the one-time notification request template: a "Notify Me"
// button under Title (at most 65 characters). A tap sends a messaging_optins webhook
// with a single-use token for one later message (docs/platform.md, “One-time notifications”). Send it inside the
// 24-hour window; the Page needs the One-Time Notification permission.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/send-messages/one-time-notification/
type OneTimeNotifRequest struct {
	Title   string `json:"title"`
	Payload string `json:"payload"`
}

// NewOneTimeNotifRequest is a one-time notification request template.
func NewOneTimeNotifRequest(title, payload string) *OneTimeNotifRequest {
	return &OneTimeNotifRequest{Title: title, Payload: payload}
}

// TemplateType returns "one_time_notif_req".
func (*OneTimeNotifRequest) TemplateType() string { return "one_time_notif_req" }

type otnFields OneTimeNotifRequest

func (t *OneTimeNotifRequest) templatePayload() any {
	return struct {
		TemplateType string `json:"template_type"`
		*otnFields
	}{"one_time_notif_req", (*otnFields)(t)}
}

// MarshalJSON encodes t as the wire template payload, template_type included.
func (t *OneTimeNotifRequest) MarshalJSON() ([]byte, error) { return json.Marshal(t.templatePayload()) }

func (t *OneTimeNotifRequest) validateTemplate(v *validator, path string) {
	v.required(path, ".title", t.Title, "a notification request needs a title")
	v.maxRunes(path, ".title", t.Title, MaxNotifRequestTitle)
	v.maxRunes(path, ".payload", t.Payload, MaxPayloadLen)
}

// NotificationFrequency is how often recurring notifications may be sent.
type NotificationFrequency string

// The recurring notification frequencies (weekly and monthly were deprecated in
// January 2023; the platform later removed frequencies).
const (
	FrequencyDaily   NotificationFrequency = "DAILY"
	FrequencyWeekly  NotificationFrequency = "WEEKLY"
	FrequencyMonthly NotificationFrequency = "MONTHLY"
)

// RecurringNotifRequest is the recurring notification opt-in template
// (template_type notification_messages, docs/platform.md, “Recurring notifications”). An opt-in yields a
// notification_messages_token to address later messages with RecurringToken. The
// free product was discontinued in most regions in February 2026 in favour of the
// paid Marketing Messages API.
type RecurringNotifRequest struct {
	// Title is at most 65 characters.
	Title    string `json:"title"`
	ImageURL string `json:"image_url,omitempty"`
	Payload  string `json:"payload"`
	// Frequency is DAILY, WEEKLY or MONTHLY where the platform still takes one.
	Frequency NotificationFrequency `json:"notification_messages_frequency,omitempty"`
	// Reoptin is "ENABLED" or "DISABLED".
	Reoptin string `json:"notification_messages_reoptin,omitempty"`
	// Timezone is a tz database name such as "America/New_York".
	Timezone string `json:"notification_messages_timezone,omitempty"`
	// CTAText picks the button label from the platform's list.
	CTAText string `json:"notification_messages_cta_text,omitempty"`
}

// TemplateType returns "notification_messages".
func (*RecurringNotifRequest) TemplateType() string { return "notification_messages" }

type recurringFields RecurringNotifRequest

func (t *RecurringNotifRequest) templatePayload() any {
	return struct {
		TemplateType string `json:"template_type"`
		*recurringFields
	}{"notification_messages", (*recurringFields)(t)}
}

// MarshalJSON encodes t as the wire template payload, template_type included.
func (t *RecurringNotifRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.templatePayload())
}

func (t *RecurringNotifRequest) validateTemplate(v *validator, path string) {
	v.required(path, ".title", t.Title, "a notification request needs a title")
	v.maxRunes(path, ".title", t.Title, MaxNotifRequestTitle)
	v.maxRunes(path, ".payload", t.Payload, MaxPayloadLen)
	if t.ImageURL != "" {
		v.webURL(path, ".image_url", t.ImageURL, false)
	}
	if t.Frequency != "" {
		v.oneOf(path, ".notification_messages_frequency", string(t.Frequency),
			string(FrequencyDaily), string(FrequencyWeekly), string(FrequencyMonthly))
	}
	if t.Reoptin != "" {
		v.oneOf(path, ".notification_messages_reoptin", t.Reoptin, "ENABLED", "DISABLED")
	}
}
