package policy

import (
	"time"

	"github.com/gomessenger/messenger/tags"
)

// MessagingType is the Send API's messaging_type (docs/platform.md, “Messaging types”).
type MessagingType string

// The messaging types of the Send API.
const (
	// Omitted is a request without messaging_type: normal before 2018-05-07, refused
	// for PSID, user_ref and phone recipients since. Token and private-reply sends
	// are documented without one.
	Omitted MessagingType = ""
	// Response answers a message from the person, inside the 24-hour window.
	Response MessagingType = "RESPONSE"
	// Update is a proactive message, still inside the 24-hour window.
	Update MessagingType = "UPDATE"
	// MessageTag sends outside the window with a tag; never promotional.
	MessageTag MessagingType = "MESSAGE_TAG"
	// Utility sends a utility message template.
	Utility MessagingType = "UTILITY"
)

// RecipientKind is the kind of identifier a send addresses (docs/platform.md, “Recipients”). The
// values are the wire names of the recipient fields.
type RecipientKind string

// The recipient kinds of the Send API.
const (
	// PSID is a page-scoped user id ("id"). The zero RecipientKind means PSID too.
	PSID RecipientKind = "id"
	// UserRef is the user_ref of the checkbox or chat plugin.
	UserRef RecipientKind = "user_ref"
	// Comment is a comment_id, for a private reply to a comment.
	Comment RecipientKind = "comment_id"
	// Post is a post_id, for a private reply to a visitor post.
	Post RecipientKind = "post_id"
	// OTNToken is a one-time notification token.
	OTNToken RecipientKind = "one_time_notif_token"
	// RecurringToken is a recurring notification (marketing messages) token.
	RecurringToken RecipientKind = "notification_messages_token"
	// Phone is a phone number (Customer Matching, closed beta).
	Phone RecipientKind = "phone_number"
)

// Template names a template_type that rules look at.
const (
	// CustomerFeedbackTemplate is the only template the CUSTOMER_FEEDBACK tag allows.
	CustomerFeedbackTemplate = "customer_feedback"
	// UtilityTemplate stands for an approved utility message template, the only
	// thing messaging_type UTILITY sends [T].
	UtilityTemplate = "utility"
)

// Request describes the message a Page wants to send: the parts of a Send API call
// that policy looks at, plus facts about the Page and the content that Graph cannot
// see but Meta's policy depends on.
type Request struct {
	// MessagingType is the messaging_type sent.
	MessagingType MessagingType
	// Tag is the tag sent with MessageTag; "" for none.
	Tag tags.Tag
	// Recipient is the kind of recipient identifier; "" means PSID.
	Recipient RecipientKind
	// Template is the template_type of the message ("customer_feedback",
	// "utility", "generic", …); "" when the message is not a template.
	Template string
	// HumanAgentApproved says the app has the Human Agent feature from App Review and
	// a person (not a bot) wrote this message. HUMAN_AGENT needs both.
	HumanAgentApproved bool
	// Promotional says the message promotes something (offers, discounts, upsell).
	// Tags and utility messages never may.
	Promotional bool
	// NewsPage says the Page is registered in the News Page Index (News Messaging),
	// which NON_PROMOTIONAL_SUBSCRIPTION needs since 2020-03-04.
	NewsPage bool
	// PhoneNumberApproved says the app has pages_messaging_phone_number (Customer
	// Matching), which phone-number recipients need.
	PhoneNumberApproved bool
	// RecurringExemptRegion says the person is in a region where free recurring
	// notifications continued after their 2026 discontinuation (AU, EU, JP, KR, UK
	// per a third-party source).
	RecurringExemptRegion bool
}

// Conversation is what the host knows about the person (or the comment, or the
// token) the request addresses. Zero times mean "never" or "unknown"; every time
// except TokenExpires must not be after now.
type Conversation struct {
	// LastUserMessage is when the person last sent the Page a message (quick-reply and
	// ice-breaker taps included). HUMAN_AGENT and CUSTOMER_FEEDBACK count from it.
	LastUserMessage time.Time
	// LastUserAction is the latest window-opening action of any kind: a message, a
	// postback, an m.me referral, a reaction, a plugin opt-in (docs/platform.md, “The 24-hour window”). The
	// standard window counts from the later of it and LastUserMessage, so hosts that
	// only track messages may leave it zero.
	LastUserAction time.Time
	// AdReferral is when the person first messaged the Page from a Click-to-Messenger
	// ad (zero: not from an ad); it opens a longer window.
	AdReferral time.Time
	// MessagesAfterWindow counts the messages the Page sent to the person since the
	// standard window last closed (the "24 + 1" rule before 2020-03-04 allowed one).
	MessagesAfterWindow int

	// CommentCreated is when the comment or visitor post a private reply answers was
	// created.
	CommentCreated time.Time
	// PrivateReplySent says the Page already sent its one private reply to it.
	PrivateReplySent bool

	// TokenKind says which kind of notification token the Token fields describe
	// (OTNToken or RecurringToken); "" means the kind the request's Recipient names.
	TokenKind RecipientKind
	// TokenIssued is when the person granted the notification token.
	TokenIssued time.Time
	// TokenExpires is when the token stops working (recurring tokens:
	// token_expiry_timestamp; one-time tokens: optional, one year after issue
	// applies anyway).
	TokenExpires time.Time
	// TokenUsed says a one-time token was already used.
	TokenUsed bool
	// TokenFrequency is the shortest time between two sends with a recurring token
	// (24 h for DAILY); zero: no spacing known.
	TokenFrequency time.Duration
	// TokenLastUsed is when a recurring token was last used (zero: never).
	TokenLastUsed time.Time
	// TokenStopped says the person stopped the notifications of a recurring token.
	TokenStopped bool
}
