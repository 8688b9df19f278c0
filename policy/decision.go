package policy

import (
	"strconv"
	"strings"
	"time"

	"github.com/gomessenger/messenger/tags"
)

// NoDeadline is the Until of a permission with no known end: no window, no expiry
// and no dated rule ahead that would end it. Compare with [Decision.HasDeadline]
// or Equal; changing this variable changes nothing in the package.
var NoDeadline = noDeadline

// noDeadline is what the package uses, safe from callers assigning NoDeadline.
var noDeadline = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// Decision is the answer to "may this message go to this person now?".
type Decision struct {
	// Allowed says the message may be sent now.
	Allowed bool
	// Rule is the id of the deciding rule: the rule that allowed, the rule that
	// refused, or one of the Rule* ids of bad input ("input.…") and of no rule
	// matching ([RuleNone]).
	Rule string
	// Reason says why, in words a support agent can read.
	Reason string
	// Until is when the permission lapses (the first instant it no longer holds);
	// [NoDeadline] when nothing known ends it. Zero when refused. Another rule may
	// allow the same request after Until.
	Until time.Time
	// NotBefore is, when refused only for now (a recurring token used too recently),
	// the first instant the same request would be allowed; zero otherwise.
	NotBefore time.Time
	// ErrorCode and ErrorSubcode are what Graph would answer to the refused send
	// (docs/platform.md, “Errors”). Both are zero when allowed, and when the refusal is about the
	// caller's data (a zero now, a time in the future) rather than the send.
	ErrorCode    int
	ErrorSubcode int
	// Source names the docs/platform.md headings and sources of the deciding rule; Confidence says how
	// sure they are.
	Source     string
	Confidence tags.Confidence
	// Alternatives are requests that would be allowed now instead, most useful
	// first. Only refused decisions have them; empty when nothing would work.
	Alternatives []Alternative
}

// Alternative is a request that the rules allow now, offered when the asked one is
// refused.
type Alternative struct {
	// Request is the request to send instead: the original with what changes.
	Request Request
	// Rule is the rule that allows it.
	Rule string
	// Until is when that permission lapses.
	Until time.Time
	// Note says what the alternative demands of the message ("only if a person
	// writes the reply", "only the customer feedback template").
	Note string
}

// BadInput reports whether the decision refuses the caller's input itself (zero
// now, unknown messaging type, tag or recipient, inconsistent conversation) rather
// than applying a platform rule to it.
func (d Decision) BadInput() bool { return strings.HasPrefix(d.Rule, inputPrefix) }

// HasDeadline reports whether an allowed decision's permission has a known end
// (Until is not [NoDeadline]).
func (d Decision) HasDeadline() bool { return d.Allowed && !d.Until.Equal(noDeadline) }

// String formats the decision on one line, for logs and command-line output.
func (d Decision) String() string {
	var b strings.Builder
	if d.Allowed {
		b.WriteString("allowed by ")
		b.WriteString(d.Rule)
		if !d.HasDeadline() {
			b.WriteString(", no deadline")
		} else {
			b.WriteString(" until ")
			b.WriteString(d.Until.UTC().Format(time.RFC3339))
		}
	} else {
		b.WriteString("refused by ")
		b.WriteString(d.Rule)
		if d.ErrorCode != 0 {
			b.WriteString(" (Graph error ")
			b.WriteString(strconv.Itoa(d.ErrorCode))
			if d.ErrorSubcode != 0 {
				b.WriteString("/")
				b.WriteString(strconv.Itoa(d.ErrorSubcode))
			}
			b.WriteString(")")
		}
	}
	b.WriteString(": ")
	b.WriteString(d.Reason)
	return b.String()
}
