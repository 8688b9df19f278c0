package policy

import (
	"fmt"
	"strings"
	"time"

	"github.com/gomessenger/messenger/tags"
)

// Check decides with the default rules whether req may be sent now to the person
// conv describes. It is pure and deterministic: the same arguments always give the
// same Decision. Refused decisions carry Alternatives. See [Rules.Check].
func Check(req Request, conv Conversation, now time.Time) (d Decision) {
	defaultRules().check(&d, &req, &conv, now)
	return d
}

// Check decides with r whether req may be sent now to the person conv describes.
//
// Bad input (zero now, unknown messaging type, recipient or tag, a tag without
// MESSAGE_TAG, a conversation time after now) is refused with an "input." rule and a
// reason naming the field. Otherwise a Refuse rule in force that matches and
// triggers refuses; else the Allow rule in force that allows longest decides; else
// the first matching Allow rule in force that failed refuses with its error; else
// [RuleNone] refuses.
//
// An allowed decision's Until is the earliest of the deciding rule's deadlines, its
// end date and the start of any Refuse rule ahead that will refuse the request. It
// is always after now.
func (r *Rules) Check(req Request, conv Conversation, now time.Time) (d Decision) {
	r.orDefault().check(&d, &req, &conv, now)
	return d
}

// check is Check writing into d, so that the caller's arguments and result are
// not copied again on the way (Check is on every send's path).
func (r *Rules) check(d *Decision, req *Request, conv *Conversation, now time.Time) {
	if alternatives := r.decide(d, req, conv, now); !d.Allowed && alternatives {
		d.Alternatives = r.alternatives(req, conv, now)
	}
}

// decide is Check without alternatives, writing the decision into d, which must be
// zero. It reports whether the input is good enough for alternatives to be worth
// looking for.
func (r *Rules) decide(d *Decision, req *Request, conv *Conversation, now time.Time) (alternatives bool) {
	var s selection
	r.selectRules(req, &s)
	if bad := r.validate(req, conv, now, &s); bad != nil {
		*d = *bad
		return bad.Rule != RuleInputNow && bad.Rule != RuleInputConversation && bad.Rule != RuleInputRecipient
	}

	for _, i := range s.refuse {
		c := &r.refuse[i]
		if !s.matches(c, req.Tag) || !c.rule.InForce(now) {
			continue
		}
		if holdsAll(c.rule, req, conv, now) {
			*d = r.refusedBy(c.rule, -1, time.Time{}, req, conv, now)
			return true
		}
	}

	best, failed, failedCond := -1, -1, -1
	var bestUntil, notBefore time.Time
	for _, i := range s.allow {
		c := &r.allow[i]
		if !s.matches(c, req.Tag) || !c.rule.InForce(now) {
			continue
		}
		ok, until, ci, nb := allows(c.rule, req, conv, now)
		if ok {
			if best < 0 || later(until, bestUntil) {
				best, bestUntil = int(i), until
			}
			continue
		}
		if failed < 0 {
			failed, failedCond, notBefore = int(i), ci, nb
		}
	}

	if best >= 0 {
		x := r.allow[best].rule
		until := r.capByRefusals(bestUntil, &s, req, conv, now)
		if until.IsZero() {
			until = noDeadline
		}
		// Field by field: d is zero, and writing a whole Decision through a pointer
		// costs more than the rest of an allowed check.
		d.Allowed = true
		d.Rule, d.Reason = x.ID, x.Summary
		d.Until = until.UTC()
		d.Source, d.Confidence = x.Source, x.Confidence
		return false
	}
	if failed >= 0 {
		*d = r.refusedBy(r.allow[failed].rule, failedCond, notBefore, req, conv, now)
	} else {
		*d = r.noRule(req, now)
	}
	return true
}

// later reports whether deadline a is later than b, where zero means none (latest).
func later(a, b time.Time) bool {
	if b.IsZero() {
		return false
	}
	return a.IsZero() || a.After(b)
}

// holdsAll reports whether every condition of a Refuse rule holds.
func holdsAll(x *Rule, req *Request, conv *Conversation, now time.Time) bool {
	for i := range x.Conditions {
		if ok, _, _ := x.Conditions[i].eval(req, conv, now); !ok {
			return false
		}
	}
	return true
}

