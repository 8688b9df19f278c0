package policy

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"sync"
	"time"

	"github.com/gomessenger/messenger/tags"
)

// Errors of the editing methods of [Rules]. The returned errors wrap them and name
// the rule and the offending value.
var (
	// ErrUnknownRule: no rule with that id.
	ErrUnknownRule = errors.New("policy: unknown rule")
	// ErrDuplicateRule: a rule with that id exists already.
	ErrDuplicateRule = errors.New("policy: duplicate rule id")
	// ErrInvalidRule: the rule cannot be evaluated as given.
	ErrInvalidRule = errors.New("policy: invalid rule")
)

// Rules is an ordered set of dated rules and the engine that applies them.
//
// Build one with [Default] (Meta's rules as docs/platform.md records them) and adjust it
// with Add, Replace, Remove, Edit, Move, SetWindow and SetError when Meta changes a
// rule again or the host knows better. The order matters twice: among Refuse rules
// the first that triggers decides, and when no Allow rule allows, the first matching
// Allow rule that failed gives the refusal.
//
// Check, Alternatives and the read methods may run concurrently with each other.
// The editing methods must not run concurrently with anything else on the same
// Rules: edit at start-up, or edit a [Rules.Clone] and publish it (an
// atomic.Pointer[Rules] does).
//
// The zero Rules has no rules and refuses everything with [RuleNone]; a nil *Rules
// checks with the default rules.
type Rules struct {
	list   []Rule
	refuse []compiled
	allow  []compiled
	// types and recipients give each messaging type and recipient kind a bit;
	// builtin ones have fixed bits, others come from rules.
	types      map[MessagingType]uint64
	recipients map[RecipientKind]uint64
	skew       time.Duration

	// Shortlists let Check look only at the rules that match a request. lists
	// holds the rule indexes they point into; everything is the shortlist of all
	// rules, for requests the others do not cover, whose rules must still be
	// matched one by one.
	lists      []int32
	everything shortlist
	// untagged has, for each builtin (messaging type, recipient kind) pair, the
	// rules that match a request of that pair without a tag.
	untagged [numBuiltinTypes * numBuiltinKinds]shortlist
	// tagRows numbers the tags that rules name (those the catalogue does not know
	// are valid only because a rule names them); row n of tagged is
	// tagged[n*numBuiltinPairs:], one shortlist per builtin pair, of the rules
	// that match a request of that pair with that tag.
	tagRows tagTable
	tagged  []shortlist
	// scanAll makes Check ignore the shortlists, so tests can compare the two.
	scanAll bool
}

const numBuiltinPairs = numBuiltinTypes * numBuiltinKinds

// shortlist is a run of Rules.lists: refuse indexes into Rules.refuse, then allow
// indexes into Rules.allow, each in rule order.
type shortlist struct {
	at, refuse, allow int32
}

// compiled is a rule prepared for fast matching.
type compiled struct {
	rule       *Rule
	types      uint64 // 0: any
	recipients uint64 // 0: any
}

var defaultRules = sync.OnceValue(func() *Rules {
	r, err := NewRules(defaultTimeline()...)
	if err != nil {
		panic("policy: default rules invalid: " + err.Error()) // caught by tests
	}
	return r
})

// Default returns a fresh copy of the default rules: the timeline of Meta's rules
// as docs/platform.md records them (see the package documentation). Changing it
// changes nothing else.
func Default() *Rules { return defaultRules().Clone() }

// NewRules returns a rule set holding rs in order. It fails if a rule is invalid or
// two share an id.
func NewRules(rs ...Rule) (*Rules, error) {
	r := &Rules{}
	for _, x := range rs {
		if err := r.add(x); err != nil {
			return nil, err
		}
	}
	r.compile()
	return r, nil
}

// Clone returns an independent copy of r.
func (r *Rules) Clone() *Rules {
	if r == nil {
		return Default()
	}
	c := &Rules{list: make([]Rule, len(r.list)), skew: r.skew}
	for i, x := range r.list {
		c.list[i] = x.clone()
	}
	c.compile()
	return c
}

// List returns copies of the rules in order.
func (r *Rules) List() []Rule {
	r = r.orDefault()
	out := make([]Rule, len(r.list))
	for i, x := range r.list {
		out[i] = x.clone()
	}
	return out
}

// InForce returns copies of the rules in force at the instant at, in order.
func (r *Rules) InForce(at time.Time) []Rule {
	r = r.orDefault()
	var out []Rule
	for i := range r.list {
		if r.list[i].InForce(at) {
			out = append(out, r.list[i].clone())
		}
	}
	return out
}

// Rule returns a copy of the rule with the given id.
func (r *Rules) Rule(id string) (Rule, bool) {
	r = r.orDefault()
	i := r.find(id)
	if i < 0 {
		return Rule{}, false
	}
	return r.list[i].clone(), true
}

