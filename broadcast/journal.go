package broadcast

import (
	"context"
	"slices"
	"sync"
)

// Journal is where a broadcast checkpoints each recipient, so that a run stopped by
// a crash, a deploy or Ctrl-C resumes without sending anyone a second message.
//
// A run writes, per recipient, either an outcome alone (skipped, failed before any
// send) or a claim (StateClaimed) and later the outcome. The claim is put before
// the send: a claim without an outcome, found by a later run, means the send may
// have happened, and that recipient is reported StateUnknown instead of being sent
// to again.
//
// Implementations must be safe for concurrent use, though a broadcast never calls
// them concurrently for the same PSID. Put must not return before an entry with
// StateClaimed is durable (for a file: written and synced), because the send it
// promises starts right after; outcomes may be made durable later, and are at the
// latest by the next claim or Close. Get returns the newest entry put for psid.
// [MemoryJournal] and [FileJournal] are the implementations here; anything with
// these two methods (a table in the application's database) works as well.
type Journal interface {
	Get(ctx context.Context, psid string) (Entry, bool, error)
	Put(ctx context.Context, e Entry) error
}

// MemoryJournal is a Journal in process memory: it makes one run safe against
// duplicates in its audience, and a run resumable within the same process (after a
// cancelled context), but not across a crash. It keeps every entry, so its memory
// grows with the audience. The zero value is ready to use.
type MemoryJournal struct {
	mu      sync.Mutex
	entries map[string]Entry
}

// NewMemoryJournal returns an empty MemoryJournal.
func NewMemoryJournal() *MemoryJournal { return &MemoryJournal{} }

// Get returns the newest entry for psid.
func (j *MemoryJournal) Get(_ context.Context, psid string) (Entry, bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.entries[psid]
	return e, ok, nil
}

// Put records e as the newest entry for e.PSID.
func (j *MemoryJournal) Put(_ context.Context, e Entry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.entries == nil {
		j.entries = make(map[string]Entry)
	}
	j.entries[e.PSID] = e
	return nil
}

// Entries returns the newest entry of every recipient, ordered by PSID.
func (j *MemoryJournal) Entries() []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Entry, 0, len(j.entries))
	for _, e := range j.entries {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entry) int {
		switch {
		case a.PSID < b.PSID:
			return -1
		case a.PSID > b.PSID:
			return 1
		}
		return 0
	})
	return out
}
