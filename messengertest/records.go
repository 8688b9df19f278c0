package messengertest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SendRecord is one accepted call to the Send API (/messages), as the fake understood
// it from the wire.
type SendRecord struct {
	// Time is when the fake accepted the call, on the fake clock.
	Time time.Time
	// Page is how the call addressed the Page: "me" or the Page id.
	Page string
	// Recipient is the recipient as sent; RecipientID is the PSID it resolved to
	// ("" for user_ref and phone_number recipients).
	Recipient   Recipient
	RecipientID string
	// MessagingType and Tag are as sent ("" when absent).
	MessagingType string
	Tag           string
	// Message is nil for sender actions.
	Message *Message
	// SenderAction is typing_on, typing_off or mark_seen for sender actions.
	SenderAction     string
	PersonaID        string
	NotificationType string
	// ReplyTo is the mid of the quoted message, if any.
	ReplyTo string
	// MessageID and AttachmentID are what the fake answered.
	MessageID    string
	AttachmentID string
	// Body is the call as one JSON object (the body itself for JSON calls; form and
	// multipart fields re-encoded otherwise), without credentials.
	Body json.RawMessage
	// Raw is the request body exactly as received (multipart files left out).
	Raw []byte
}

// Recipient is the recipient object of a send; exactly one field is set.
type Recipient struct {
	ID                        string `json:"id,omitempty"`
	UserRef                   string `json:"user_ref,omitempty"`
	CommentID                 string `json:"comment_id,omitempty"`
	PostID                    string `json:"post_id,omitempty"`
	OneTimeNotifToken         string `json:"one_time_notif_token,omitempty"`
	NotificationMessagesToken string `json:"notification_messages_token,omitempty"`
	PhoneNumber               string `json:"phone_number,omitempty"`
}

// Message is the message of a send as the fake decoded it.
type Message struct {
	Text         string       `json:"text,omitempty"`
	Attachment   *Attachment  `json:"attachment,omitempty"`
	Attachments  []Attachment `json:"attachments,omitempty"`
	QuickReplies []QuickReply `json:"quick_replies,omitempty"`
	Metadata     string       `json:"metadata,omitempty"`
}

// Attachment is a media or template attachment. TemplateType is set for templates;
// Payload is the payload as sent.
type Attachment struct {
	Type         string          `json:"type"`
	TemplateType string          `json:"-"`
	Payload      json.RawMessage `json:"payload,omitempty"`
}

// QuickReply is one quick reply of a message.
type QuickReply struct {
	ContentType string `json:"content_type"`
	Title       string `json:"title,omitempty"`
	Payload     string `json:"payload,omitempty"`
	ImageURL    string `json:"image_url,omitempty"`
}

func recordMessage(w *wireMessage) *Message {
	if w == nil {
		return nil
	}
	m := &Message{}
	if w.Text != nil {
		m.Text = *w.Text
	}
	if w.Metadata != nil {
		m.Metadata = *w.Metadata
	}
	if w.Attachment != nil {
		a := recordAttachment(*w.Attachment)
		m.Attachment = &a
	}
	for _, a := range w.Attachments {
		m.Attachments = append(m.Attachments, recordAttachment(a))
	}
	for _, q := range w.QuickReplies {
		r := QuickReply{ContentType: q.ContentType, ImageURL: q.ImageURL}
		if q.Title != nil {
			r.Title = *q.Title
		}
		r.Payload, _, _ = scalarString(q.Payload, "")
		m.QuickReplies = append(m.QuickReplies, r)
	}
	return m
}

func recordAttachment(w wireAttachment) Attachment {
	a := Attachment{Type: w.Type, Payload: bytes.Clone(w.Payload)}
	if w.Type == "template" {
		var h wireTemplateHead
		_ = json.Unmarshal(w.Payload, &h)
		a.TemplateType = h.TemplateType
	}
	return a
}

func recordRecipient(w wireRecipient) Recipient {
	return Recipient{
		ID:                        string(w.ID),
		UserRef:                   w.UserRef,
		CommentID:                 string(w.CommentID),
		PostID:                    string(w.PostID),
		OneTimeNotifToken:         w.OneTimeNotifToken,
		NotificationMessagesToken: w.NotificationMessagesToken,
		PhoneNumber:               w.PhoneNumber,
	}
}