// Add appends a rule. It fails if the rule is invalid or its id is taken.
func (r *Rules) Add(x Rule) error {
	if err := r.add(x); err != nil {
		return err
	}
	r.compile()
	return nil
}

func (r *Rules) add(x Rule) error {
	if r == nil {
		return fmt.Errorf("%w: Add on a nil *Rules", ErrInvalidRule)
	}
	if r.find(x.ID) >= 0 {
		return fmt.Errorf("%w: %q", ErrDuplicateRule, x.ID)
	}
	if err := validateRule(&x); err != nil {
		return err
	}
	r.list = append(r.list, x.clone())
	return nil
}

// Replace puts x in place of the rule with the same id, keeping its position.
func (r *Rules) Replace(x Rule) error {
	i := r.find(x.ID)
	if i < 0 {
		return fmt.Errorf("%w: %q", ErrUnknownRule, x.ID)
	}
	if err := validateRule(&x); err != nil {
		return err
	}
	r.list[i] = x.clone()
	r.compile()
	return nil
}

// Remove drops the rule with the given id.
func (r *Rules) Remove(id string) error {
	i := r.find(id)
	if i < 0 {
		return fmt.Errorf("%w: %q", ErrUnknownRule, id)
	}
	r.list = append(r.list[:i], r.list[i+1:]...)
	r.compile()
	return nil
}

// Edit calls f on a copy of the rule with the given id and puts the result in its
// place if it is valid. f must keep the id.
func (r *Rules) Edit(id string, f func(*Rule)) error {
	i := r.find(id)
	if i < 0 {
		return fmt.Errorf("%w: %q", ErrUnknownRule, id)
	}
	x := r.list[i].clone()
	f(&x)
	if x.ID != id {
		return fmt.Errorf("%w: Edit changed ID from %q to %q", ErrInvalidRule, id, x.ID)
	}
	return r.Replace(x)
}

// Move re-dates the rule with the given id to be in force from from until until
// (zero: open-ended), for when Meta moves a date.
func (r *Rules) Move(id string, from, until time.Time) error {
	return r.Edit(id, func(x *Rule) { x.From, x.Until = from, until })
}

// SetWindow changes the length of the rule's first window condition (CondWithin or
// CondWindowClosed), for rules whose length is uncertain, such as
// [RuleAdWindow]. It clears any calendar years of that condition.
func (r *Rules) SetWindow(id string, d time.Duration) error {
	found := false
	err := r.Edit(id, func(x *Rule) {
		for i := range x.Conditions {
			if k := x.Conditions[i].Kind; k == CondWithin || k == CondWindowClosed {
				x.Conditions[i].Window, x.Conditions[i].Years = d, 0
				found = true
				return
			}
		}
	})
	if err == nil && !found {
		return fmt.Errorf("%w: rule %q has no window condition", ErrInvalidRule, id)
	}
	return err
}

// SetError changes the Graph error the rule answers when it refuses (conditions
// with their own error keep it), for codes docs/platform.md marks as unconfirmed, such as
// 10/2534022 in place of 10/2018278.
func (r *Rules) SetError(id string, code, subcode int) error {
	return r.Edit(id, func(x *Rule) { x.ErrorCode, x.ErrorSubcode = code, subcode })
}

// SetClockSkew lets conversation times up to d after now count as past instead of
// being refused as bad input, for hosts whose clock trails the webhook timestamps
// Meta sends. The default is zero.
func (r *Rules) SetClockSkew(d time.Duration) error {
	if r == nil {
		return fmt.Errorf("%w: SetClockSkew on a nil *Rules", ErrInvalidRule)
	}
	if d < 0 {
		return fmt.Errorf("%w: clock skew %v must not be negative", ErrInvalidRule, d)
	}
	r.skew = d
	return nil
}

func (r *Rules) find(id string) int {
	if r == nil {
		return -1
	}
	for i := range r.list {
		if r.list[i].ID == id {
			return i
		}
	}
	return -1
}

func (r *Rules) orDefault() *Rules {
	if r == nil {
		return defaultRules()
	}
	return r
}

// Builtin bits; custom messaging types and recipient kinds named by rules take the
// bits above.
var (
	builtinTypes = [numBuiltinTypes]MessagingType{Omitted, Response, Update, MessageTag, Utility}
	builtinKinds = [numBuiltinKinds]RecipientKind{PSID, UserRef, Comment, Post, OTNToken, RecurringToken, Phone}
)

const numBuiltinTypes, numBuiltinKinds = 5, 7

func typeBit(t MessagingType) uint64 {
	switch t {
	case Omitted:
		return 1 << 0
	case Response:
		return 1 << 1
	case Update:
		return 1 << 2
	case MessageTag:
		return 1 << 3
	case Utility:
		return 1 << 4
	}
	return 0
}

