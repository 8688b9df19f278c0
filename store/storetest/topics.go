package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storekit"
)

// topicTokens returns st as a [store.TopicTokens], or skips t when st does not
// implement it: the interface is optional.
func topicTokens(t *testing.T, st store.Store) store.TopicTokens {
	t.Helper()
	tt, ok := st.(store.TopicTokens)
	if !ok {
		t.Skipf("storetest: %T does not implement store.TopicTokens", st)
	}
	return tt
}

func byTopic(t *testing.T, tt store.TopicTokens, pg, tp string) []store.Token {
	t.Helper()
	got, err := tt.TokensByTopic(t.Context(), pg, tp)
	if err != nil {
		t.Fatalf("TokensByTopic(%q, %q): %v", pg, tp, err)
	}
	return got
}

// topicUsers are the people the topic tests give tokens to.
var topicUsers = []string{user, "user-2", "user-3"}

// checkByTopic compares TokensByTopic(page, tp) with what ListTokens says of every
// person in topicUsers, filtered to tp: the two views of the store must agree.
func checkByTopic(t *testing.T, st store.Store, tp, when string) {
	t.Helper()
	var want []store.Token
	for _, u := range topicUsers {
		toks, err := st.ListTokens(t.Context(), page, u)
		if err != nil {
			t.Fatalf("ListTokens(%s): %v", u, err)
		}
		for _, tok := range toks {
			if tok.Topic == tp {
				want = append(want, tok)
			}
		}
	}
	storekit.SortForList(want)
	if diff := cmp.Diff(want, byTopic(t, topicTokens(t, st), page, tp)); diff != "" {
		t.Errorf("TokensByTopic(%q) %s disagrees with ListTokens (-want +got):\n%s", tp, when, diff)
	}
}

func (s *suite) topicsListed(t *testing.T) {
	st := s.fresh(t)
	tt := topicTokens(t, st)
	now := s.now()
	mk := func(v, u string, issued time.Duration) store.Token {
		tok := oneTime(v, now.Add(issued))
		tok.User = u
		return tok
	}
	live := mk("b-live", user, -time.Hour)
	claimed := mk("c-claimed", "user-2", -time.Hour) // same IssuedAt as b-live: Value decides
	claimed.State, claimed.LastUsed, claimed.Uses = store.TokenClaimed, now, 1
	dead := mk("a-dead", "user-3", 0)
	dead.State = store.TokenDead
	expired := mk("d-expired", user, -2*time.Hour)
	expired.ExpiresAt = now.Add(-time.Minute)
	rec := recurring("e-recurring", now.Add(time.Hour))
	rec.User, rec.LastUsed, rec.Uses = "user-2", now, 2
	otherTopic := mk("f-other-topic", user, 0)
	otherTopic.Topic = "other"
	otherPage := mk("g-other-page", user, 0)
	otherPage.Page = "page-2"
	noTopic := mk("h-no-topic", "user-3", 0)
	noTopic.Topic = ""
	put(t, st, rec, otherPage, dead, noTopic, live, otherTopic, expired, claimed)

	want := []store.Token{expired, live, claimed, dead, rec}
	if diff := cmp.Diff(want, byTopic(t, tt, page, topic)); diff != "" {
		t.Errorf("TokensByTopic(page, topic) (-want +got):\n%s", diff)
	}
	tests := []struct {
		name, page, topic string
		want              []store.Token
	}{
		{"other topic", page, "other", []store.Token{otherTopic}},
		{"other page", "page-2", topic, []store.Token{otherPage}},
		{"empty topic", page, "", []store.Token{noTopic}},
		{"unknown topic", page, "nobody-asked", nil},
		{"unknown page", "page-9", topic, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := byTopic(t, tt, tc.page, tc.topic)
			if diff := cmp.Diff(tc.want, got, cmpEmpty); diff != "" {
				t.Errorf("TokensByTopic(%q, %q) (-want +got):\n%s", tc.page, tc.topic, diff)
			}
		})
	}
	_, err := tt.TokensByTopic(t.Context(), "", topic)
	checkInputError(t, err, "page")
}

// cmpEmpty makes a nil and an empty slice equal: "none" may be either.
var cmpEmpty = cmp.Comparer(func(a, b []store.Token) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return cmp.Equal(a, b)
})