// Sent returns the accepted Send API calls, oldest first.
func (s *Server) Sent() []SendRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SendRecord(nil), s.st.records...)
}

// ErrClosed is returned by WaitForSent when the server closes before enough sends
// arrived.
var ErrClosed = errors.New("messengertest: server closed")

// DefaultSentWait is how long WaitForSent waits when its context has no deadline
// (WithSentWait changes it): long enough for any in-process bot to answer, short
// enough that a bot that never answers fails its test in seconds instead of at go
// test's timeout.
const DefaultSentWait = 5 * time.Second

// WaitForSent blocks until at least n sends were accepted and returns them all. It
// never polls: it wakes on each accepted send. When ctx has no deadline it waits at
// most the server's sent wait (DefaultSentWait unless WithSentWait says otherwise).
// When the wait ends first, because ctx ended, the wait ran out or the server
// closed, it returns the sends accepted so far and an error that lists them and
// wraps ctx's error, context.DeadlineExceeded or ErrClosed.
func (s *Server) WaitForSent(ctx context.Context, n int) ([]SendRecord, error) {
	var timeout <-chan time.Time
	if _, ok := ctx.Deadline(); !ok && s.cfg.sentWait > 0 {
		t := time.NewTimer(s.cfg.sentWait)
		defer t.Stop()
		timeout = t.C
	}
	for {
		s.mu.Lock()
		if len(s.st.records) >= n {
			out := append([]SendRecord(nil), s.st.records...)
			s.mu.Unlock()
			return out, nil
		}
		changed := s.changed
		s.mu.Unlock()
		var cause error
		select {
		case <-changed:
			continue
		case <-ctx.Done():
			cause = ctx.Err()
		case <-timeout:
			cause = fmt.Errorf("waited %s, the server's sent wait for a context without a deadline (WithSentWait changes it): %w",
				s.cfg.sentWait, context.DeadlineExceeded)
		case <-s.closed:
			cause = ErrClosed
		}
		sent := s.Sent()
		return sent, fmt.Errorf("messengertest: WaitForSent: %d of %d sends accepted; %s: %w", len(sent), n, describeSent(sent), cause)
	}
}

// describeSent lists sends for an error message: to whom, and what.
func describeSent(sent []SendRecord) string {
	if len(sent) == 0 {
		return "nothing was sent"
	}
	var b strings.Builder
	b.WriteString("sent so far:")
	for i, r := range sent {
		if i > 0 {
			b.WriteByte(';')
		}
		to := cmp.Or(r.RecipientID, r.Recipient.ID, r.Recipient.UserRef, r.Recipient.CommentID, r.Recipient.PostID, r.Recipient.PhoneNumber, "a token")
		fmt.Fprintf(&b, " %d. to %s: ", i+1, to)
		switch {
		case r.SenderAction != "":
			b.WriteString(r.SenderAction)
		case r.Message == nil:
			b.WriteString("no message")
		case r.Message.Text != "":
			fmt.Fprintf(&b, "text %q", r.Message.Text)
		case r.Message.Attachment != nil:
			b.WriteString(cmp.Or(r.Message.Attachment.TemplateType+" template", r.Message.Attachment.Type) + " attachment")
		default:
			fmt.Fprintf(&b, "%d attachments", len(r.Message.Attachments))
		}
	}
	return b.String()
}

// record appends a send; the caller holds s.mu.
func (s *Server) recordLocked(r SendRecord) {
	s.st.records = append(s.st.records, r)
	close(s.changed)
	s.changed = make(chan struct{})
}

// Reset forgets everything the fake learned: sends, users and their windows, tokens,
// personas, comments, saved attachments, the Messenger Profile, the subscribed_apps
// subscription, faults, webhook history and held webhooks. It keeps the clock where
// it is (SetNow moves it back), the configuration (token, Page, app, app secret,
// webhook target, versions and every other option), the delivery settings of
// SetDelivery, and the id counter, so ids stay unique across resets.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now, seq := s.st.now, s.st.seq
	s.st = newState(s.cfg.start)
	s.st.now, s.st.seq = now, seq // ids stay unique across resets
	close(s.changed)
	s.changed = make(chan struct{})
}