func recipientBit(k RecipientKind) uint64 {
	switch k {
	case PSID, "":
		return 1 << 0
	case UserRef:
		return 1 << 1
	case Comment:
		return 1 << 2
	case Post:
		return 1 << 3
	case OTNToken:
		return 1 << 4
	case RecurringToken:
		return 1 << 5
	case Phone:
		return 1 << 6
	}
	return 0
}

func (r *Rules) typeBit(t MessagingType) uint64 {
	if b := typeBit(t); b != 0 {
		return b
	}
	return r.types[t]
}

func (r *Rules) recipientBit(k RecipientKind) uint64 {
	if b := recipientBit(k); b != 0 {
		return b
	}
	return r.recipients[k]
}

// compile prepares the rules for Check. Custom types and kinds beyond 64 bits in
// all cannot happen: validateRule limits each list, and compile gives up on bits
// past 63 by matching nothing new.
func (r *Rules) compile() {
	r.refuse, r.allow = nil, nil
	r.types, r.recipients = nil, nil
	var named []tags.Tag
	seen := map[tags.Tag]bool{}
	nextType, nextKind := uint(len(builtinTypes)), uint(len(builtinKinds))
	for i := range r.list {
		x := &r.list[i]
		c := compiled{rule: x}
		for _, t := range x.Match.MessagingTypes {
			b := typeBit(t)
			if b == 0 {
				if b = r.types[t]; b == 0 && nextType < 64 {
					if r.types == nil {
						r.types = map[MessagingType]uint64{}
					}
					b = 1 << nextType
					nextType++
					r.types[t] = b
				}
			}
			c.types |= b
		}
		for _, k := range x.Match.Recipients {
			b := recipientBit(k)
			if b == 0 {
				if b = r.recipients[k]; b == 0 && nextKind < 64 {
					if r.recipients == nil {
						r.recipients = map[RecipientKind]uint64{}
					}
					b = 1 << nextKind
					nextKind++
					r.recipients[k] = b
				}
			}
			c.recipients |= b
		}
		for _, t := range x.Match.Tags {
			if !seen[t] && t != "" {
				seen[t] = true
				named = append(named, t)
			}
		}
		if x.Effect == Refuse {
			r.refuse = append(r.refuse, c)
		} else {
			r.allow = append(r.allow, c)
		}
	}
	r.tagRows = newTagTable(named)
	r.compileShortlists(named)
}

// compileShortlists lists, for every builtin (messaging type, recipient kind) pair
// and every tag rules name (and no tag), the rules that match such a request.
func (r *Rules) compileShortlists(named []tags.Tag) {
	r.lists = make([]int32, 0, len(r.refuse)+len(r.allow))
	r.everything = r.collect(func(*compiled) bool { return true })
	r.tagged = make([]shortlist, len(named)*numBuiltinPairs)
	for ti := range builtinTypes {
		for ki := range builtinKinds {
			tb, kb := uint64(1)<<ti, uint64(1)<<ki
			pair := ti*numBuiltinKinds + ki
			r.untagged[pair] = r.collect(func(c *compiled) bool { return c.matches(tb, kb, "") })
			for row, t := range named {
				r.tagged[row*numBuiltinPairs+pair] = r.collect(func(c *compiled) bool { return c.matches(tb, kb, t) })
			}
		}
	}
}

// collect appends to r.lists the rules for which keep is true and returns their
// shortlist.
func (r *Rules) collect(keep func(*compiled) bool) shortlist {
	sl := shortlist{at: int32(len(r.lists))}
	for i := range r.refuse {
		if keep(&r.refuse[i]) {
			r.lists = append(r.lists, int32(i))
			sl.refuse++
		}
	}
	for i := range r.allow {
		if keep(&r.allow[i]) {
			r.lists = append(r.lists, int32(i))
			sl.allow++
		}
	}
	return sl
}

// selection is what Check knows of a request before applying rules: its bits,
// whether a rule names its tag, and the rules to look at. With all, those are every
// rule, to be matched one by one; otherwise they are exactly the rules that match.
type selection struct {
	tb, rb        uint64
	named         bool
	all           bool
	refuse, allow []int32
}

