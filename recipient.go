package messenger

import "strings"

// Recipient identifies whom a message goes to. Exactly one identifier must be set
// (docs/platform.md, “Send API”); use the constructors PSID, UserRef, Comment, Post, OneTimeToken,
// RecurringToken and Phone rather than filling the struct by hand. Its JSON is the
// wire "recipient" object.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/send-api/
type Recipient struct {
	// ID is a page-scoped user id (PSID).
	ID string `json:"id,omitempty"`
	// UserRef comes from the checkbox plugin or the chat plugin.
	UserRef string `json:"user_ref,omitempty"`
	// CommentID makes the message a private reply to a Page comment (docs/platform.md, “Private replies”).
	CommentID string `json:"comment_id,omitempty"`
	// PostID makes the message a private reply to a visitor post (docs/platform.md, “Private replies”).
	PostID string `json:"post_id,omitempty"`
	// OneTimeNotifToken is a single-use one-time-notification token (docs/platform.md, “One-time notifications”).
	OneTimeNotifToken string `json:"one_time_notif_token,omitempty"`
	// NotificationMessagesToken is a recurring notification token (docs/platform.md, “Recurring notifications”).
	NotificationMessagesToken string `json:"notification_messages_token,omitempty"`
	// PhoneNumber targets a person by phone (Customer Matching, closed beta), e.g.
	// "+1(212)555-2368".
	PhoneNumber string `json:"phone_number,omitempty"`
	// Name improves a phone-number match; only with PhoneNumber.
	Name *RecipientName `json:"name,omitempty"`
}

// RecipientName is the optional name sent with a phone-number recipient.
type RecipientName struct {
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// PSID addresses a person by page-scoped id.
func PSID(id string) Recipient { return Recipient{ID: id} }

// UserRef addresses a person by the user_ref of the checkbox or chat plugin. Graph
// answers such sends without a recipient_id (docs/platform.md, “Recipients”).
func UserRef(ref string) Recipient { return Recipient{UserRef: ref} }

// Comment addresses the author of a Page comment with a private reply: one message,
// within 7 days of the comment (docs/platform.md, “Private replies”).
func Comment(commentID string) Recipient { return Recipient{CommentID: commentID} }

// Post addresses the author of a visitor post with a private reply: one message,
// within 7 days of the post (docs/platform.md, “Private replies”).
func Post(postID string) Recipient { return Recipient{PostID: postID} }

// OneTimeToken addresses a person through a one-time-notification token; the token
// is single-use and expires within a year (docs/platform.md, “One-time notifications”).
func OneTimeToken(token string) Recipient { return Recipient{OneTimeNotifToken: token} }

// RecurringToken addresses a person through a recurring notification
// (notification_messages) token (docs/platform.md, “Recurring notifications”).
func RecurringToken(token string) Recipient { return Recipient{NotificationMessagesToken: token} }

// Phone addresses a person by phone number (Customer Matching); name may be nil.
// Graph answers such sends without a recipient_id (docs/platform.md, “Recipients”).
func Phone(number string, name *RecipientName) Recipient {
	return Recipient{PhoneNumber: number, Name: name}
}

// identifiers lists the wire names of the identifiers set on r.
func (r *Recipient) identifiers() []string {
	var set []string
	for _, f := range [...]struct {
		name, val string
	}{
		{"id", r.ID}, {"user_ref", r.UserRef}, {"comment_id", r.CommentID}, {"post_id", r.PostID},
		{"one_time_notif_token", r.OneTimeNotifToken},
		{"notification_messages_token", r.NotificationMessagesToken},
		{"phone_number", r.PhoneNumber},
	} {
		if f.val != "" {
			set = append(set, f.name)
		}
	}
	return set
}

// idCount counts the identifiers set without building their list (the send path
// needs only the count unless it is wrong).
func (r *Recipient) idCount() int {
	n := 0
	for _, v := range [...]string{r.ID, r.UserRef, r.CommentID, r.PostID, r.OneTimeNotifToken,
		r.NotificationMessagesToken, r.PhoneNumber} {
		if v != "" {
			n++
		}
	}
	return n
}

// isPrivateReply reports whether r is a comment or visitor-post recipient.
func (r *Recipient) isPrivateReply() bool {
	return (r.CommentID != "" || r.PostID != "") && r.idCount() == 1
}

// isPersonAddress reports whether r addresses a person directly (PSID, user_ref,
// phone), the recipients for which the platform requires a messaging_type.
func (r *Recipient) isPersonAddress() bool {
	return r.ID != "" || r.UserRef != "" || r.PhoneNumber != ""
}

func (r *Recipient) validate(v *validator, path string) {
	switch r.idCount() {
	case 0:
		v.fail(path, "", "exactly one identifier", "none",
			"a recipient needs one of id, user_ref, comment_id, post_id, one_time_notif_token, notification_messages_token, phone_number")
	case 1:
	default:
		v.fail(path, "", "exactly one identifier", strings.Join(r.identifiers(), ", "), "a recipient carries one identifier only")
	}
	if r.Name != nil && r.PhoneNumber == "" {
		v.fail(path, ".name", "only with phone_number", "set", "a name only helps match a phone number")
	}
}

// Recipient addresses a reply to the party: by PSID, or by user_ref for a
// chat-plugin visitor or checkbox opt-in known only by it (docs/platform.md, “Webhook deliveries”).
func (p Party) Recipient() Recipient {
	if p.ID == "" && p.UserRef != "" {
		return UserRef(p.UserRef)
	}
	return PSID(p.ID)
}
