package messengertest

import (
	"time"

	"github.com/gomessenger/messenger/policy"
	"github.com/gomessenger/messenger/tags"
)

// otnLifetime is how long a one-time notification token lives (docs/platform.md, “One-time notifications”).
const otnLifetime = 365 * 24 * time.Hour

// judge decides whether Graph would deliver an otherwise valid send now: windows,
// tags and their dates, one-time tokens, private replies. It asks policy.Check with
// the Page's state and answers the decision's error code when refused. The caller
// holds s.mu.
func (s *Server) judge(req *sendRequest, t target, now time.Time) *graphError {
	preq := policyRequest(req, s.cfg.humanAgent)
	preq.RecurringExemptRegion = s.cfg.recurringExempt
	d := policy.Check(preq, s.conversation(t, now), now)
	if d.Allowed {
		return nil
	}
	code, sub := d.ErrorCode, d.ErrorSubcode
	if code == 0 {
		code = 100 // a refusal Graph would answer as an invalid parameter
	}
	return errf(code, sub, "%s (policy rule %s)", d.Reason, d.Rule)
}

// policyRequest maps a decoded send to the policy's request.
func policyRequest(req *sendRequest, humanAgent bool) policy.Request {
	mt := policy.MessagingType(req.messagingType)
	if req.senderAction != "" {
		mt = policy.Response // a sender action needs the standard window
	}
	return policy.Request{
		MessagingType:       mt,
		Tag:                 tags.Tag(req.tag),
		Recipient:           policy.RecipientKind(req.recipientKind),
		Template:            req.templateType,
		HumanAgentApproved:  humanAgent,
		PhoneNumberApproved: true,
	}
}

// conversation is what the Page knows about the person a send goes to. Times after
// now (the clock was set back) are facts the Page does not know yet.
func (s *Server) conversation(t target, now time.Time) policy.Conversation {
	known := func(at time.Time) time.Time {
		if at.After(now) {
			return time.Time{}
		}
		return at
	}
	var c policy.Conversation
	if u := t.user; u != nil {
		c.LastUserMessage = known(u.lastMessage)
		c.LastUserAction = known(u.lastAction)
		c.AdReferral = known(u.lastAd)
		c.MessagesAfterWindow = u.afterWindow
	}
	if cm := t.comment; cm != nil {
		c.CommentCreated = known(cm.created)
		c.PrivateReplySent = cm.replied
	}
	if tok := t.token; tok != nil {
		c.TokenKind = policy.OTNToken
		c.TokenIssued = known(tok.issued)
		c.TokenExpires = tok.issued.Add(otnLifetime)
		c.TokenUsed = tok.used
	}
	if tok := t.recurring; tok != nil {
		c.TokenKind = policy.RecurringToken
		c.TokenIssued = known(tok.issued)
		c.TokenExpires = tok.expires
		c.TokenFrequency = tok.interval
		c.TokenLastUsed = known(tok.lastUsed)
	}
	return c
}
