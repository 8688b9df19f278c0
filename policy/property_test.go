package policy

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gomessenger/messenger/tags"
	"github.com/google/go-cmp/cmp"
)

// checkProperties asserts what must hold for every input: determinism, zone
// independence, Allowed ⇒ Until after now, and alternatives that are allowed when
// checked again.
func checkProperties(t *testing.T, req Request, conv Conversation, now time.Time) {
	t.Helper()
	d := Check(req, conv, now)
	if again := Check(req, conv, now); !cmp.Equal(d, again) {
		t.Fatalf("not deterministic for %+v %+v %v:\n%s", req, conv, now, cmp.Diff(d, again))
	}
	if other := Default().Check(req, conv, now.In(jst)); !cmp.Equal(d, other) {
		t.Fatalf("depends on the zone of now for %+v %+v %v:\n%s", req, conv, now, cmp.Diff(d, other))
	}
	if d.Reason == "" || d.Rule == "" {
		t.Fatalf("no rule or reason: %+v", d)
	}
	if d.Allowed {
		if !d.Until.After(now) {
			t.Fatalf("allowed until %v, not after now %v: %+v %+v", d.Until, now, req, conv)
		}
		if d.ErrorCode != 0 || d.ErrorSubcode != 0 || d.Alternatives != nil || d.BadInput() || !d.NotBefore.IsZero() {
			t.Fatalf("allowed decision with refusal fields: %+v", d)
		}
		return
	}
	if !d.Until.IsZero() {
		t.Fatalf("refused decision with Until: %+v", d)
	}
	if !d.NotBefore.IsZero() && !d.NotBefore.After(now) {
		t.Fatalf("NotBefore %v not after now %v", d.NotBefore, now)
	}
	for _, a := range d.Alternatives {
		got := Check(a.Request, conv, now)
		if !got.Allowed || got.Rule != a.Rule || !got.Until.Equal(a.Until) {
			t.Fatalf("alternative %+v of %+v %+v %v checks as %v", a, req, conv, now, got)
		}
		if a.Request == req {
			t.Fatalf("alternative is the request itself: %+v", a)
		}
	}
}

// pivots are the instants where rules change, and the usual now.
var pivots = []time.Time{
	day(2018, 5, 7), day(2019, 8, 29), day(2019, 9, 30), day(2020, 3, 4),
	day(2026, 2, 10), day(2026, 3, 27), day(2026, 4, 27), T0,
}

// boundaries are the window lengths of the rules, so generated times land on them.
var boundaries = []time.Duration{0, 24 * time.Hour, 72 * time.Hour, 7 * 24 * time.Hour, 365 * 24 * time.Hour}

type generator struct{ r *rand.Rand }

func (g generator) pick(n int) int { return g.r.IntN(n) }

func (g generator) now() time.Time {
	p := pivots[g.pick(len(pivots))]
	switch g.pick(4) {
	case 0:
		return p
	case 1:
		return p.Add(-time.Nanosecond)
	}
	return p.Add(time.Duration(g.r.Int64N(int64(400*24*time.Hour))) - 200*24*time.Hour)
}

// past is a time before now (sometimes zero, rarely after now), often on a rule's
// boundary.
func (g generator) past(now time.Time) time.Time {
	switch g.pick(10) {
	case 0, 1, 2:
		return time.Time{}
	case 3:
		return now.Add(time.Duration(g.pick(3)))
	case 4, 5:
		b := boundaries[g.pick(len(boundaries))]
		return now.Add(-b + time.Duration(g.pick(3)-1))
	}
	return now.Add(-time.Duration(g.r.Int64N(int64(400 * 24 * time.Hour))))
}

func (g generator) request() Request {
	types := []MessagingType{Omitted, Response, Update, MessageTag, Utility, "BOGUS"}
	kinds := []RecipientKind{"", PSID, UserRef, Comment, Post, OTNToken, RecurringToken, Phone, "email"}
	templates := []string{"", CustomerFeedbackTemplate, UtilityTemplate, "generic"}
	all := tags.All()
	req := Request{
		MessagingType:         types[g.pick(len(types))],
		Recipient:             kinds[g.pick(len(kinds))],
		Template:              templates[g.pick(len(templates))],
		HumanAgentApproved:    g.pick(2) == 0,
		Promotional:           g.pick(4) == 0,
		NewsPage:              g.pick(3) == 0,
		PhoneNumberApproved:   g.pick(2) == 0,
		RecurringExemptRegion: g.pick(3) == 0,
	}
	switch g.pick(3) {
	case 0:
		req.Tag = all[g.pick(len(all))].Tag
	case 1:
		if g.pick(5) == 0 {
			req.Tag = "BOGUS_TAG"
		}
	}
	if req.Tag != "" && g.pick(4) != 0 {
		req.MessagingType = MessageTag
	}
	return req
}

func (g generator) conversation(now time.Time) Conversation {
	kinds := []RecipientKind{"", OTNToken, RecurringToken}
	c := Conversation{
		LastUserMessage:     g.past(now),
		LastUserAction:      g.past(now),
		AdReferral:          g.past(now),
		MessagesAfterWindow: g.pick(3),
		CommentCreated:      g.past(now),
		PrivateReplySent:    g.pick(3) == 0,
		TokenKind:           kinds[g.pick(len(kinds))],
		TokenIssued:         g.past(now),
		TokenUsed:           g.pick(3) == 0,
		TokenStopped:        g.pick(5) == 0,
		TokenLastUsed:       g.past(now),
	}
	if g.pick(2) == 0 {
		c.TokenExpires = now.Add(time.Duration(g.r.Int64N(int64(400*24*time.Hour))) - 100*24*time.Hour)
	}
	if g.pick(2) == 0 {
		c.TokenFrequency = boundaries[g.pick(len(boundaries))]
	}
	return c
}

func TestProperties(t *testing.T) {
	t.Parallel()
	g := generator{rand.New(rand.NewPCG(20260501, 5))}
	n := 4000
	if testing.Short() {
		n = 500
	}
	allowedCount := 0
	for range n {
		now := g.now()
		if g.pick(3) == 0 {
			now = now.In(est)
		}
		req, conv := g.request(), g.conversation(now)
		checkProperties(t, req, conv, now)
		if Check(req, conv, now).Allowed {
			allowedCount++
		}
	}
	// The generator must reach both outcomes, or the properties say little.
	if allowedCount < n/20 || allowedCount > n*19/20 {
		t.Errorf("%d of %d generated requests allowed; the generator is lopsided", allowedCount, n)
	}
}