// allows evaluates an Allow rule: whether it allows, until when (zero: no
// deadline), and otherwise the index of the failing condition and when it might
// hold.
func allows(x *Rule, req *Request, conv *Conversation, now time.Time) (ok bool, until time.Time, failed int, notBefore time.Time) {
	until = x.Until
	for i := range x.Conditions {
		ok, deadline, nb := x.Conditions[i].eval(req, conv, now)
		if !ok {
			return false, time.Time{}, i, nb
		}
		if !deadline.IsZero() && (until.IsZero() || deadline.Before(until)) {
			until = deadline
		}
	}
	return true, until, -1, time.Time{}
}

// capByRefusals ends a permission where a Refuse rule that would refuse the same
// request comes into force.
func (r *Rules) capByRefusals(until time.Time, s *selection, req *Request, conv *Conversation, now time.Time) time.Time {
	for _, i := range s.refuse {
		c := &r.refuse[i]
		from := c.rule.From
		if !from.After(now) || (!until.IsZero() && !from.Before(until)) || !s.matches(c, req.Tag) {
			continue
		}
		if holdsAll(c.rule, req, conv, from) {
			until = from
		}
	}
	return until
}

// refusedBy builds the refusal of rule x: a Refuse rule that triggered (cond < 0)
// or an Allow rule whose condition cond failed.
func (r *Rules) refusedBy(x *Rule, cond int, notBefore time.Time, req *Request, conv *Conversation, now time.Time) Decision {
	d := Decision{
		Rule:         x.ID,
		ErrorCode:    x.ErrorCode,
		ErrorSubcode: x.ErrorSubcode,
		Source:       x.Source,
		Confidence:   x.Confidence,
	}
	if !notBefore.IsZero() {
		d.NotBefore = notBefore.UTC()
	}
	var b strings.Builder
	b.WriteString(x.Summary)
	if cond >= 0 {
		c := &x.Conditions[cond]
		if c.ErrorCode != 0 {
			d.ErrorCode, d.ErrorSubcode = c.ErrorCode, c.ErrorSubcode
		}
		b.WriteString(": ")
		b.WriteString(explainFailure(c, req, conv, now))
	} else {
		var why []string
		for i := range x.Conditions {
			why = append(why, explainHolding(&x.Conditions[i], req, conv, now))
		}
		if len(why) > 0 {
			b.WriteString(": ")
			b.WriteString(strings.Join(why, "; "))
		}
		if req.Tag != "" && len(x.Match.Tags) > 0 {
			b.WriteString("; ")
			b.WriteString(replacementAdvice(req.Tag, now))
		}
	}
	d.Reason = b.String()
	return d
}

// noRule is the refusal when no rule in force matches the request.
func (r *Rules) noRule(req *Request, now time.Time) Decision {
	d := Decision{Rule: RuleNone, ErrorCode: codeInvalidParameter, Source: "policy: no rule in force matches"}
	kind := req.Recipient
	if kind == "" {
		kind = PSID
	}
	typ := string(req.MessagingType)
	if typ == "" {
		typ = "omitted"
	}
	switch {
	case req.Tag != "":
		d.Reason = fmt.Sprintf("no rule in force at %s allows tag %s to recipient %s; %s; tags allowed then: %s",
			stamp(now), req.Tag, kind, replacementAdvice(req.Tag, now), joinTags(r.tagsAt(now)))
	default:
		d.Reason = fmt.Sprintf("no rule in force at %s allows messaging type %s to recipient %s", stamp(now), typ, kind)
	}
	return d
}

// replacementAdvice says what to use instead of tag t at now, per the catalogue.
func replacementAdvice(t tags.Tag, now time.Time) string {
	info, ok := tags.Lookup(t)
	if !ok {
		return "the tag is not in the catalogue"
	}
	switch {
	case !info.ValidFrom.IsZero() && now.Before(info.ValidFrom):
		return fmt.Sprintf("%s is valid from %s", t, info.ValidFrom.Format(time.DateOnly))
	case info.ValidAt(now):
		return fmt.Sprintf("%s is valid at this time but only as its rule allows", t)
	}
	s := fmt.Sprintf("%s was retired on %s", t, info.ValidUntil.Format(time.DateOnly))
	if rs := tags.ReplacementsAt(t, now); len(rs) > 0 {
		return s + "; use " + joinTags(rs)
	}
	for range 8 { // follow retired replacements to the note that ends the chain
		if len(info.Replacements) == 0 {
			break
		}
		next, _ := tags.Lookup(info.Replacements[0])
		s += fmt.Sprintf("; its replacement %s was retired on %s", next.Tag, next.ValidUntil.Format(time.DateOnly))
		info = next
	}
	return s + "; instead: " + info.ReplacementNote
}

