package responsiveness

import (
	"cmp"
	"slices"
	"time"
)

// Direction says who wrote a message.
type Direction int

const (
	// Inbound is a message from the person to the Page.
	Inbound Direction = iota + 1
	// Outbound is a message from the Page to the person: a send by any app, or a
	// human reply from the Page inbox (both arrive as echoes).
	Outbound
)

// Message is one message of a conversation between a Page and a person, the only
// input the computation needs.
type Message struct {
	Page string    // Page id
	User string    // the person's PSID (or user_ref)
	At   time.Time // when it was sent
	Dir  Direction
}

// Options are the thresholds of a report. The zero value means Meta's "very
// responsive" badge thresholds: 90% of inquiries answered within 15 minutes.
type Options struct {
	// Target is the response time an answer must beat to count towards the badge
	// (default 15 minutes).
	Target time.Duration
	// BadgeRate is the share of inquiries that must be answered within Target
	// (default 0.9).
	BadgeRate float64
	// StaleAfter lists a conversation as unanswered once its person has waited this
	// long at the end of the period (default: Target).
	StaleAfter time.Duration
}

func (o Options) withDefaults() Options {
	if o.Target <= 0 {
		o.Target = 15 * time.Minute
	}
	if o.BadgeRate <= 0 {
		o.BadgeRate = 0.9
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = o.Target
	}
	return o
}

// Waiting is a conversation whose person is still waiting for the Page at the end of
// the period.
type Waiting struct {
	User  string
	Since time.Time     // the first unanswered message
	For   time.Duration // To − Since
}

// Report is the responsiveness of one Page over one period.
//
// An inquiry is the run of messages a person sends while no answer is pending: it
// starts with the person's first message after the Page's last reply (or ever) and is
// answered by the Page's next message to that person. Several messages in a row are
// one inquiry, timed from the first. An inquiry belongs to the period in which it
// started; an answer counts if it comes before the period ends.
type Report struct {
	Page     string
	From, To time.Time

	Inquiries int // inquiries that started in [From, To)
	Answered  int // of those, answered before To
	// InTarget counts the inquiries answered within Options.Target.
	InTarget int
	// Pending counts the inquiries still open at To that started no more than Target
	// before it: they can still be answered in time, so the badge ignores them.
	Pending int

	// ResponseRate is Answered / Inquiries (0 without inquiries).
	ResponseRate float64
	// TargetRate is InTarget / (Inquiries − Pending), the share the badge looks at
	// (0 when nothing is decided yet).
	TargetRate float64
	// Badge reports whether TargetRate reaches Options.BadgeRate (false without
	// decided inquiries).
	Badge bool

	// Median and P90 are nearest-rank percentiles of the response times of the
	// answered inquiries: the smallest observed time that at least 50% (90%) of them
	// did not exceed. Zero without answers.
	Median, P90 time.Duration

	// Unanswered lists the conversations waiting at To for at least
	// Options.StaleAfter, longest-waiting first, whenever their inquiry started.
	Unanswered []Waiting
}

type inquiry struct {
	user     string
	start    time.Time
	answered time.Time // zero: open at the end
}

// Compute reports the responsiveness of every Page in msgs over [from, to), one
// Report per Page sorted by Page id. to is also "now": messages at or after it are
// ignored, open inquiries are measured against it. Messages before from are read
// only to know which inquiries were already open. msgs may be in any order; it is
// not modified.
func Compute(msgs []Message, from, to time.Time, opts Options) []Report {
	opts = opts.withDefaults()
	sorted := make([]Message, 0, len(msgs))
	for _, m := range msgs {
		if m.At.Before(to) && (m.Dir == Inbound || m.Dir == Outbound) {
			sorted = append(sorted, m)
		}
	}
	slices.SortStableFunc(sorted, func(a, b Message) int { return a.At.Compare(b.At) })

	type conv struct{ page, user string }
	open := map[conv]time.Time{}
	byPage := map[string][]inquiry{}
	for _, m := range sorted {
		c := conv{m.Page, m.User}
		if _, ok := byPage[m.Page]; !ok {
			byPage[m.Page] = nil
		}
		start, waiting := open[c]
		switch {
		case m.Dir == Inbound && !waiting:
			open[c] = m.At
		case m.Dir == Outbound && waiting:
			byPage[m.Page] = append(byPage[m.Page], inquiry{user: m.User, start: start, answered: m.At})
			delete(open, c)
		}
	}
	for c, start := range open {
		byPage[c.page] = append(byPage[c.page], inquiry{user: c.user, start: start})
	}

	reports := make([]Report, 0, len(byPage))
	for page, inqs := range byPage {
		reports = append(reports, summarize(page, inqs, from, to, opts))
	}
	slices.SortFunc(reports, func(a, b Report) int { return cmp.Compare(a.Page, b.Page) })
	return reports
}

func summarize(page string, inqs []inquiry, from, to time.Time, opts Options) Report {
	r := Report{Page: page, From: from, To: to}
	var times []time.Duration
	for _, q := range inqs {
		if q.answered.IsZero() {
			if waited := to.Sub(q.start); waited >= opts.StaleAfter {
				r.Unanswered = append(r.Unanswered, Waiting{User: q.user, Since: q.start, For: waited})
			}
		}
		if q.start.Before(from) {
			continue
		}
		r.Inquiries++
		if q.answered.IsZero() {
			if to.Sub(q.start) <= opts.Target {
				r.Pending++
			}
			continue
		}
		d := q.answered.Sub(q.start)
		r.Answered++
		times = append(times, d)
		if d <= opts.Target {
			r.InTarget++
		}
	}
	if r.Inquiries > 0 {
		r.ResponseRate = float64(r.Answered) / float64(r.Inquiries)
	}
	if decided := r.Inquiries - r.Pending; decided > 0 {
		r.TargetRate = float64(r.InTarget) / float64(decided)
		r.Badge = r.TargetRate >= opts.BadgeRate
	}
	slices.Sort(times)
	r.Median = nearestRank(times, 50)
	r.P90 = nearestRank(times, 90)
	slices.SortFunc(r.Unanswered, func(a, b Waiting) int {
		return cmp.Or(a.Since.Compare(b.Since), cmp.Compare(a.User, b.User))
	})
	return r
}

// nearestRank returns the p-th percentile of sorted by the nearest-rank method: the
// value at rank ⌈p/100 · n⌉.
func nearestRank(sorted []time.Duration, p int) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (p*n + 99) / 100
	return sorted[max(rank, 1)-1]
}
