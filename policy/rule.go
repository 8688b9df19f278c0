package policy

import (
	"slices"
	"strconv"
	"time"

	"github.com/gomessenger/messenger/tags"
)

// Effect is what a rule does to the requests it matches.
type Effect int

const (
	// Allow rules allow a matching request while all their conditions hold.
	Allow Effect = iota + 1
	// Refuse rules refuse a matching request when all their conditions hold, whatever
	// any Allow rule says.
	Refuse
)

// String returns "allow" or "refuse".
func (e Effect) String() string {
	switch e {
	case Allow:
		return "allow"
	case Refuse:
		return "refuse"
	}
	return "Effect(" + strconv.Itoa(int(e)) + ")"
}

// Rule is one dated rule of Meta's messaging policy, as data.
//
// A rule is in force for every now in [From, Until); a zero From means "since
// always" and a zero Until "until further notice". It applies to requests its Match
// selects. An Allow rule allows a request while all its Conditions hold, until the
// earliest deadline among them; a Refuse rule refuses a request when all its
// Conditions hold (no conditions: always).
type Rule struct {
	// ID names the rule in decisions, logs and edits ("window.standard").
	ID string
	// Summary says in one line what the rule says. It is the Reason of decisions the
	// rule allows, and it leads the Reason of those it refuses.
	Summary string
	// From and Until bound the time the rule is in force: From <= now < Until.
	From, Until time.Time
	// Effect is Allow or Refuse.
	Effect Effect
	// Match selects the requests the rule is about.
	Match Match
	// Conditions must all hold: for an Allow rule to allow, for a Refuse rule to
	// refuse.
	Conditions []Condition
	// ErrorCode and ErrorSubcode are what Graph answers when the rule refuses: a
	// Refuse rule that triggers, or an Allow rule whose condition fails (unless the
	// condition names its own error).
	ErrorCode, ErrorSubcode int
	// Source names the docs/platform.md headings and source keys behind the rule.
	Source string
	// Confidence is how sure those sources are.
	Confidence tags.Confidence
}

// InForce reports whether the rule is in force at now: From <= now < Until.
func (r *Rule) InForce(now time.Time) bool {
	if !r.From.IsZero() && now.Before(r.From) {
		return false
	}
	return r.Until.IsZero() || now.Before(r.Until)
}

func (r Rule) clone() Rule {
	r.Match.MessagingTypes = slices.Clone(r.Match.MessagingTypes)
	r.Match.Recipients = slices.Clone(r.Match.Recipients)
	r.Match.Tags = slices.Clone(r.Match.Tags)
	r.Conditions = slices.Clone(r.Conditions)
	return r
}

// Match selects requests. Every non-empty list must contain the request's value;
// empty lists match anything.
type Match struct {
	// MessagingTypes the rule is about; include [Omitted] to match requests without
	// a messaging_type.
	MessagingTypes []MessagingType
	// Recipients the rule is about; [PSID] also matches the zero RecipientKind.
	Recipients []RecipientKind
	// Tags the rule is about.
	Tags []tags.Tag
	// Tagged restricts the rule to requests that carry a tag.
	Tagged bool
}

// ConditionKind says what a [Condition] tests.
type ConditionKind int

// The kinds of condition. Each has a constructor of the same meaning: [Within],
// [WithinYears], [WindowClosed], [Before], [IsSet], [Spaced], [FlagIs], [TemplateIs],
// [AnyTemplate], [FewerAfterWindow], [Func].
const (
	CondWithin           ConditionKind = iota + 1 // now < anchor + Years + Window
	CondWindowClosed                              // now >= anchor + Years + Window
	CondBefore                                    // now < anchor
	CondSet                                       // anchor is not zero
	CondSpaced                                    // now >= anchor + Window (or Conversation.TokenFrequency)
	CondFlag                                      // a request or conversation flag equals Want
	CondTemplate                                  // Request.Template equals Template (any case)
	CondAnyTemplate                               // Request.Template is not empty
	CondFewerAfterWindow                          // Conversation.MessagesAfterWindow < Max
	CondFunc                                      // Func says so
)

// Anchor names a time in a [Conversation] that a condition counts from.
type Anchor int

// The anchors.
const (
	// AnchorLastUserAction is the later of Conversation.LastUserMessage and
	// Conversation.LastUserAction: what opens the standard window.
	AnchorLastUserAction  Anchor = iota + 1
	AnchorLastUserMessage        // Conversation.LastUserMessage
	AnchorAdReferral             // Conversation.AdReferral
	AnchorCommentCreated         // Conversation.CommentCreated
	AnchorTokenIssued            // Conversation.TokenIssued
	AnchorTokenExpires           // Conversation.TokenExpires
	AnchorTokenLastUsed          // Conversation.TokenLastUsed
)