// anchorEvent names what an anchor's time is, for reasons.
func anchorEvent(a Anchor) string {
	switch a {
	case AnchorLastUserAction:
		return "the person's last message or action"
	case AnchorLastUserMessage:
		return "the person's last message"
	case AnchorAdReferral:
		return "the person's first message from a Click-to-Messenger ad"
	case AnchorCommentCreated:
		return "the comment or visitor post"
	case AnchorTokenIssued:
		return "the token's issue"
	case AnchorTokenExpires:
		return "the token's expiry"
	case AnchorTokenLastUsed:
		return "the token's last use"
	}
	return a.String()
}

// span formats a window length the way policy texts say it.
func span(c *Condition) string {
	var parts []string
	if c.Years == 1 {
		parts = append(parts, "1 year")
	} else if c.Years > 1 {
		parts = append(parts, fmt.Sprintf("%d years", c.Years))
	}
	switch d := c.Window; {
	case d == 0:
	case d%(24*time.Hour) == 0 && d > 24*time.Hour:
		parts = append(parts, fmt.Sprintf("%d days", d/(24*time.Hour)))
	case d%time.Hour == 0:
		parts = append(parts, fmt.Sprintf("%d hours", d/time.Hour))
	default:
		parts = append(parts, d.String())
	}
	return strings.Join(parts, " and ")
}

// explainFailure says why condition c does not hold.
func explainFailure(c *Condition, req *Request, conv *Conversation, now time.Time) string {
	if c.Kind == CondFunc && c.Func != nil {
		if _, _, reason := c.Func(*req, *conv, now); reason != "" {
			return reason
		}
	}
	if c.Reason != "" {
		return c.Reason
	}
	a := c.Anchor.of(conv)
	switch c.Kind {
	case CondWithin, CondWindowClosed, CondBefore, CondSet:
		if a.IsZero() {
			if c.Anchor == AnchorLastUserAction {
				return "Conversation.LastUserMessage and LastUserAction are zero: no record of the person's last message or action"
			}
			return fmt.Sprintf("Conversation.%s is zero: no record of %s", c.Anchor, anchorEvent(c.Anchor))
		}
	}
	switch c.Kind {
	case CondWithin:
		return fmt.Sprintf("%s was at %s; the %s after it ended at %s", anchorEvent(c.Anchor), stamp(a), span(c), stamp(c.end(a)))
	case CondWindowClosed:
		return fmt.Sprintf("the %s after %s (%s) have not passed until %s", span(c), anchorEvent(c.Anchor), stamp(a), stamp(c.end(a)))
	case CondBefore:
		return fmt.Sprintf("%s was at %s", anchorEvent(c.Anchor), stamp(a))
	case CondSpaced:
		d := c.Window
		if d == 0 {
			d = conv.TokenFrequency
		}
		return fmt.Sprintf("%s was at %s; the next send is allowed from %s", anchorEvent(c.Anchor), stamp(a), stamp(a.Add(d)))
	case CondFlag:
		return fmt.Sprintf("%s is %v, needs %v", c.Flag, c.Flag.of(req, conv), c.Want)
	case CondTemplate:
		return fmt.Sprintf("Template is %s, needs %q", echo(req.Template), c.Template)
	case CondAnyTemplate:
		return "the message is not a template"
	case CondFewerAfterWindow:
		return fmt.Sprintf("the Page sent %d messages after the window closed; at most %d allowed", conv.MessagesAfterWindow, c.Max-1)
	case CondFunc:
		return "the rule's own test failed"
	}
	return "condition failed"
}

// explainHolding says why a condition of a triggered Refuse rule holds.
func explainHolding(c *Condition, req *Request, conv *Conversation, now time.Time) string {
	if c.Kind == CondFunc && c.Func != nil {
		if _, _, reason := c.Func(*req, *conv, now); reason != "" {
			return reason
		}
	}
	if c.Reason != "" {
		return c.Reason
	}
	switch c.Kind {
	case CondFlag:
		return fmt.Sprintf("%s is %v", c.Flag, c.Want)
	case CondTemplate, CondAnyTemplate:
		return fmt.Sprintf("the message is a template (%s)", echo(req.Template))
	}
	return "its conditions hold"
}
