package messengertest

import (
	"bytes"
	"net/http"
	"strings"
	"time"
)

// Magic recipient ids: sends to these PSIDs fail the way Graph fails for the common
// reasons, after the request passed validation. They need no simulated user.
const (
	// PSIDRateLimited answers 613 "Calls to this api have exceeded the rate limit"
	// with an X-Business-Use-Case-Usage header (retry later).
	PSIDRateLimited = "9000000000000613"
	// PSIDTemporaryFailure answers HTTP 500, code 2, is_transient (temporary; the
	// client does not retry the send and reports it ErrAmbiguous).
	PSIDTemporaryFailure = "9000000000000002"
	// PSIDUnavailable answers 551 "This person isn't receiving messages from you
	// right now" (never retry).
	PSIDUnavailable = "9000000000000551"
	// PSIDOutsideWindow answers 10/2018278, the 24-hour window error.
	PSIDOutsideWindow = "9000000002018278"
	// PSIDThreadOwnedByOtherApp answers 10/2018300: another app controls the thread.
	PSIDThreadOwnedByOtherApp = "9000000002018300"
	// PSIDAmbiguous answers HTTP 500, code 1, subcode 1357046: Graph's "the message
	// may have been sent anyway" (do not retry blindly).
	PSIDAmbiguous = "9000000001357046"
)

func magicError(psid string) *graphError {
	switch psid {
	case PSIDRateLimited:
		return errRateLimited()
	case PSIDTemporaryFailure:
		return errTemporary()
	case PSIDUnavailable:
		return errUnavailable()
	case PSIDOutsideWindow:
		return errOutsideWindow()
	case PSIDThreadOwnedByOtherApp:
		return errThreadOwned()
	case PSIDAmbiguous:
		return errAmbiguous()
	}
	return nil
}

// sendResponse is the Send API's answer (docs/platform.md, “Send responses”).
type sendResponse struct {
	RecipientID  string `json:"recipient_id,omitempty"`
	MessageID    string `json:"message_id,omitempty"`
	AttachmentID string `json:"attachment_id,omitempty"`
}

func (s *Server) handleSend(c *call, r *http.Request) (any, *graphError) {
	req, gerr := decodeSend(c.params, c.version)
	if gerr != nil {
		return nil, gerr
	}
	if req.recipientKind == "id" {
		if gerr := magicError(req.recipientValue); gerr != nil {
			return nil, gerr
		}
	}
	page, _, _ := strings.Cut(c.path, "/")

	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	now := st.now
	t, gerr := s.resolveTarget(req)
	if gerr != nil {
		return nil, gerr
	}
	if t.user != nil {
		if t.user.blocked {
			return nil, errUnavailable()
		}
		if t.user.owner != "" && t.user.owner != s.cfg.appID {
			return nil, errThreadOwned()
		}
	}
	if req.personaID != "" {
		if p := st.persona(req.personaID); p == nil || p.deleted {
			return nil, errParam("Param persona_id %q is not a persona of this Page (unknown or deleted)", req.personaID)
		}
	}
	for _, id := range req.attachmentIDs {
		if !st.attachments[id] {
			return nil, errf(100, 2018074, "Possible invalid ID or you do not own the attachment: attachment_id %q was not saved by this Page", id)
		}
	}
	if req.replyTo != "" {
		if psid, ok := st.mids[req.replyTo]; !ok || t.user == nil || psid != t.user.psid {
			return nil, errParam("Param reply_to[mid] %q is not a message of this conversation", req.replyTo)
		}
		if t.user.lastMessage.IsZero() || now.Sub(t.user.lastMessage) > 24*time.Hour {
			return nil, errOutsideWindow()
		}
	}
	if gerr := s.judge(req, t, now); gerr != nil {
		return nil, gerr
	}

	// Accepted: spend what the send used up and record it.
	res := sendResponse{}
	rec := SendRecord{
		Time:             now,
		Page:             page,
		Recipient:        recordRecipient(req.recipient),
		MessagingType:    req.messagingType,
		Tag:              req.tag,
		Message:          recordMessage(req.message),
		SenderAction:     req.senderAction,
		PersonaID:        req.personaID,
		NotificationType: req.notificationType,
		ReplyTo:          req.replyTo,
		Body:             bytes.Clone(c.params.wireJSON()),
		Raw:              bytes.Clone(c.params.raw),
	}
	if t.user != nil && !t.viaRef {
		res.RecipientID = t.user.psid
		rec.RecipientID = t.user.psid
	}
	if t.user != nil && req.message != nil && t.comment == nil && t.token == nil && t.recurring == nil && req.messagingType != "MESSAGE_TAG" && req.messagingType != "UTILITY" {
		if t.user.lastAction.IsZero() || now.Sub(t.user.lastAction) > 24*time.Hour {
			t.user.afterWindow++
		}
	}
	if t.token != nil {
		t.token.used = true
	}
	if t.recurring != nil && req.message != nil {
		t.recurring.lastUsed = now
	}
	if t.comment != nil {
		t.comment.replied = true
	}
	if req.message != nil {
		res.MessageID = st.newMID()
		rec.MessageID = res.MessageID
		if t.user != nil {
			st.mids[res.MessageID] = t.user.psid
		}
		if t.comment != nil {
			t.comment.replyMID = res.MessageID
		}
		if req.reusable {
			res.AttachmentID = st.newNumericID(1857)
			st.attachments[res.AttachmentID] = true
			rec.AttachmentID = res.AttachmentID
		}
	}
	s.recordLocked(rec)
	if t.user != nil && !t.viaRef {
		s.queueEcho(&rec, t.user.psid, now)
	}
	return res, nil
}

// target is what a recipient resolved to.
type target struct {
	user      *userState // nil for phone_number recipients
	viaRef    bool       // addressed by user_ref: Graph answers without recipient_id
	token     *otnToken
	recurring *recurringToken
	comment   *comment
}

// resolveTarget finds the person a recipient names; the caller holds s.mu.
func (s *Server) resolveTarget(req *sendRequest) (target, *graphError) {
	st := s.st
	v := req.recipientValue
	switch req.recipientKind {
	case "id":
		u, ok := st.users[v]
		if !ok {
			return target{}, errNoUser()
		}
		return target{user: u}, nil
	case "comment_id", "post_id":
		cm, ok := st.comments[v]
		if !ok || cm.isPost != (req.recipientKind == "post_id") {
			return target{}, errInvalidComment(req.recipientKind)
		}
		return target{user: st.users[cm.psid], comment: cm}, nil
	case "one_time_notif_token":
		tok, ok := st.tokens[v]
		if !ok {
			return target{}, errParam("Param recipient[one_time_notif_token] is not a token this Page issued")
		}
		return target{user: st.users[tok.psid], token: tok}, nil
	case "notification_messages_token":
		tok, ok := st.recurring[v]
		if !ok {
			return target{}, errParam("Param recipient[notification_messages_token] is not a token this Page issued")
		}
		return target{user: st.users[tok.psid], recurring: tok}, nil
	case "user_ref":
		psid, ok := st.userRefs[v]
		if !ok {
			return target{}, errNoUser()
		}
		return target{user: st.users[psid], viaRef: true}, nil
	}
	return target{}, nil // phone_number: matched by Graph
}
