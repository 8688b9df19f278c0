package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gomessenger/messenger/tags"
)

// maxEcho bounds how much of a caller's string a reason repeats.
const maxEcho = 64

func echo(s string) string {
	if len(s) > maxEcho {
		s = s[:maxEcho] + "…"
	}
	return fmt.Sprintf("%q", s)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// validate refuses input that no rule can judge; s is the request's selection. It
// allocates only when it refuses.
func (r *Rules) validate(req *Request, conv *Conversation, now time.Time, s *selection) *Decision {
	if now.IsZero() {
		return badInput(RuleInputNow, 0, "now is the zero time; pass the current time (policy has no clock of its own)")
	}
	if !now.Before(noDeadline) {
		return badInput(RuleInputNow, 0, fmt.Sprintf("now %s is past the last instant policy models (%s)", stamp(now), stamp(noDeadline)))
	}
	if s.tb == 0 {
		return badInput(RuleInputMessagingType, codeInvalidParameter,
			fmt.Sprintf("MessagingType %s is not one of %s", echo(string(req.MessagingType)), r.knownTypes()))
	}
	if s.rb == 0 {
		return badInput(RuleInputRecipient, codeInvalidParameter,
			fmt.Sprintf("Recipient %s is not one of %s", echo(string(req.Recipient)), r.knownRecipients()))
	}
	if req.Tag != "" {
		if req.MessagingType != MessageTag && req.MessagingType != Omitted {
			return badInput(RuleInputTag, codeInvalidParameter,
				fmt.Sprintf("Tag %s needs MessagingType MESSAGE_TAG, not %s", echo(string(req.Tag)), req.MessagingType))
		}
		if !s.named && !req.Tag.Known() {
			return badInput(RuleInputTag, codeInvalidParameter,
				fmt.Sprintf("Tag %s is not a message tag; valid at %s: %s", echo(string(req.Tag)), stamp(now), joinTags(r.tagsAt(now))))
		}
	} else if req.MessagingType == MessageTag {
		return badInput(RuleInputTag, codeInvalidParameter,
			fmt.Sprintf("MessagingType MESSAGE_TAG needs a Tag; valid at %s: %s", stamp(now), joinTags(r.tagsAt(now))))
	}
	limit := now
	if r.skew != 0 { // Add costs as much as the rest of validate
		limit = now.Add(r.skew)
	}
	if name, t := futureTime(conv, limit); name != "" {
		return badInput(RuleInputConversation, 0,
			fmt.Sprintf("Conversation.%s %s is after now %s; times of past events cannot be in the future", name, stamp(t), stamp(now)))
	}
	if conv.MessagesAfterWindow < 0 {
		return badInput(RuleInputConversation, 0,
			fmt.Sprintf("Conversation.MessagesAfterWindow is %d; it counts messages and must be >= 0", conv.MessagesAfterWindow))
	}
	if conv.TokenFrequency < 0 {
		return badInput(RuleInputConversation, 0,
			fmt.Sprintf("Conversation.TokenFrequency is %v; it must be >= 0", conv.TokenFrequency))
	}
	if k := conv.TokenKind; k != "" && k != OTNToken && k != RecurringToken {
		return badInput(RuleInputConversation, 0,
			fmt.Sprintf("Conversation.TokenKind %s is not %s or %s", echo(string(k)), OTNToken, RecurringToken))
	}
	return nil
}

// futureTime returns the first conversation time of a past event that is after
// limit, and its field name; "" when there is none.
func futureTime(c *Conversation, limit time.Time) (string, time.Time) {
	switch {
	case c.LastUserMessage.After(limit):
		return "LastUserMessage", c.LastUserMessage
	case c.LastUserAction.After(limit):
		return "LastUserAction", c.LastUserAction
	case c.AdReferral.After(limit):
		return "AdReferral", c.AdReferral
	case c.CommentCreated.After(limit):
		return "CommentCreated", c.CommentCreated
	case c.TokenIssued.After(limit):
		return "TokenIssued", c.TokenIssued
	case c.TokenLastUsed.After(limit):
		return "TokenLastUsed", c.TokenLastUsed
	}
	return "", time.Time{}
}

func badInput(rule string, code int, reason string) *Decision {
	return &Decision{Rule: rule, Reason: reason, ErrorCode: code, Source: "input validation"}
}

func (r *Rules) knownTypes() string {
	var s []string
	for _, t := range builtinTypes[1:] {
		s = append(s, string(t))
	}
	for t := range r.types {
		s = append(s, string(t))
	}
	slices.Sort(s[len(builtinTypes)-1:])
	return strings.Join(s, ", ") + " (or omitted)"
}

func (r *Rules) knownRecipients() string {
	var s []string
	for _, k := range builtinKinds {
		s = append(s, string(k))
	}
	for k := range r.recipients {
		s = append(s, string(k))
	}
	slices.Sort(s[len(builtinKinds):])
	return strings.Join(s, ", ")
}

// tagsAt lists the tags some Allow rule in force at now names, in alphabetical
// order: the tags worth trying at that time.
func (r *Rules) tagsAt(now time.Time) []tags.Tag {
	var out []tags.Tag
	for i := range r.allow {
		x := r.allow[i].rule
		if !x.InForce(now) {
			continue
		}
		for _, t := range x.Match.Tags {
			if !slices.Contains(out, t) && !r.refusesOutright(t, now) {
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	return out
}

// refusesOutright reports whether a Refuse rule in force at now refuses tag t
// whatever else the request says.
func (r *Rules) refusesOutright(t tags.Tag, now time.Time) bool {
	for i := range r.refuse {
		x := r.refuse[i].rule
		if len(x.Conditions) == 0 && x.InForce(now) && slices.Contains(x.Match.Tags, t) {
			return true
		}
	}
	return false
}

func joinTags(ts []tags.Tag) string {
	if len(ts) == 0 {
		return "none"
	}
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}