// topicsFollowChanges checks that the topic view follows every change to a
// token: claims, releases, kills, replacements that move a token to another
// person or topic, and purges.
func (s *suite) topicsFollowChanges(t *testing.T) {
	st := s.fresh(t)
	topicTokens(t, st)
	ctx := t.Context()
	now := s.now()
	checkAll := func(when string) {
		t.Helper()
		for _, tp := range []string{topic, "other"} {
			checkByTopic(t, st, tp, when)
		}
	}
	a, b := oneTime("otn-a", now), oneTime("otn-b", now.Add(time.Minute))
	b.User = "user-2"
	r := recurring("rec-c", now)
	r.User = "user-3"
	put(t, st, a, b, r)
	checkAll("after PutToken")

	claimed, ok := claim(t, st, store.OneTimeKind, now)
	if !ok {
		t.Fatal("claim failed")
	}
	recClaimed, err := st.ClaimToken(ctx, store.TokenQuery{Page: page, User: "user-3", Topic: topic, Kind: store.RecurringKind}, now)
	if err != nil {
		t.Fatalf("ClaimToken(recurring): %v", err)
	}
	checkAll("after ClaimToken")
	if got := byTopic(t, topicTokens(t, st), page, topic); len(got) != 3 || got[0].State != store.TokenClaimed {
		t.Errorf("after claiming %s, TokensByTopic = %+v; want 3 tokens, the first claimed", claimed.Value, got)
	}

	for _, c := range []store.Token{claimed, recClaimed} {
		if err := st.ReleaseToken(ctx, c); err != nil {
			t.Fatalf("ReleaseToken(%s): %v", c.Value, err)
		}
	}
	checkAll("after ReleaseToken")
	if diff := cmp.Diff([]store.Token{a, r, b}, byTopic(t, topicTokens(t, st), page, topic)); diff != "" {
		t.Errorf("after release (-want +got):\n%s", diff)
	}

	if err := st.KillToken(ctx, b.Value); err != nil {
		t.Fatalf("KillToken: %v", err)
	}
	checkAll("after KillToken")

	moved := a
	moved.User, moved.Topic = "user-2", "other"
	put(t, st, moved)
	checkAll("after PutToken moved a token to another person and topic")
	if diff := cmp.Diff([]store.Token{moved}, byTopic(t, topicTokens(t, st), page, "other")); diff != "" {
		t.Errorf("moved token under its new topic (-want +got):\n%s", diff)
	}

	used := oneTime("otn-used", now)
	used.State, used.Uses = store.TokenClaimed, 1
	put(t, st, used)
	n, err := st.PurgeTokens(ctx, now)
	if err != nil {
		t.Fatalf("PurgeTokens: %v", err)
	}
	if n != 2 { // b (dead) and otn-used
		t.Errorf("PurgeTokens deleted %d, want 2", n)
	}
	checkAll("after PurgeTokens")
	if diff := cmp.Diff([]store.Token{r}, byTopic(t, topicTokens(t, st), page, topic)); diff != "" {
		t.Errorf("after purge (-want +got):\n%s", diff)
	}
}

// topicsReopen checks that a durable store lists by topic after close and
// reopen, and keeps the view consistent through changes made after it.
func (s *suite) topicsReopen(t *testing.T) {
	if s.cfg.reopen == nil {
		t.Skip("storetest: not a durable store (no storetest.WithReopen)")
	}
	st := s.open(t)
	topicTokens(t, st)
	ctx := t.Context()
	now := s.now()
	a, b := oneTime("otn-a", now), oneTime("otn-b", now)
	b.User = "user-2"
	c := oneTime("otn-c", now)
	c.Topic = "other"
	put(t, st, a, b, c)
	if _, ok := claim(t, st, store.OneTimeKind, now); !ok {
		t.Fatal("claim failed")
	}
	if err := st.KillToken(ctx, b.Value); err != nil {
		t.Fatalf("KillToken: %v", err)
	}
	want := byTopic(t, topicTokens(t, st), page, topic)
	if len(want) != 2 {
		t.Fatalf("before reopen, TokensByTopic = %+v; want 2 tokens", want)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	st = s.cfg.reopen(t, st)
	t.Cleanup(func() { _ = st.Close() })
	tt := topicTokens(t, st)
	if diff := cmp.Diff(want, byTopic(t, tt, page, topic)); diff != "" {
		t.Errorf("TokensByTopic after reopen (-want +got):\n%s", diff)
	}
	checkByTopic(t, st, "other", "after reopen")
	if _, err := st.PurgeTokens(ctx, now); err != nil {
		t.Fatalf("PurgeTokens: %v", err)
	}
	put(t, st, oneTime("otn-d", now.Add(time.Second)))
	for _, tp := range []string{topic, "other"} {
		checkByTopic(t, st, tp, "after purge and put following reopen")
	}
}

// topicsClosed checks TokensByTopic after Close.
func (s *suite) topicsClosed(t *testing.T) {
	st := s.open(t)
	tt := topicTokens(t, st)
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := tt.TokensByTopic(t.Context(), page, topic); !errors.Is(err, store.ErrClosed) {
		t.Errorf("TokensByTopic after Close = %v, want ErrClosed", err)
	}
}
