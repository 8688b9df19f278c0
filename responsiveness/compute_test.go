package responsiveness

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var day = time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)

func at(hhmm string) time.Time {
	var h, m int
	if _, err := fmt.Sscanf(hhmm, "%d:%d", &h, &m); err != nil {
		panic(err)
	}
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

func in(page, user, hhmm string) Message  { return Message{page, user, at(hhmm), Inbound} }
func out(page, user, hhmm string) Message { return Message{page, user, at(hhmm), Outbound} }

// scriptedDay is one day of two Pages. Times before 00:00 are written as negative
// hours (-1:00 is 23:00 the day before), after the day as 24:xx.
func scriptedDay() []Message {
	msgs := []Message{
		// P1: a busy support Page that misses the badge.
		in("P1", "hank", "-2:00"),                            // waiting since yesterday, never answered
		in("P1", "gina", "-1:00"), out("P1", "gina", "0:20"), // yesterday's inquiry: not today's
		out("P1", "ivan", "8:00"),                                                        // the Page writes first: no inquiry
		in("P1", "alice", "9:00"), in("P1", "alice", "9:02"), out("P1", "alice", "9:05"), // 5m, one inquiry
		out("P1", "alice", "9:06"),                              // a second reply answers nothing
		in("P1", "alice", "10:00"), out("P1", "alice", "10:30"), // 30m
		in("P1", "bob", "11:00"), out("P1", "bob", "11:01"), // 1m
		in("P1", "carol", "12:00"), out("P1", "carol", "12:10"), // 10m
		in("P1", "dave", "13:00"), out("P1", "dave", "13:15"), // 15m: exactly on target
		in("P1", "erin", "14:00"), out("P1", "erin", "24:05"), // answered only tomorrow
		in("P1", "frank", "23:50"), // 10 minutes old at midnight: pending
	}
	// P2: ten inquiries, nine answered within 1..9 minutes, one in 20: exactly 90%.
	for i := range 10 {
		user := fmt.Sprintf("u%d", i)
		start := fmt.Sprintf("%d:00", 8+i)
		reply := fmt.Sprintf("%d:%02d", 8+i, i+1)
		if i == 9 {
			reply = "17:20"
		}
		msgs = append(msgs, in("P2", user, start), out("P2", user, reply))
	}
	return msgs
}

func TestComputeScriptedDay(t *testing.T) {
	t.Parallel()
	from, to := day, day.Add(24*time.Hour)
	want := []Report{{
		Page: "P1", From: from, To: to,
		Inquiries: 7, Answered: 5, InTarget: 4, Pending: 1,
		ResponseRate: 5.0 / 7, TargetRate: 4.0 / 6, Badge: false,
		Median: 10 * time.Minute, P90: 30 * time.Minute,
		Unanswered: []Waiting{
			{User: "hank", Since: at("-2:00"), For: 26 * time.Hour},
			{User: "erin", Since: at("14:00"), For: 10 * time.Hour},
		},
	}, {
		Page: "P2", From: from, To: to,
		Inquiries: 10, Answered: 10, InTarget: 9,
		ResponseRate: 1, TargetRate: 0.9, Badge: true,
		Median: 5 * time.Minute, P90: 9 * time.Minute,
	}}
	msgs := scriptedDay()
	opts := Options{StaleAfter: time.Hour}
	got := Compute(msgs, from, to, opts)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Compute (-want +got):\n%s", diff)
	}

	// Webhooks arrive out of order; the answer must not change.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		shuffled := append([]Message(nil), msgs...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if diff := cmp.Diff(want, Compute(shuffled, from, to, opts)); diff != "" {
			t.Fatalf("Compute of shuffled input (-want +got):\n%s", diff)
		}
	}
}

func TestComputeBadgeThresholds(t *testing.T) {
	t.Parallel()
	msgs := scriptedDay()
	from, to := day, day.Add(24*time.Hour)
	// Stricter target: P2's 9 answers within 1..9 minutes, only 5 within 5.
	got := Compute(msgs, from, to, Options{Target: 5 * time.Minute})
	if p2 := got[1]; p2.InTarget != 5 || p2.Badge {
		t.Errorf("P2 with a 5m target: InTarget %d, Badge %v; want 5, false", p2.InTarget, p2.Badge)
	}
	// Looser rate: P1 reaches 4/6.
	got = Compute(msgs, from, to, Options{BadgeRate: 0.6})
	if p1 := got[0]; !p1.Badge {
		t.Errorf("P1 with rate 0.6: no badge, TargetRate %v", p1.TargetRate)
	}
}

func TestComputeMidDay(t *testing.T) {
	t.Parallel()
	// At 13:10 dave has waited 10 minutes: pending, not failed; erin has not written.
	got := Compute(scriptedDay(), day, at("13:10"), Options{})
	p1 := got[0]
	if p1.Inquiries != 5 || p1.Answered != 4 || p1.Pending != 1 || p1.InTarget != 3 {
		t.Errorf("P1 at 13:10: %+v", p1)
	}
	if len(p1.Unanswered) != 1 || p1.Unanswered[0].User != "hank" {
		t.Errorf("P1 at 13:10 unanswered %+v, want only hank", p1.Unanswered)
	}
}

func TestComputeEmpty(t *testing.T) {
	t.Parallel()
	if got := Compute(nil, day, day.Add(time.Hour), Options{}); len(got) != 0 {
		t.Errorf("Compute(nil) = %+v", got)
	}
	got := Compute([]Message{out("P", "u", "1:00")}, day, day.Add(24*time.Hour), Options{})
	want := []Report{{Page: "P", From: day, To: day.Add(24 * time.Hour)}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("only outbound (-want +got):\n%s", diff)
	}
}

func TestNearestRank(t *testing.T) {
	t.Parallel()
	d := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n))
		}
		return out
	}
	tests := []struct {
		in   []time.Duration
		p    int
		want time.Duration
	}{
		{nil, 50, 0},
		{d(7), 50, 7},
		{d(7), 90, 7},
		{d(1, 2), 50, 1},
		{d(1, 2, 3, 4), 50, 2},
		{d(1, 2, 3, 4, 5), 50, 3},
		{d(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9},
		{d(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 90, 10},
	}
	for _, tt := range tests {
		if got := nearestRank(tt.in, tt.p); got != tt.want {
			t.Errorf("nearestRank(%v, %d) = %v, want %v", tt.in, tt.p, got, tt.want)
		}
	}
}
