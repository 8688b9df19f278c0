package store

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// WindowRetention is how long a window is kept after its latest action: twice the
// longest look-back of any rule. No rule of the platform looks further back than
// seven days from the person's last message (HUMAN_AGENT and CUSTOMER_FEEDBACK; the
// standard window is 24 hours, the ad window 72; docs/platform.md, “Message tags”,
// “The 24-hour window”). The second
// week is the margin: a send up to a week past a deadline is refused by the rule
// that ran out, with the person's last message named ("8 days ago"), not as if the
// person had never written.
//
// The stores of this module keep a window until WindowRetention after the later of
// its latest action and the store's clock at the last RecordAction, so replaying old
// events, or a test with fixed dates, never loses a window just written.
const WindowRetention = 14 * 24 * time.Hour

// Limits on identifiers, so every backend can key by them (bbolt keys are at most
// 32 KiB, and a Redis key should stay small).
const (
	MaxIDLen  = 256  // Page IDs and PSIDs, in bytes
	MaxKeyLen = 1024 // dedupe keys and token values, in bytes
)

// Apply returns w with a recorded and whether anything changed. It keeps the latest
// time per kind: LastAction moves only forward, LastMessage only for ActionMessage,
// LastAdReferral only for ActionAdClick; an action not newer than what is stored
// changes nothing, so redeliveries and out-of-order events are harmless. Every
// implementation of [Windows] follows it.
func (w Window) Apply(a Action) (Window, bool) {
	changed := false
	if a.At.After(w.LastAction.At) {
		w.LastAction = a
		changed = true
	}
	switch a.Kind {
	case ActionMessage:
		if a.At.After(w.LastMessage) {
			w.LastMessage = a.At
			changed = true
		}
	case ActionAdClick:
		if a.At.After(w.LastAdReferral) {
			w.LastAdReferral = a.At
			changed = true
		}
	}
	return w, changed
}

// Claimable reports whether [Tokens.ClaimToken] may pick t at now: t is live, has not
// expired (a token is usable strictly before ExpiresAt; a zero ExpiresAt never
// expires) and, for a recurring token, MinInterval has passed since LastUsed.
func (t Token) Claimable(now time.Time) bool {
	if t.State != TokenLive {
		return false
	}
	if !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt) {
		return false
	}
	if t.Kind == RecurringKind && !t.LastUsed.IsZero() && now.Before(t.LastUsed.Add(t.MinInterval)) {
		return false
	}
	return true
}

// Claim returns t as [Tokens.ClaimToken] stores it when it picks t at now: a
// one-time token becomes claimed; both kinds get LastUsed = now and one more use.
func (t Token) Claim(now time.Time) Token {
	if t.Kind == OneTimeKind {
		t.State = TokenClaimed
	}
	t.LastUsed = now
	t.Uses++
	return t
}

// ClaimsBefore reports whether a should be claimed before b when both are claimable:
// the one that expires first (a zero ExpiresAt counts as never), then the smaller
// Value, so every implementation picks the same token.
func ClaimsBefore(a, b Token) bool {
	switch {
	case a.ExpiresAt.Equal(b.ExpiresAt):
		return a.Value < b.Value
	case a.ExpiresAt.IsZero():
		return false
	case b.ExpiresAt.IsZero():
		return true
	default:
		return a.ExpiresAt.Before(b.ExpiresAt)
	}
}

// ListsBefore is the order of [Tokens.ListTokens]: oldest IssuedAt first, then Value.
func ListsBefore(a, b Token) bool {
	if !a.IssuedAt.Equal(b.IssuedAt) {
		return a.IssuedAt.Before(b.IssuedAt)
	}
	return a.Value < b.Value
}

// SortForList sorts tokens in the order of [Tokens.ListTokens] ([ListsBefore]), so
// every implementation lists alike.
func SortForList(tokens []Token) { slices.SortFunc(tokens, compareBy(ListsBefore)) }

// Purgeable reports whether [Tokens.PurgeTokens] at now deletes t: it expired at or
// before now, it is dead, or it is a claimed (used) one-time token.
func (t Token) Purgeable(now time.Time) bool {
	switch {
	case !t.ExpiresAt.IsZero() && !t.ExpiresAt.After(now):
		return true
	case t.State == TokenDead:
		return true
	case t.Kind == OneTimeKind && t.State == TokenClaimed:
		return true
	}
	return false
}

// PrepareToken checks t for [Tokens.PutToken] and returns it as stores keep it: an
// empty State becomes TokenLive. Every implementation calls it, so all refuse the
// same input with the same [*InputError].
func PrepareToken(t Token) (Token, error) {
	const op = "PutToken"
	if err := checkKey(op, "Token.Value", t.Value, MaxKeyLen); err != nil {
		return t, err
	}
	if t.Kind != OneTimeKind && t.Kind != RecurringKind {
		return t, &InputError{Op: op, Field: "Token.Kind", Limit: fmt.Sprintf("must be %q or %q", OneTimeKind, RecurringKind), Value: strconv.Quote(string(t.Kind))}
	}
	if err := checkKey(op, "Token.Page", t.Page, MaxIDLen); err != nil {
		return t, err
	}
	if err := checkKey(op, "Token.User", t.User, MaxIDLen); err != nil {
		return t, err
	}
	switch t.State {
	case "":
		t.State = TokenLive
	case TokenLive, TokenClaimed, TokenDead:
	default:
		return t, &InputError{Op: op, Field: "Token.State", Limit: fmt.Sprintf("must be empty, %q, %q or %q", TokenLive, TokenClaimed, TokenDead), Value: strconv.Quote(string(t.State))}
	}
	if t.MinInterval < 0 {
		return t, &InputError{Op: op, Field: "Token.MinInterval", Limit: "must not be negative", Value: t.MinInterval.String()}
	}
	if t.Uses < 0 {
		return t, &InputError{Op: op, Field: "Token.Uses", Limit: "must not be negative", Value: strconv.Itoa(t.Uses)}
	}
	return t, nil
}

