package broadcast_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/require"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/broadcast"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/tags"
)

// decodeAudit reads the JSON lines a run wrote to its Audit writer.
func decodeAudit(t *testing.T, b []byte) []broadcast.Entry {
	t.Helper()
	var out []broadcast.Entry
	dec := json.NewDecoder(bytes.NewReader(b))
	for dec.More() {
		var e broadcast.Entry
		require.NoError(t, dec.Decode(&e))
		out = append(out, e)
	}
	return out
}

func TestPlanJudgesEachWay(t *testing.T) {
	t.Parallel()
	before2026 := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	after2026 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	recurringEra := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		now   time.Time
		setup func(st *memstore.Store, now time.Time)
		b     broadcast.Broadcast
		want  broadcast.Entry // At, Reason ignored
	}{
		{
			name:  "inside the window",
			now:   after2026,
			setup: func(st *memstore.Store, now time.Time) { message(st, "1", now.Add(-3*time.Hour)) },
			b:     broadcast.Broadcast{Ways: []broadcast.Way{broadcast.InWindow()}},
			want:  broadcast.Entry{PSID: "1", State: broadcast.StateSendable, Way: "UPDATE", Until: after2026.Add(21 * time.Hour)},
		},
		{
			name:  "never messaged",
			now:   after2026,
			setup: func(*memstore.Store, time.Time) {},
			b:     broadcast.Broadcast{Ways: []broadcast.Way{broadcast.InWindow()}},
			want:  broadcast.Entry{PSID: "1", State: broadcast.StateSkipped, Rule: "UPDATE: window.standard"},
		},
		{
			name:  "a tag before its retirement lasts until it",
			now:   before2026,
			setup: func(st *memstore.Store, now time.Time) { message(st, "1", now.Add(-48*time.Hour)) },
			b:     broadcast.Broadcast{Ways: broadcast.Auto("", tags.ConfirmedEventUpdate)},
			want: broadcast.Entry{PSID: "1", State: broadcast.StateSendable, Way: "MESSAGE_TAG/CONFIRMED_EVENT_UPDATE",
				Until: time.Date(2026, 4, 27, 0, 0, 0, 0, time.UTC)},
		},
		{
			name:  "the same tag after its retirement",
			now:   after2026,
			setup: func(st *memstore.Store, now time.Time) { message(st, "1", now.Add(-48*time.Hour)) },
			b:     broadcast.Broadcast{Ways: broadcast.Auto("", tags.ConfirmedEventUpdate)},
			want: broadcast.Entry{PSID: "1", State: broadcast.StateSkipped,
				Rule: "UPDATE: window.standard; MESSAGE_TAG/CONFIRMED_EVENT_UPDATE: tags.2026_retired"},
		},
		{
			name:  "promotional content never goes under a tag",
			now:   before2026,
			setup: func(st *memstore.Store, now time.Time) { message(st, "1", now.Add(-48*time.Hour)) },
			b:     broadcast.Broadcast{Ways: []broadcast.Way{broadcast.ByTag(tags.ConfirmedEventUpdate)}, Promotional: true},
			want:  broadcast.Entry{PSID: "1", State: broadcast.StateSkipped, Rule: "MESSAGE_TAG/CONFIRMED_EVENT_UPDATE: tags.not_promotional"},
		},
		{
			name: "one-time token outside the window",
			now:  after2026,
			setup: func(st *memstore.Store, now time.Time) {
				message(st, "1", now.Add(-30*time.Hour))
				token(st, "1", "sale", store.OneTimeKind, now.Add(-time.Hour), now.AddDate(1, 0, 0), time.Time{}, 0)
			},
			b: broadcast.Broadcast{Ways: broadcast.Auto("sale")},
			want: broadcast.Entry{PSID: "1", State: broadcast.StateSendable, Way: "one_time_notif_token/sale",
				Until: after2026.Add(-time.Hour).AddDate(1, 0, 0)}, // a year after its issue
		},
		{
			name: "expired one-time token",
			now:  after2026,
			setup: func(st *memstore.Store, now time.Time) {
				token(st, "1", "sale", store.OneTimeKind, now.AddDate(-1, 0, -2), now.AddDate(0, 0, -2), time.Time{}, 0)
			},
			b:    broadcast.Broadcast{Ways: []broadcast.Way{broadcast.ByOneTimeToken("sale")}},
			want: broadcast.Entry{PSID: "1", State: broadcast.StateSkipped, Rule: "one_time_notif_token/sale: token.one_time"},
		},
		{
			name: "a used token is no token",
			now:  after2026,
			setup: func(st *memstore.Store, now time.Time) {
				token(st, "1", "sale", store.OneTimeKind, now.Add(-time.Hour), now.AddDate(1, 0, 0), time.Time{}, 0)
				st.ClaimToken(context.Background(), store.TokenQuery{Page: testPage, User: "1", Topic: "sale", Kind: store.OneTimeKind}, now)
			},
			b:    broadcast.Broadcast{Ways: []broadcast.Way{broadcast.ByOneTimeToken("sale")}},
			want: broadcast.Entry{PSID: "1", State: broadcast.StateSkipped, Rule: "one_time_notif_token/sale: token.none"},
		},
		{
			name: "recurring token used too recently: reachable later",
			now:  recurringEra,
			setup: func(st *memstore.Store, now time.Time) {
				token(st, "1", "news", store.RecurringKind, now.Add(-48*time.Hour), now.AddDate(0, 6, 0), now.Add(-10*time.Hour), 24*time.Hour)
			},
			b: broadcast.Broadcast{Ways: []broadcast.Way{broadcast.ByRecurringToken("news")}},
			want: broadcast.Entry{PSID: "1", State: broadcast.StateSkipped, Rule: "notification_messages_token/news: token.recurring",
				ReachableAt: recurringEra.Add(14 * time.Hour)},
		},
		{
			name:  "render failure",
			now:   after2026,
			setup: func(st *memstore.Store, now time.Time) { message(st, "1", now.Add(-time.Hour)) },
			b: broadcast.Broadcast{Ways: []broadcast.Way{broadcast.InWindow()}, Message: nil,
				Render: func(context.Context, broadcast.Recipient) (*messenger.Message, error) {
					return nil, errors.New("no template")
				}},
			want: broadcast.Entry{PSID: "1", State: broadcast.StateFailed},
		},
		{
			name:  "rendered message breaking a limit",
			now:   after2026,
			setup: func(st *memstore.Store, now time.Time) { message(st, "1", now.Add(-time.Hour)) },
			b: broadcast.Broadcast{Ways: []broadcast.Way{broadcast.InWindow()},
				Render: func(context.Context, broadcast.Recipient) (*messenger.Message, error) {
					return messenger.Text(strings.Repeat("a", 2000)), nil
				}},
			want: broadcast.Entry{PSID: "1", State: broadcast.StateFailed},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := newStore(t, tt.now)
			tt.setup(st, tt.now)
			var audit bytes.Buffer
			b := tt.b
			b.Page, b.Audience, b.Windows, b.Tokens, b.Audit = testPage, broadcast.PSIDs("1"), st, st, &audit
			b.Now = func() time.Time { return tt.now }
			if b.Render == nil {
				b.Message = messenger.Text("hello")
			}
			sum, err := b.Plan(t.Context(), nil)
			require.NoError(t, err)
			require.Equal(t, 1, sum.Recipients)
			entries := decodeAudit(t, audit.Bytes())
			require.Len(t, entries, 1)
			got := entries[0]
			require.True(t, got.At.Equal(tt.now))
			if tt.want.State != broadcast.StateSendable {
				require.NotEmpty(t, got.Reason)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(broadcast.Entry{}, "At", "Reason")); diff != "" {
				t.Fatalf("entry (-want +got):\n%s", diff)
			}
		})
	}
}

