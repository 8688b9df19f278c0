package store

import "time"

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