// CheckClaim checks the query of [Tokens.ClaimToken].
func CheckClaim(q TokenQuery) error {
	const op = "ClaimToken"
	if err := checkKey(op, "page", q.Page, MaxIDLen); err != nil {
		return err
	}
	if err := checkKey(op, "user", q.User, MaxIDLen); err != nil {
		return err
	}
	if q.Kind != OneTimeKind && q.Kind != RecurringKind {
		return &InputError{Op: op, Field: "kind", Limit: fmt.Sprintf("must be %q or %q", OneTimeKind, RecurringKind), Value: strconv.Quote(string(q.Kind))}
	}
	return nil
}

// CheckAction checks the arguments of [Windows.RecordAction]: page and user are
// set, the action has a kind and a time.
func CheckAction(page, user string, a Action) error {
	const op = "RecordAction"
	if err := checkKey(op, "page", page, MaxIDLen); err != nil {
		return err
	}
	if err := checkKey(op, "user", user, MaxIDLen); err != nil {
		return err
	}
	if a.Kind == "" {
		return &InputError{Op: op, Field: "Action.Kind", Limit: "must not be empty", Value: `""`}
	}
	if a.At.IsZero() {
		return &InputError{Op: op, Field: "Action.At", Limit: "must not be the zero time", Value: a.At.String()}
	}
	return nil
}

// CheckWindowKey checks the arguments of [Windows.Window] and [Tokens.ListTokens].
func CheckWindowKey(op, page, user string) error {
	if err := checkKey(op, "page", page, MaxIDLen); err != nil {
		return err
	}
	return checkKey(op, "user", user, MaxIDLen)
}

// CheckDedupe checks the arguments of [Dedupe.FirstSeen].
func CheckDedupe(key string, ttl time.Duration) error {
	const op = "FirstSeen"
	if err := checkKey(op, "key", key, MaxKeyLen); err != nil {
		return err
	}
	if ttl <= 0 {
		return &InputError{Op: op, Field: "ttl", Limit: "must be positive", Value: ttl.String()}
	}
	return nil
}

// CheckKey checks a key-like argument of operation op: not empty and at most max
// bytes. A value that breaks the length limit appears in the error only as its
// length, since token values are credentials.
func CheckKey(op, field, value string, max int) error {
	return checkKey(op, field, value, max)
}

func checkKey(op, field, value string, max int) error {
	if value == "" {
		return &InputError{Op: op, Field: field, Limit: "must not be empty", Value: `""`}
	}
	if len(value) > max {
		// Too long to quote usefully, and a token value is a credential: the length
		// says enough.
		return &InputError{Op: op, Field: field, Limit: fmt.Sprintf("must be at most %d bytes", max), Value: fmt.Sprintf("%d bytes", len(value))}
	}
	return nil
}

// ClaimUndo is what a store keeps beside each token so that [Unclaim] can undo its
// latest claim.
type ClaimUndo struct {
	// PrevLastUsed is the LastUsed the token had before its latest claim.
	PrevLastUsed time.Time
	// Undoable is set by a claim and cleared by a release or a PutToken.
	Undoable bool
}

// Unclaim returns stored with the claim undone, for [Tokens.ReleaseToken], and
// whether it undid anything, from the [ClaimUndo] the store kept beside the token.
// Only the latest claim can be undone: if the stored token was claimed again,
// released already or killed since, Unclaim changes nothing, so releasing twice is
// harmless and a dead token stays dead.
func Unclaim(stored, claimed Token, undo ClaimUndo) (Token, bool) {
	if !undo.Undoable || stored.State == TokenDead || stored.Uses != claimed.Uses || stored.Uses == 0 ||
		!stored.LastUsed.Equal(claimed.LastUsed) {
		return stored, false
	}
	if stored.Kind == OneTimeKind {
		if stored.State != TokenClaimed {
			return stored, false
		}
		stored.State = TokenLive
	}
	stored.Uses--
	stored.LastUsed = undo.PrevLastUsed
	return stored, true
}

// CheckTopicTokens checks the arguments of [TopicTokens.TokensByTopic]: the page
// is set; the topic may be empty, as a token's may.
func CheckTopicTokens(page string) error {
	return checkKey("TokensByTopic", "page", page, MaxIDLen)
}

// compareBy turns a less function into a slices.SortFunc comparison.
func compareBy[T any](less func(a, b T) bool) func(a, b T) int {
	return func(a, b T) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	}
}