func message(st *memstore.Store, psid string, at time.Time) {
	if err := st.RecordAction(context.Background(), testPage, psid, store.Action{Kind: store.ActionMessage, At: at}); err != nil {
		panic(err)
	}
}

func token(st *memstore.Store, psid, topic string, kind store.TokenKind, issued, expires, lastUsed time.Time, every time.Duration) {
	err := st.PutToken(context.Background(), store.Token{Value: "tok-" + psid + "-" + topic, Kind: kind, Page: testPage, User: psid,
		Topic: topic, IssuedAt: issued, ExpiresAt: expires, LastUsed: lastUsed, MinInterval: every, State: store.TokenLive})
	if err != nil {
		panic(err)
	}
}

// TestPlanCountsAtRisk: people whose window closes before the broadcast reaches
// them at its rate are counted.
func TestPlanCountsAtRisk(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	st := newStore(t, now)
	var ids []string
	for i := range 10 {
		id := string(rune('a' + i))
		ids = append(ids, id)
		message(st, id, now.Add(-24*time.Hour+5*time.Second)) // closes in 5 s
	}
	b := &broadcast.Broadcast{Page: testPage, Audience: broadcast.PSIDs(ids...), Message: messenger.Text("hi"),
		Ways: []broadcast.Way{broadcast.InWindow()}, Windows: st, Rate: 1, Now: func() time.Time { return now }}
	sum, err := b.Plan(t.Context(), nil)
	require.NoError(t, err)
	// At one per second the sixth and later start 5 s or more after the first.
	require.Equal(t, 5, sum.AtRisk)
	require.Equal(t, 10, sum.Count(broadcast.StateSendable))
}

func TestPlanStopsOnAudienceAndStoreErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("disk on fire")
	audience := func(yield func(broadcast.Recipient, error) bool) {
		if !yield(broadcast.Recipient{PSID: "1"}, nil) {
			return
		}
		if !yield(broadcast.Recipient{}, &broadcast.RowError{Line: 2, Err: errors.New("bad")}) {
			return
		}
		yield(broadcast.Recipient{}, boom)
	}
	st := newStore(t, time.Now())
	b := &broadcast.Broadcast{Page: testPage, Audience: audience, Message: messenger.Text("hi"), Ways: []broadcast.Way{broadcast.InWindow()}, Windows: st}
	sum, err := b.Plan(t.Context(), nil)
	require.ErrorIs(t, err, boom)
	require.Equal(t, 2, sum.Recipients)
	require.Equal(t, 1, sum.Count(broadcast.StateInvalid))

	b.Audience = broadcast.PSIDs("1")
	b.Windows = failingWindows{boom}
	_, err = b.Plan(t.Context(), nil)
	require.ErrorIs(t, err, boom)
}

type failingWindows struct{ err error }

func (f failingWindows) RecordAction(context.Context, string, string, store.Action) error {
	return f.err
}
func (f failingWindows) Window(context.Context, string, string) (store.Window, error) {
	return store.Window{}, f.err
}

// TestPlanAndSendShareTheClientsClock: with Now unset, Plan given the client judges
// at the client's clock, as Send does, so a plan against a fake clock counts what
// the send then reaches; the client's Page id stands in for an empty Page too.
func TestPlanAndSendShareTheClientsClock(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// The bubble's wall clock starts in 2000: far from the fake's 2026, where
		// the windows are open.
		f, st := newFakeGraph(testNow), newStore(t, testNow)
		ids := []string{"1", "2", "3", "4"}
		for _, id := range ids {
			f.says(st, id, time.Hour)
		}
		b := newBroadcast(f, st, ids)
		b.Now, b.Page = nil, ""
		client := inProcessClient(t, f, f.Now)

		plan, err := b.Plan(t.Context(), client)
		require.NoError(t, err)
		sum, err := b.Send(t.Context(), client)
		require.NoError(t, err)
		want := map[broadcast.State]int{broadcast.StateSendable: 4}
		if diff := cmp.Diff(want, plan.States); diff != "" {
			t.Errorf("plan states (-want +got):\n%s", diff)
		}
		want = map[broadcast.State]int{broadcast.StateSent: 4}
		if diff := cmp.Diff(want, sum.States); diff != "" {
			t.Errorf("send states (-want +got):\n%s", diff)
		}
	})
}

