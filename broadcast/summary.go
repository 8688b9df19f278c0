package broadcast

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Summary counts what a broadcast did (Send) or would do (Plan). Its maps are keyed
// by bounded sets (states, ways, rule ids, error codes), so it stays small however
// large the audience.
type Summary struct {
	// Run identifies the run, as in Entry.Run (empty for a dry run).
	Run string `json:"run,omitempty"`
	// DryRun is set on the summary of Plan.
	DryRun bool `json:"dry_run,omitempty"`
	// Recipients counts the audience rows read, duplicates and invalid rows included.
	Recipients int `json:"recipients"`
	// States counts recipients per state: for Plan sendable, skipped, failed and
	// invalid; for Send the outcomes plus invalid and duplicate rows.
	States map[State]int `json:"states"`
	// Ways counts sendable (Plan) or sent (Send) recipients per way ([Way.String]).
	Ways map[string]int `json:"ways,omitempty"`
	// Skips counts skipped recipients per Entry.Rule.
	Skips map[string]int `json:"skips,omitempty"`
	// Errors counts failed and unknown recipients per Entry.ErrorKey
	// ("613", "10/2018278", "outcome_unknown", ...).
	Errors map[string]int `json:"errors,omitempty"`
	// Resumed counts recipients whose outcome an earlier run recorded (included in
	// States); unknown ones among them were claimed by a run that stopped mid-send.
	Resumed int `json:"resumed,omitempty"`
	// ReachableLater counts skipped recipients for whom the rules know when a way
	// will be allowed; EarliestReachable is the first of those times.
	ReachableLater    int       `json:"reachable_later,omitempty"`
	EarliestReachable time.Time `json:"earliest_reachable,omitzero"`
	// AtRisk counts sendable recipients (Plan) whose permission lapses before the
	// broadcast, sending at its Rate in audience order, is expected to reach them.
	AtRisk int `json:"at_risk,omitempty"`
	// Throttled counts throttling answers from Graph (each slowed the broadcast).
	Throttled int `json:"throttled,omitempty"`
	// Interrupted is set when the run stopped before the end of the audience (its
	// context was cancelled, or an error stopped it); resume it with the same journal.
	Interrupted bool `json:"interrupted,omitempty"`
	// Elapsed is how long the run took.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Count returns the number of recipients in state s.
func (s *Summary) Count(st State) int { return s.States[st] }

// WriteText writes the summary for people: one line of totals, then the counts per
// way, skip reason and error, largest first.
func (s *Summary) WriteText(w io.Writer) error {
	var b strings.Builder
	verb := "broadcast"
	if s.DryRun {
		verb = "plan"
	}
	fmt.Fprintf(&b, "%s: %d recipients", verb, s.Recipients)
	for _, st := range []State{StateSendable, StateSent, StateSkipped, StateFailed, StateUnknown, StateInvalid, StateDuplicate} {
		if n := s.States[st]; n > 0 {
			fmt.Fprintf(&b, ", %d %s", n, st)
		}
	}
	if s.Resumed > 0 {
		fmt.Fprintf(&b, " (%d from earlier runs)", s.Resumed)
	}
	if s.Interrupted {
		b.WriteString(", interrupted")
	}
	b.WriteString("\n")
	section := func(title string, m map[string]int) {
		if len(m) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s:\n", title)
		for _, k := range sortedByCount(m) {
			fmt.Fprintf(&b, "  %8d  %s\n", m[k], k)
		}
	}
	switch {
	case s.DryRun && s.Resumed > 0:
		section("sendable now or sent by earlier runs, by way", s.Ways)
	case s.DryRun:
		section("sendable by way", s.Ways)
	case s.Resumed > 0:
		section("sent by this or earlier runs, by way", s.Ways)
	default:
		section("sent by way", s.Ways)
	}
	section("skipped because", s.Skips)
	section("failed or unknown by error", s.Errors)
	if s.ReachableLater > 0 {
		fmt.Fprintf(&b, "%d skipped become reachable later, the first at %s\n", s.ReachableLater, s.EarliestReachable.UTC().Format(time.RFC3339))
	}
	if s.AtRisk > 0 {
		fmt.Fprintf(&b, "%d sendable may lose their permission before the broadcast reaches them at its rate\n", s.AtRisk)
	}
	if s.Throttled > 0 {
		fmt.Fprintf(&b, "Graph throttled %d times; the broadcast slowed down\n", s.Throttled)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sortedByCount(m map[string]int) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(m[b], m[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return keys
}

// tally collects a run's counts and audit lines; workers share it.
type tally struct {
	mu        sync.Mutex
	sum       Summary
	processed int
	audit     *json.Encoder
	auditErr  error
}

func newTally(dry bool, run string, audit io.Writer) *tally {
	t := &tally{sum: Summary{Run: run, DryRun: dry, States: map[State]int{}}}
	if audit != nil {
		t.audit = json.NewEncoder(audit)
		t.audit.SetEscapeHTML(false)
	}
	return t
}

// record counts e (resumed: an earlier run's outcome) and writes its audit line.
func (t *tally) record(e *Entry, resumed bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := &t.sum
	s.Recipients++
	t.processed++
	s.States[e.State]++
	if resumed {
		s.Resumed++
	}
	switch e.State {
	case StateSent, StateSendable:
		addTo(&s.Ways, e.Way)
	case StateSkipped:
		addTo(&s.Skips, e.Rule)
		if !e.ReachableAt.IsZero() {
			s.ReachableLater++
			if s.EarliestReachable.IsZero() || e.ReachableAt.Before(s.EarliestReachable) {
				s.EarliestReachable = e.ReachableAt
			}
		}
	case StateFailed, StateUnknown:
		addTo(&s.Errors, e.ErrorKey())
	}
	if t.audit != nil && t.auditErr == nil {
		if err := t.audit.Encode(e); err != nil {
			t.auditErr = fmt.Errorf("broadcast: writing the audit: %w", err)
		}
	}
}

func addTo(m *map[string]int, k string) {
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[k]++
}

func (t *tally) throttled() {
	t.mu.Lock()
	t.sum.Throttled++
	t.mu.Unlock()
}

func (t *tally) atRisk() {
	t.mu.Lock()
	t.sum.AtRisk++
	t.mu.Unlock()
}

func (t *tally) err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.auditErr
}

// snapshot copies the summary.
func (t *tally) snapshot() Summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.sum
	s.States = maps.Clone(s.States)
	s.Ways = maps.Clone(s.Ways)
	s.Skips = maps.Clone(s.Skips)
	s.Errors = maps.Clone(s.Errors)
	return s
}
