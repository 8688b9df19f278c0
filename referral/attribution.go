package referral

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/gomessenger/messenger"
)

// DefaultReplyWindow is how long after entering through a link a person's first
// message still counts as that link's first reply: the standard messaging window.
const DefaultReplyWindow = 24 * time.Hour

// Count is what one (ref, source) brought in.
type Count struct {
	Ref    string
	Source Source
	// New counts conversations the link opened (Get Started, first message after an
	// ad).
	New int
	// Returning counts people who came back into an existing conversation through it.
	Returning int
	// FirstReplies counts entries after which the person wrote a message within the
	// reply window: links that led to a chat, not only to an open thread. A message
	// that itself carries the referral (after an ad) counts at once.
	FirstReplies int
}

// Conversations is New + Returning.
func (c Count) Conversations() int { return c.New + c.Returning }

type countKey struct {
	ref    string
	source Source
}

type person struct{ page, user string }

type waiting struct {
	key countKey
	at  time.Time
}

// Attribution counts, per (ref, source), the conversations links brought and how
// many of them led to a message from the person. Feed it every webhook event with
// [Attribution.Observe]; read it with [Attribution.Snapshot]. It is safe for
// concurrent use.
//
// Attribution is last-touch: a person who enters through a second link before
// writing is credited to the second. Times are the events' own, so replaying a log
// gives the same counts.
type Attribution struct {
	window time.Duration

	mu      sync.Mutex
	counts  map[countKey]*Count
	pending map[person]waiting // entered, not yet written
	queue   []queued           // pending in arrival order, to forget old entries
	head    int                // queue[:head] is forgotten
	latest  time.Time
}

type queued struct {
	who person
	at  time.Time
}

// NewAttribution returns an empty counter whose first replies must come within
// replyWindow of the entry (≤ 0: [DefaultReplyWindow]).
func NewAttribution(replyWindow time.Duration) *Attribution {
	if replyWindow <= 0 {
		replyWindow = DefaultReplyWindow
	}
	return &Attribution{window: replyWindow, counts: map[countKey]*Count{}, pending: map[person]waiting{}}
}

// Observe counts ev: a referral (see [From]) as a new or returning conversation,
// a person's message as the first reply to their pending referral. Other events are
// ignored, so every event of a webhook can be passed in.
func (a *Attribution) Observe(ev messenger.Event) {
	if r, ok := From(ev); ok {
		a.Record(r)
		return
	}
	m, ok := ev.(*messenger.MessageEvent)
	if !ok || m == nil {
		return
	}
	info := m.Info()
	who := personOf(info.PageID, info.Recipient.ID, info.Sender)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.advance(info.Time)
	w, ok := a.pending[who]
	if !ok {
		return
	}
	delete(a.pending, who)
	if !info.Time.IsZero() && !w.at.IsZero() && (info.Time.Before(w.at) || info.Time.Sub(w.at) > a.window) {
		return
	}
	a.counts[w.key].FirstReplies++
}

// Record counts one referral, for callers that read referrals themselves.
func (a *Attribution) Record(r Referral) {
	key := countKey{r.Ref, r.Source}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.advance(r.Time)
	c := a.counts[key]
	if c == nil {
		c = &Count{Ref: r.Ref, Source: r.Source}
		a.counts[key] = c
	}
	if r.NewConversation {
		c.New++
	} else {
		c.Returning++
	}
	who := personOf(r.Page, "", messenger.Party{ID: r.User, UserRef: r.UserRef})
	if r.Via == ViaMessage {
		c.FirstReplies++
		delete(a.pending, who)
		return
	}
	a.pending[who] = waiting{key: key, at: r.Time}
	if !r.Time.IsZero() { // an entry without a time waits until the person writes
		a.queue = append(a.queue, queued{who, r.Time})
	}
}

func personOf(page, recipient string, sender messenger.Party) person {
	if page == "" {
		page = recipient
	}
	user := sender.ID
	if user == "" {
		user = "ref:" + sender.UserRef
	}
	return person{page, user}
}

// advance moves the clock to t and forgets entries whose reply window has passed,
// so memory stays bounded by the entries of one window.
func (a *Attribution) advance(t time.Time) {
	if t.After(a.latest) {
		a.latest = t
	}
	for ; a.head < len(a.queue) && a.latest.Sub(a.queue[a.head].at) > a.window; a.head++ {
		q := a.queue[a.head]
		if w, ok := a.pending[q.who]; ok && w.at.Equal(q.at) {
			delete(a.pending, q.who)
		}
	}
	if a.head > 64 && a.head*2 > len(a.queue) {
		a.queue = slices.Delete(a.queue, 0, a.head)
		a.head = 0
	}
}

// Snapshot returns the counts, the links that brought the most conversations
// first (then most first replies, then by ref and source).
func (a *Attribution) Snapshot() []Count {
	a.mu.Lock()
	out := make([]Count, 0, len(a.counts))
	for _, c := range a.counts {
		out = append(out, *c)
	}
	a.mu.Unlock()
	slices.SortFunc(out, func(x, y Count) int {
		return cmp.Or(
			cmp.Compare(y.Conversations(), x.Conversations()),
			cmp.Compare(y.FirstReplies, x.FirstReplies),
			cmp.Compare(x.Ref, y.Ref),
			cmp.Compare(x.Source, y.Source),
		)
	})
	return out
}
