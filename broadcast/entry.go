package broadcast

import (
	"fmt"
	"strconv"
	"time"
)

// State is where one recipient of a broadcast stands.
//
// A recipient's final state is exactly one of Sent, Skipped, Failed and Unknown.
// Claimed is the promise written to the [Journal] before a send (Released takes it
// back when the send provably did not happen); Sendable is what a
// dry run ([Broadcast.Plan]) says; Invalid and Duplicate describe audience rows
// that are not recipients of their own and appear only in audit lines and counts.
type State string

// The states of a recipient.
const (
	// StateSendable: the dry run found a way the rules allow (Plan only).
	StateSendable State = "sendable"
	// StateClaimed: the recipient is about to be sent to. A claim without an outcome
	// found when a broadcast resumes means a send may have happened: the recipient
	// becomes StateUnknown and is never sent to again.
	StateClaimed State = "claimed"
	// StateSent: Graph accepted the message; Entry.MessageID says which.
	StateSent State = "sent"
	// StateSkipped: no way the broadcast may use is allowed for this person now;
	// Entry.Rule and Entry.Reason say why, Entry.ReachableAt when it may be if known.
	StateSkipped State = "skipped"
	// StateFailed: Graph (or the SDK's local checks) refused the send, so nothing
	// was delivered; Entry.Code, Entry.Subcode and Entry.Reason carry the error.
	StateFailed State = "failed"
	// StateUnknown: the send may or may not have been delivered (the connection was
	// lost after the request went out, Graph answered 1/1357046, or a run stopped
	// between claim and outcome). It is never repeated.
	StateUnknown State = "unknown"
	// StateReleased: a claim given back because its send provably did not happen
	// (the run stopped while Graph was throttling it). A later run sends to the
	// recipient as if it were new.
	StateReleased State = "released"
	// StateInvalid: an audience row that could not be read or has no usable PSID.
	StateInvalid State = "invalid"
	// StateDuplicate: an audience row repeating a PSID met earlier in the same run.
	StateDuplicate State = "duplicate"
)

// Final reports whether s is an outcome: sent, skipped, failed or unknown.
func (s State) Final() bool {
	switch s {
	case StateSent, StateSkipped, StateFailed, StateUnknown:
		return true
	}
	return false
}

// Entry is what a broadcast records about one recipient: in the [Journal] (a claim,
// then an outcome) and, one JSON line each, in the audit log.
type Entry struct {
	// PSID is the recipient's page-scoped id; the journal's key.
	PSID string `json:"psid"`
	// State is the recipient's state.
	State State `json:"state"`
	// Run identifies the run (one Send call) that wrote the entry: the
	// broadcast's Name, a "/", and an id Send generated.
	Run string `json:"run,omitempty"`
	// At is when the entry was written (the broadcast's policy clock).
	At time.Time `json:"at,omitzero"`
	// Way is how the message was (or would be) sent, see [Way.String]; empty when
	// skipped.
	Way string `json:"way,omitempty"`
	// MessageID is Graph's message id of a sent message.
	MessageID string `json:"message_id,omitempty"`
	// Until is, for a sendable recipient, when the permission the plan found lapses.
	Until time.Time `json:"until,omitzero"`
	// Rule names what refused a skipped recipient, one "way: rule id" per way tried,
	// joined by "; ". It is the key of [Summary.Skips].
	Rule string `json:"rule,omitempty"`
	// Reason says in words why the recipient was skipped, failed or is unknown.
	Reason string `json:"reason,omitempty"`
	// ReachableAt is, for a skipped recipient, the earliest time a way would be
	// allowed, when the rules know it (a recurring token's spacing); zero otherwise.
	ReachableAt time.Time `json:"reachable_at,omitzero"`
	// Code and Subcode are the Graph error of a failed or unknown send (zero when
	// the error did not come from Graph); FBTraceID is Graph's trace id.
	Code      int    `json:"code,omitempty"`
	Subcode   int    `json:"subcode,omitempty"`
	FBTraceID string `json:"fbtrace_id,omitempty"`
	// Attempts counts the sends tried for this recipient in the run that finished it.
	Attempts int `json:"attempts,omitempty"`
}

// ErrorKey is the key of [Summary.Errors] for a failed or unknown entry: "code" or
// "code/subcode" for Graph errors, otherwise a word for the kind of failure.
func (e *Entry) ErrorKey() string {
	switch {
	case e.Code != 0 && e.Subcode != 0:
		return strconv.Itoa(e.Code) + "/" + strconv.Itoa(e.Subcode)
	case e.Code != 0:
		return strconv.Itoa(e.Code)
	case e.State == StateUnknown:
		return "outcome_unknown"
	}
	return "local"
}

// String describes the entry on one line, for logs.
func (e *Entry) String() string {
	switch e.State {
	case StateSent:
		return fmt.Sprintf("%s sent via %s (%s)", e.PSID, e.Way, e.MessageID)
	case StateSkipped:
		return fmt.Sprintf("%s skipped: %s", e.PSID, e.Reason)
	case StateFailed, StateUnknown:
		return fmt.Sprintf("%s %s [%s]: %s", e.PSID, e.State, e.ErrorKey(), e.Reason)
	}
	return fmt.Sprintf("%s %s %s", e.PSID, e.State, e.Way)
}
