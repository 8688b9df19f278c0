package messenger

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomessenger/messenger/policy"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/tags"
	"github.com/stretchr/testify/require"
)

// mapWindows is the smallest store.Windows: enough to drive the guard.
type mapWindows struct {
	mu  sync.Mutex
	m   map[string]store.Window
	err error
}

func (w *mapWindows) RecordAction(_ context.Context, page, user string, a store.Action) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m == nil {
		w.m = map[string]store.Window{}
	}
	cur := w.m[page+"/"+user]
	if a.At.After(cur.LastAction.At) {
		cur.LastAction = a
	}
	if a.Kind == store.ActionMessage && a.At.After(cur.LastMessage) {
		cur.LastMessage = a.At
	}
	w.m[page+"/"+user] = cur
	return nil
}

func (w *mapWindows) Window(_ context.Context, page, user string) (store.Window, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.m[page+"/"+user], w.err
}

func TestPolicyGuard(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		after      time.Duration // since the person's last message
		req        SendRequest
		opts       []GuardOption
		wantSent   bool
		wantIs     []error
		wantRule   string
		wantAltern bool
	}{
		{name: "response inside the window", after: 23 * time.Hour,
			req: SendRequest{To: PSID("u1"), Type: Response, Message: Text("hi")}, wantSent: true},
		{name: "response exactly 24h later", after: 24 * time.Hour,
			req:    SendRequest{To: PSID("u1"), Type: Response, Message: Text("hi")},
			wantIs: []error{ErrPolicyRefused, ErrOutsideWindow}, wantRule: policy.RuleStandardWindow, wantAltern: true},
		{name: "human agent approved within 7 days", after: 6 * 24 * time.Hour,
			req:  SendRequest{To: PSID("u1"), Type: Tagged(tags.HumanAgent), Message: Text("Anna here")},
			opts: []GuardOption{GuardHumanAgentApproved()}, wantSent: true},
		{name: "human agent without approval", after: 6 * 24 * time.Hour,
			req:    SendRequest{To: PSID("u1"), Type: Tagged(tags.HumanAgent), Message: Text("Anna here")},
			wantIs: []error{ErrPolicyRefused}, wantRule: policy.RuleHumanAgent},
		{name: "promotional under a tag", after: time.Hour,
			req:    SendRequest{To: PSID("u1"), Type: Tagged(tags.HumanAgent), Message: Text("50% off"), Promotional: true},
			opts:   []GuardOption{GuardHumanAgentApproved()},
			wantIs: []error{ErrPolicyRefused}, wantRule: policy.RuleTagsNotPromotional},
		{name: "retired tag in 2026", after: time.Hour,
			req:    SendRequest{To: PSID("u1"), Type: Tagged(tags.PostPurchaseUpdate), Message: Text("shipped")},
			wantIs: []error{ErrPolicyRefused, ErrInvalidParameter}, wantRule: policy.RuleTags2026Retired, wantAltern: true},
		{name: "sender actions are not judged", after: 48 * time.Hour,
			req: SendRequest{To: PSID("u1"), Action: TypingOn}, wantSent: true},
		{name: "token recipients are left to otn", after: 48 * time.Hour,
			req: SendRequest{To: OneTimeToken("tok"), Message: Text("back in stock")}, wantSent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			windows := &mapWindows{}
			require.NoError(t, windows.RecordAction(context.Background(), "42", "u1", store.Action{Kind: store.ActionMessage, At: start}))
			now := start.Add(tt.after)
			c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				io.WriteString(w, `{"recipient_id":"u1","message_id":"m_1"}`)
			}, WithPageID("42"), WithClock(func() time.Time { return now }), WithPolicyGuard(windows, tt.opts...))
			_, err := c.Send(context.Background(), tt.req)
			if tt.wantSent {
				require.NoError(t, err)
				require.Equal(t, int32(1), calls.Load())
				return
			}
			require.Error(t, err)
			require.Zero(t, calls.Load(), "a refused send never reaches Graph")
			for _, s := range tt.wantIs {
				require.ErrorIs(t, err, s)
			}
			var pe *PolicyError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, tt.wantRule, pe.Decision.Rule)
			require.NotEmpty(t, pe.Decision.Reason)
			if tt.wantAltern {
				require.NotEmpty(t, pe.Decision.Alternatives, "a refusal says what would work instead")
			}
		})
	}
}

func TestPolicyGuardFailsClosed(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	windows := &mapWindows{err: errors.New("store down")}
	c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) { calls.Add(1) },
		WithPageID("42"), WithPolicyGuard(windows))
	_, err := c.Send(context.Background(), SendRequest{To: PSID("u1"), Type: Response, Message: Text("hi")})
	require.ErrorContains(t, err, "store down")
	require.Zero(t, calls.Load())

	noPage, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }, WithPolicyGuard(&mapWindows{}))
	_, err = noPage.Send(context.Background(), SendRequest{To: PSID("u1"), Type: Response, Message: Text("hi")})
	require.ErrorContains(t, err, "needs the Page id")
	require.Zero(t, calls.Load())

	_, err = New("t", WithPolicyGuard(nil))
	require.ErrorContains(t, err, "nil window store")
}

func TestPolicyGuardUsesHostRules(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	windows := &mapWindows{}
	require.NoError(t, windows.RecordAction(context.Background(), "42", "u1", store.Action{Kind: store.ActionMessage, At: start}))
	rules := policy.Default()
	require.NoError(t, rules.SetError(policy.RuleStandardWindow, 10, 2534022))
	c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {}, WithPageID("42"),
		WithClock(func() time.Time { return start.Add(30 * time.Hour) }), WithPolicyGuard(windows, GuardRules(rules)))
	_, err := c.Send(context.Background(), SendRequest{To: PSID("u1"), Type: Update, Message: Text("hi")})
	var pe *PolicyError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, 2534022, pe.Decision.ErrorSubcode)
	require.ErrorIs(t, err, ErrOutsideWindow)
}

func TestCheckPolicyAsksWithoutSending(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var calls atomic.Int32
	windows := &mapWindows{}
	require.NoError(t, windows.RecordAction(context.Background(), "42", "u1", store.Action{Kind: store.ActionMessage, At: start}))
	now := start.Add(8 * 24 * time.Hour)
	c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) { calls.Add(1) },
		WithPageID("42"), WithClock(func() time.Time { return now }), WithPolicyGuard(windows, GuardHumanAgentApproved()))
	agent := SendRequest{To: PSID("u1"), Type: Tagged(tags.HumanAgent), Message: Text("Sam here")}
	d, err := c.CheckPolicy(context.Background(), agent)
	require.NoError(t, err)
	require.False(t, d.Allowed, "8 days after the last message HUMAN_AGENT has lapsed")
	require.Equal(t, policy.RuleHumanAgent, d.Rule)

	now = start.Add(6 * 24 * time.Hour)
	d, err = c.CheckPolicy(context.Background(), agent)
	require.NoError(t, err)
	require.True(t, d.Allowed, "the guard's HumanAgentApproved option is applied")
	require.Zero(t, calls.Load(), "CheckPolicy never sends")

	unguarded, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {})
	_, err = unguarded.CheckPolicy(context.Background(), agent)
	require.ErrorContains(t, err, "needs WithPolicyGuard")
}