// selectRules fills s for req, with the shortlist of its builtin type and recipient
// kind, and of its tag when a rule names it. Custom types and kinds, tags no rule
// names and scanAll get every rule.
func (r *Rules) selectRules(req *Request, s *selection) {
	s.tb, s.rb = r.typeBit(req.MessagingType), r.recipientBit(req.Recipient)
	ti, ki := bits.TrailingZeros64(s.tb), bits.TrailingZeros64(s.rb)
	builtin := ti < numBuiltinTypes && ki < numBuiltinKinds
	sl := &r.everything
	if req.Tag == "" {
		if builtin {
			sl = &r.untagged[ti*numBuiltinKinds+ki]
		}
	} else if row, ok := r.tagRows.row(req.Tag); ok {
		s.named = true
		if builtin {
			sl = &r.tagged[row*numBuiltinPairs+ti*numBuiltinKinds+ki]
		}
	}
	if r.scanAll {
		sl = &r.everything
	}
	s.all = sl == &r.everything
	s.refuse = r.lists[sl.at : sl.at+sl.refuse]
	s.allow = r.lists[sl.at+sl.refuse : sl.at+sl.refuse+sl.allow]
}

// matches reports whether c, a rule of the selection's lists, matches the request
// with that tag: always, unless the lists hold every rule.
func (s *selection) matches(c *compiled, tag tags.Tag) bool {
	return !s.all || c.matches(s.tb, s.rb, tag)
}

// matches reports whether the compiled rule selects a request with these bits and
// tag.
func (c *compiled) matches(typ, recipient uint64, tag tags.Tag) bool {
	if c.types != 0 && c.types&typ == 0 {
		return false
	}
	if c.recipients != 0 && c.recipients&recipient == 0 {
		return false
	}
	m := &c.rule.Match
	if m.Tagged && tag == "" {
		return false
	}
	if len(m.Tags) == 0 {
		return true
	}
	for _, t := range m.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// maxMatchValues bounds each Match list so the bit sets cannot run out.
const maxMatchValues = 16

func validateRule(x *Rule) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: rule %q: %s", ErrInvalidRule, x.ID, fmt.Sprintf(format, args...))
	}
	if x.ID == "" || strings.TrimSpace(x.ID) != x.ID || strings.HasPrefix(x.ID, inputPrefix) || x.ID == RuleNone {
		return bad("ID must be non-empty, without surrounding space, not %q and not start with %q", RuleNone, inputPrefix)
	}
	if x.Effect != Allow && x.Effect != Refuse {
		return bad("Effect is %d, want Allow or Refuse", int(x.Effect))
	}
	if !x.From.IsZero() && !x.Until.IsZero() && !x.From.Before(x.Until) {
		return bad("From %s is not before Until %s", x.From.Format(time.RFC3339Nano), x.Until.Format(time.RFC3339Nano))
	}
	if x.ErrorCode < 0 || x.ErrorSubcode < 0 {
		return bad("ErrorCode %d and ErrorSubcode %d must not be negative", x.ErrorCode, x.ErrorSubcode)
	}
	if n := max(len(x.Match.MessagingTypes), len(x.Match.Recipients)); n > maxMatchValues {
		return bad("Match lists %d values, at most %d", n, maxMatchValues)
	}
	for i := range x.Conditions {
		if problem := validateCondition(&x.Conditions[i]); problem != "" {
			return bad("Conditions[%d].%s", i, problem)
		}
	}
	return nil
}

// validateCondition returns what is wrong with c, starting with the field, or "".
func validateCondition(c *Condition) string {
	if c.ErrorCode < 0 || c.ErrorSubcode < 0 {
		return fmt.Sprintf("ErrorCode %d and ErrorSubcode %d must not be negative", c.ErrorCode, c.ErrorSubcode)
	}
	switch c.Kind {
	case CondWithin, CondWindowClosed:
		if !c.Anchor.valid() {
			return fmt.Sprintf("Anchor %d is not an Anchor", int(c.Anchor))
		}
		if c.Window < 0 || c.Years < 0 || (c.Window == 0 && c.Years == 0) {
			return fmt.Sprintf("Window %v and Years %d must not be negative and not both zero", c.Window, c.Years)
		}
	case CondBefore, CondSet:
		if !c.Anchor.valid() {
			return fmt.Sprintf("Anchor %d is not an Anchor", int(c.Anchor))
		}
	case CondSpaced:
		if !c.Anchor.valid() {
			return fmt.Sprintf("Anchor %d is not an Anchor", int(c.Anchor))
		}
		if c.Window < 0 {
			return fmt.Sprintf("Window %v must not be negative", c.Window)
		}
	case CondFlag:
		if !c.Flag.valid() {
			return fmt.Sprintf("Flag %d is not a Flag", int(c.Flag))
		}
	case CondTemplate:
		if c.Template == "" {
			return "Template must not be empty (use AnyTemplate)"
		}
	case CondAnyTemplate:
	case CondFewerAfterWindow:
		if c.Max < 1 {
			return fmt.Sprintf("Max %d must be at least 1", c.Max)
		}
	case CondFunc:
		if c.Func == nil {
			return "Func must not be nil"
		}
	default:
		return fmt.Sprintf("Kind %d is not a ConditionKind", int(c.Kind))
	}
	return ""
}
