package storekit

import (
	"time"

	"github.com/gomessenger/messenger/store"
)

// ClaimUndo is what a store keeps beside each token so that [Unclaim] can undo its
// latest claim.
type ClaimUndo struct {
	// PrevLastUsed is the LastUsed the token had before its latest claim.
	PrevLastUsed time.Time
	// Undoable is set by a claim and cleared by a release or a PutToken.
	Undoable bool
}

// Unclaim returns stored with the claim undone, for [store.Tokens.ReleaseToken], and
// whether it undid anything, from the [ClaimUndo] the store kept beside the token.
// Only the latest claim can be undone: if the stored token was claimed again,
// released already or killed since, Unclaim changes nothing, so releasing twice is
// harmless and a dead token stays dead.
func Unclaim(stored, claimed store.Token, undo ClaimUndo) (store.Token, bool) {
	if !undo.Undoable || stored.State == store.TokenDead || stored.Uses != claimed.Uses || stored.Uses == 0 ||
		!stored.LastUsed.Equal(claimed.LastUsed) {
		return stored, false
	}
	if stored.Kind == store.OneTimeKind {
		if stored.State != store.TokenClaimed {
			return stored, false
		}
		stored.State = store.TokenLive
	}
	stored.Uses--
	stored.LastUsed = undo.PrevLastUsed
	return stored, true
}