// TestPlanWithoutClientNeedsPage: a plan with no client cannot learn the Page.
func TestPlanWithoutClientNeedsPage(t *testing.T) {
	t.Parallel()
	b := &broadcast.Broadcast{Audience: broadcast.PSIDs("1"), Message: messenger.Text("hi"),
		Ways: []broadcast.Way{broadcast.InWindow()}, Windows: newStore(t, testNow)}
	_, err := b.Plan(t.Context(), nil)
	require.ErrorIs(t, err, messenger.ErrInvalidRequest)
	require.ErrorContains(t, err, "Broadcast.Page")
}

// TestPlanReadsTheJournal: the plan of a half-sent broadcast reports what earlier
// runs finished under the state the journal holds, counted as resumed, and judges
// only the rest, as the resumed Send then does.
func TestPlanReadsTheJournal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		retryFailed bool
		wantPlan    map[broadcast.State]int
		wantSend    map[broadcast.State]int
		wantResumed int
	}{
		{
			name:        "resume",
			wantPlan:    map[broadcast.State]int{broadcast.StateSent: 1, broadcast.StateFailed: 1, broadcast.StateUnknown: 1, broadcast.StateSkipped: 1, broadcast.StateSendable: 2},
			wantSend:    map[broadcast.State]int{broadcast.StateSent: 3, broadcast.StateFailed: 1, broadcast.StateUnknown: 1, broadcast.StateSkipped: 1},
			wantResumed: 4,
		},
		{
			name:        "retry failed",
			retryFailed: true,
			wantPlan:    map[broadcast.State]int{broadcast.StateSent: 1, broadcast.StateUnknown: 1, broadcast.StateSkipped: 1, broadcast.StateSendable: 3},
			wantSend:    map[broadcast.State]int{broadcast.StateSent: 4, broadcast.StateUnknown: 1, broadcast.StateSkipped: 1},
			wantResumed: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f, st := newFakeGraph(testNow), newStore(t, testNow)
				ids := []string{"1", "2", "3", "4", "5", "6"}
				for _, id := range ids {
					f.says(st, id, time.Hour)
				}
				j := broadcast.NewMemoryJournal()
				for _, e := range []broadcast.Entry{
					{PSID: "1", State: broadcast.StateSent, Run: "r1", Way: "UPDATE", MessageID: "m_1"},
					{PSID: "2", State: broadcast.StateFailed, Run: "r1", Code: 551},
					{PSID: "3", State: broadcast.StateClaimed, Run: "r1", Way: "UPDATE"},
					{PSID: "4", State: broadcast.StateReleased, Run: "r1"},
					{PSID: "6", State: broadcast.StateSkipped, Run: "r1", Rule: "UPDATE: window.standard"},
				} {
					require.NoError(t, j.Put(t.Context(), e))
				}
				b := newBroadcast(f, st, ids)
				b.Journal, b.RetryFailed = j, tt.retryFailed
				client := inProcessClient(t, f, f.Now)

				var audit bytes.Buffer
				b.Audit = &audit
				plan, err := b.Plan(t.Context(), client)
				require.NoError(t, err)
				if diff := cmp.Diff(tt.wantPlan, plan.States); diff != "" {
					t.Errorf("plan states (-want +got):\n%s", diff)
				}
				require.Equal(t, tt.wantResumed, plan.Resumed)
				require.Empty(t, f.allSends(), "a plan sends nothing")
				got := decodeAudit(t, audit.Bytes())
				require.Equal(t, "m_1", got[0].MessageID, "a sent recipient is reported as the journal recorded it")
				e, _, _ := j.Get(t.Context(), "3")
				require.Equal(t, broadcast.StateClaimed, e.State, "a plan writes nothing to the journal")

				b.Audit = nil
				sum, err := b.Send(t.Context(), client)
				require.NoError(t, err)
				if diff := cmp.Diff(tt.wantSend, sum.States); diff != "" {
					t.Errorf("send states (-want +got):\n%s", diff)
				}
				require.Equal(t, tt.wantResumed, sum.Resumed)
			})
		})
	}
}