// String names the anchor as the Conversation field(s) it reads.
func (a Anchor) String() string {
	switch a {
	case AnchorLastUserAction:
		return "LastUserAction"
	case AnchorLastUserMessage:
		return "LastUserMessage"
	case AnchorAdReferral:
		return "AdReferral"
	case AnchorCommentCreated:
		return "CommentCreated"
	case AnchorTokenIssued:
		return "TokenIssued"
	case AnchorTokenExpires:
		return "TokenExpires"
	case AnchorTokenLastUsed:
		return "TokenLastUsed"
	}
	return "Anchor(" + strconv.Itoa(int(a)) + ")"
}

func (a Anchor) valid() bool { return a >= AnchorLastUserAction && a <= AnchorTokenLastUsed }

func (a Anchor) of(c *Conversation) time.Time {
	switch a {
	case AnchorLastUserAction:
		if c.LastUserAction.After(c.LastUserMessage) {
			return c.LastUserAction
		}
		return c.LastUserMessage
	case AnchorLastUserMessage:
		return c.LastUserMessage
	case AnchorAdReferral:
		return c.AdReferral
	case AnchorCommentCreated:
		return c.CommentCreated
	case AnchorTokenIssued:
		return c.TokenIssued
	case AnchorTokenExpires:
		return c.TokenExpires
	case AnchorTokenLastUsed:
		return c.TokenLastUsed
	}
	return time.Time{}
}

// Flag names a boolean of a [Request] or [Conversation] that a condition tests.
type Flag int

// The flags.
const (
	FlagHumanAgentApproved    Flag = iota + 1 // Request.HumanAgentApproved
	FlagPromotional                           // Request.Promotional
	FlagNewsPage                              // Request.NewsPage
	FlagPhoneNumberApproved                   // Request.PhoneNumberApproved
	FlagRecurringExemptRegion                 // Request.RecurringExemptRegion
	FlagPrivateReplySent                      // Conversation.PrivateReplySent
	FlagTokenUsed                             // Conversation.TokenUsed
	FlagTokenStopped                          // Conversation.TokenStopped
)

// String names the flag as the field it reads.
func (f Flag) String() string {
	switch f {
	case FlagHumanAgentApproved:
		return "HumanAgentApproved"
	case FlagPromotional:
		return "Promotional"
	case FlagNewsPage:
		return "NewsPage"
	case FlagPhoneNumberApproved:
		return "PhoneNumberApproved"
	case FlagRecurringExemptRegion:
		return "RecurringExemptRegion"
	case FlagPrivateReplySent:
		return "PrivateReplySent"
	case FlagTokenUsed:
		return "TokenUsed"
	case FlagTokenStopped:
		return "TokenStopped"
	}
	return "Flag(" + strconv.Itoa(int(f)) + ")"
}

func (f Flag) valid() bool { return f >= FlagHumanAgentApproved && f <= FlagTokenStopped }

func (f Flag) of(r *Request, c *Conversation) bool {
	switch f {
	case FlagHumanAgentApproved:
		return r.HumanAgentApproved
	case FlagPromotional:
		return r.Promotional
	case FlagNewsPage:
		return r.NewsPage
	case FlagPhoneNumberApproved:
		return r.PhoneNumberApproved
	case FlagRecurringExemptRegion:
		return r.RecurringExemptRegion
	case FlagPrivateReplySent:
		return c.PrivateReplySent
	case FlagTokenUsed:
		return c.TokenUsed
	case FlagTokenStopped:
		return c.TokenStopped
	}
	return false
}

// Condition is one test of a rule. Build conditions with the constructors ([Within],
// [FlagIs], …) and refine them with [Condition.WithError], [Condition.OrUnset] and
// [Condition.Because]; the fields are exported so hosts can read and adjust rules.
type Condition struct {
	Kind ConditionKind
	// Anchor is the conversation time that time conditions count from.
	Anchor Anchor
	// Window is the length of a time condition (and the spacing of CondSpaced; zero
	// there means Conversation.TokenFrequency).
	Window time.Duration
	// Years adds calendar years, counted in UTC, before Window.
	Years int
	// Optional makes a zero anchor satisfy the condition instead of failing it
	// (see [Condition.OrUnset]).
	Optional bool
	// Flag and Want: CondFlag holds when the flag equals Want.
	Flag Flag
	Want bool
	// Template is the template_type CondTemplate wants.
	Template string
	// Max bounds CondFewerAfterWindow.
	Max int
	// Func decides CondFunc: whether it holds, the deadline it sets (zero: none;
	// a deadline not after now fails the condition) and a reason that explains the
	// outcome in decisions (why it fails an Allow rule, why it triggers a Refuse
	// rule). It must be pure and safe for concurrent use.
	Func func(req Request, conv Conversation, now time.Time) (ok bool, until time.Time, reason string)
	// ErrorCode and ErrorSubcode, when ErrorCode is not zero, replace the rule's
	// error when this condition fails an Allow rule.
	ErrorCode, ErrorSubcode int
	// Reason, when not empty, replaces the generated explanation of the condition.
	Reason string
}

// Within holds while now is less than d after the anchor; the anchor's time plus d
// is the deadline it sets. A zero anchor fails it.
func Within(a Anchor, d time.Duration) Condition {
	return Condition{Kind: CondWithin, Anchor: a, Window: d}
}

