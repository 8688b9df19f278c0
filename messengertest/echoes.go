package messengertest

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gomessenger/messenger"
)

// queueEcho queues the message_echoes event of an accepted message send when echoes
// are on and a webhook target is set; the caller holds s.mu. It is delivered by
// deliverEchoes once the send's answer is written. user is the PSID the message went
// to; sends addressed by user_ref or phone number are not echoed (docs/platform.md, “Recipients”).
func (s *Server) queueEcho(rec *SendRecord, user string, now time.Time) {
	if !s.cfg.delivery.Echoes || (s.cfg.hook == nil && s.cfg.hookURL == "") {
		return
	}
	if rec.Message == nil || user == "" || rec.Recipient.UserRef != "" || rec.Recipient.PhoneNumber != "" {
		return
	}
	ev := &messenger.EchoEvent{Message: messenger.ReceivedMessage{
		MID:      rec.MessageID,
		Text:     rec.Message.Text,
		IsEcho:   true,
		AppID:    s.cfg.appID,
		Metadata: rec.Message.Metadata,
	}}
	if a := rec.Message.Attachment; a != nil {
		ev.Message.Attachments = append(ev.Message.Attachments, echoAttachment(*a))
	}
	for _, a := range rec.Message.Attachments {
		ev.Message.Attachments = append(ev.Message.Attachments, echoAttachment(a))
	}
	ev.PageID = s.cfg.pageID
	ev.Sender = messenger.Party{ID: s.cfg.pageID}
	ev.Recipient = messenger.Party{ID: user}
	ev.Time = now
	item, err := ev.MarshalJSON()
	if err != nil {
		return // an echo the SDK cannot encode is left out rather than failing the send
	}
	s.st.pending = append(s.st.pending, pendingEvent{entry: messagingEntry(s.cfg.pageID, now, false, item)})
}

// echoAttachment is an attachment as an echo carries it: the type and the payload
// as sent (a template's keys, a media URL or attachment_id).
func echoAttachment(a Attachment) messenger.ReceivedAttachment {
	out := messenger.ReceivedAttachment{Type: a.Type}
	if len(a.Payload) > 0 {
		var p messenger.ReceivedAttachmentPayload
		if json.Unmarshal(a.Payload, &p) == nil {
			out.Payload = &p
		}
	}
	return out
}

// deliverEchoes runs after a Graph call was answered. When echoes are on it pushes
// the answer to the client first and then delivers what is due, so the echo of a
// send reaches the webhook after the sender has its answer: a handler sending from
// inside a webhook delivery gets its answer instead of waiting on its own delivery.
func (s *Server) deliverEchoes(w http.ResponseWriter) {
	s.mu.Lock()
	on := s.cfg.delivery.Echoes && len(s.st.pending) > 0
	s.mu.Unlock()
	if !on {
		return
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	_ = s.deliverDue() // failures are recorded in Webhooks
}
