package policy

import (
	"time"

	"github.com/gomessenger/messenger/tags"
)

// candidate is a request shape worth trying instead of a refused one, with what it
// demands of the message.
type candidate struct {
	req  Request
	note string
}

// Alternatives returns the requests r allows now instead of req, most useful first
// (those that keep the message as it is come first): the same message inside a
// window, the refused tag's replacements, the person's notification token, a human
// agent's reply, a news tag for news Pages, a private reply to the person's comment,
// a utility template, a feedback survey. Each one,
// checked again, is allowed. It is what [Rules.Check] puts in refused decisions;
// call it directly to list the options for an allowed request too.
func (r *Rules) Alternatives(req Request, conv Conversation, now time.Time) []Alternative {
	r = r.orDefault()
	var s selection
	r.selectRules(&req, &s)
	if bad := r.validate(&req, &conv, now, &s); bad != nil && (bad.Rule == RuleInputNow || bad.Rule == RuleInputConversation) {
		return nil
	}
	return r.alternatives(&req, &conv, now)
}

func (r *Rules) alternatives(req *Request, conv *Conversation, now time.Time) []Alternative {
	var out []Alternative
	for _, c := range candidates(req, conv, now) {
		if c.req == *req {
			continue
		}
		dup := false
		for _, a := range out {
			if a.Request == c.req {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		var d Decision
		if r.decide(&d, &c.req, conv, now); d.Allowed {
			out = append(out, Alternative{Request: c.req, Rule: d.Rule, Until: d.Until, Note: c.note})
		}
	}
	return out
}

// candidates lists request shapes in order of usefulness. Each keeps the content
// facts of req (template, promotional, approvals) unless the shape demands others.
func candidates(req *Request, conv *Conversation, now time.Time) []candidate {
	base := *req
	base.Tag = ""
	conversation := req.Recipient == "" || req.Recipient == PSID || req.Recipient == UserRef
	var cs []candidate
	add := func(mt MessagingType, tag tags.Tag, rk RecipientKind, template, note string) {
		c := base
		c.MessagingType, c.Tag, c.Recipient, c.Template = mt, tag, rk, template
		cs = append(cs, candidate{req: c, note: note})
	}
	if conversation {
		add(Response, "", req.Recipient, req.Template, "the same message, as a response inside the window")
		if req.Tag != "" {
			for _, t := range tags.ReplacementsAt(req.Tag, now) {
				add(MessageTag, t, req.Recipient, req.Template, "the replacement tag: only for its use, never promotional")
			}
		}
	}
	if kind := tokenKind(conv); !conv.TokenIssued.IsZero() {
		note := "uses the person's one-time notification token (once)"
		if kind == RecurringToken {
			note = "uses the person's recurring notification token"
		}
		add(Update, "", kind, req.Template, note)
	}
	if conversation {
		if req.HumanAgentApproved {
			add(MessageTag, tags.HumanAgent, req.Recipient, req.Template, "only a reply written by a person")
		}
		if req.NewsPage {
			add(MessageTag, tags.NonPromotionalSubscription, req.Recipient, req.Template, "news content only, never promotional")
		}
		if !conv.CommentCreated.IsZero() {
			add(Response, "", Comment, req.Template, "the one private reply to the person's comment")
		}
		add(Utility, "", req.Recipient, UtilityTemplate, "an approved utility message template, never promotional")
		add(MessageTag, tags.CustomerFeedback, req.Recipient, CustomerFeedbackTemplate, "only the customer feedback template")
	}
	return cs
}

// tokenKind is the kind of the conversation's notification token: TokenKind when
// set, else recurring when recurring-only fields are set, else one-time.
func tokenKind(conv *Conversation) RecipientKind {
	switch {
	case conv.TokenKind != "":
		return conv.TokenKind
	case conv.TokenFrequency > 0 || !conv.TokenLastUsed.IsZero() || conv.TokenStopped:
		return RecurringToken
	}
	return OTNToken
}