// WithinYears is [Within] for calendar years counted in UTC (one year after
// 2024-02-29 is 2025-03-01).
func WithinYears(a Anchor, years int) Condition {
	return Condition{Kind: CondWithin, Anchor: a, Years: years}
}

// WindowClosed holds once d has passed since the anchor. A zero anchor fails it.
func WindowClosed(a Anchor, d time.Duration) Condition {
	return Condition{Kind: CondWindowClosed, Anchor: a, Window: d}
}

// Before holds while now is before the anchor's time, which is the deadline it
// sets. A zero anchor fails it.
func Before(a Anchor) Condition { return Condition{Kind: CondBefore, Anchor: a} }

// IsSet holds when the anchor is not zero.
func IsSet(a Anchor) Condition { return Condition{Kind: CondSet, Anchor: a} }

// Spaced holds when the anchor is zero or at least d has passed since it; a zero d
// means Conversation.TokenFrequency. When it fails, the decision's NotBefore says
// when it will hold.
func Spaced(a Anchor, d time.Duration) Condition {
	return Condition{Kind: CondSpaced, Anchor: a, Window: d}
}

// FlagIs holds when the flag equals want.
func FlagIs(f Flag, want bool) Condition { return Condition{Kind: CondFlag, Flag: f, Want: want} }

// TemplateIs holds when Request.Template is name, in any case.
func TemplateIs(name string) Condition { return Condition{Kind: CondTemplate, Template: name} }

// AnyTemplate holds when the message is a template (Request.Template is not empty).
func AnyTemplate() Condition { return Condition{Kind: CondAnyTemplate} }

// FewerAfterWindow holds while the Page sent fewer than n messages since the
// standard window closed (Conversation.MessagesAfterWindow < n).
func FewerAfterWindow(n int) Condition { return Condition{Kind: CondFewerAfterWindow, Max: n} }

// Func is a condition decided by f, for rules the other kinds cannot say. f must be
// pure and safe for concurrent use; see [Condition.Func].
func Func(f func(req Request, conv Conversation, now time.Time) (ok bool, until time.Time, reason string)) Condition {
	return Condition{Kind: CondFunc, Func: f}
}

// WithError returns c answering Graph error code/subcode when it fails an Allow rule.
func (c Condition) WithError(code, subcode int) Condition {
	c.ErrorCode, c.ErrorSubcode = code, subcode
	return c
}

// OrUnset returns c satisfied by a zero anchor: an optional limit.
func (c Condition) OrUnset() Condition {
	c.Optional = true
	return c
}

// Because returns c with reason as its explanation in decisions.
func (c Condition) Because(reason string) Condition {
	c.Reason = reason
	return c
}

// end is the anchor's time plus Years and Window.
func (c *Condition) end(a time.Time) time.Time {
	if c.Years != 0 {
		a = addYears(a, c.Years)
	}
	return a.Add(c.Window)
}

// eval tests c. deadline is the instant c stops holding (zero: none); notBefore
// is the instant a failing CondSpaced starts holding.
func (c *Condition) eval(req *Request, conv *Conversation, now time.Time) (ok bool, deadline, notBefore time.Time) {
	switch c.Kind {
	case CondWithin, CondWindowClosed, CondBefore, CondSet:
		a := c.Anchor.of(conv)
		if a.IsZero() {
			return c.Optional, time.Time{}, time.Time{}
		}
		switch c.Kind {
		case CondWithin:
			e := c.end(a)
			return now.Before(e), e, time.Time{}
		case CondWindowClosed:
			return !now.Before(c.end(a)), time.Time{}, time.Time{}
		case CondBefore:
			return now.Before(a), a, time.Time{}
		}
		return true, time.Time{}, time.Time{}
	case CondSpaced:
		a := c.Anchor.of(conv)
		if a.IsZero() {
			return true, time.Time{}, time.Time{}
		}
		d := c.Window
		if d == 0 {
			d = conv.TokenFrequency
		}
		next := a.Add(d)
		if now.Before(next) {
			return false, time.Time{}, next
		}
		return true, time.Time{}, time.Time{}
	case CondFlag:
		return c.Flag.of(req, conv) == c.Want, time.Time{}, time.Time{}
	case CondTemplate:
		return equalFold(req.Template, c.Template), time.Time{}, time.Time{}
	case CondAnyTemplate:
		return req.Template != "", time.Time{}, time.Time{}
	case CondFewerAfterWindow:
		return conv.MessagesAfterWindow < c.Max, time.Time{}, time.Time{}
	case CondFunc:
		if c.Func == nil {
			return false, time.Time{}, time.Time{}
		}
		ok, until, _ := c.Func(*req, *conv, now)
		if ok && !until.IsZero() && !until.After(now) {
			// A deadline that has passed cannot allow.
			return false, time.Time{}, time.Time{}
		}
		return ok, until, time.Time{}
	}
	return false, time.Time{}, time.Time{}
}

// equalFold is strings.EqualFold for ASCII template names, without its Unicode
// tables on the hot path.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
