package otn

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/store/storetest"
)

// issued is the timestamp of optinBody: 2026-03-10T14:25:52.478Z.
var issued = time.UnixMilli(1773152752478).UTC()

// optinBody is a one-time notification opt-in as Meta delivers it (docs/platform.md, “Webhook events”).
const optinBody = `{"object":"page","entry":[{"id":"PAGE_ID","time":1773152752478,"messaging":[
 {"sender":{"id":"PSID_1"},"recipient":{"id":"PAGE_ID"},"timestamp":1773152752478,
  "optin":{"type":"one_time_notif_req","payload":"back_in_stock:sku-42","one_time_notif_token":"OTN_TOKEN_A"}}]}]}`

func optinFrom(t *testing.T, body string) *messenger.OptinEvent {
	t.Helper()
	evs, err := messenger.ParseEvents([]byte(body))
	if err != nil || len(evs) != 1 {
		t.Fatalf("ParseEvents: %v, %d events", err, len(evs))
	}
	ev, ok := evs[0].(*messenger.OptinEvent)
	if !ok {
		t.Fatalf("event is %T, want *messenger.OptinEvent", evs[0])
	}
	return ev
}

// clock is a settable clock safe for concurrent reads.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time        { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)       { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func newClock(t time.Time) *clock      { return &clock{t: t} }
func text(s string) *messenger.Message { return messenger.Text(s) }

func newNotifier(t *testing.T, s Sender, clk *clock) (*Notifier, *memstore.Store) {
	t.Helper()
	mem := storetest.NewMemory(t)
	n, err := New(s, mem, WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	return n, mem
}

func capture(t *testing.T, n *Notifier, body string) store.Token {
	t.Helper()
	tok, ok, err := n.Capture(context.Background(), optinFrom(t, body))
	if err != nil || !ok {
		t.Fatalf("Capture: %v, ok=%v", err, ok)
	}
	return tok
}

func TestCaptureOneTimeOptin(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t, nil)
	n, mem := newNotifier(t, g.client(t), newClock(issued.Add(time.Minute)))
	capture(t, n, optinBody)
	got, err := mem.ListTokens(context.Background(), "PAGE_ID", "PSID_1")
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Token{{
		Value: "OTN_TOKEN_A", Kind: store.OneTimeKind, Page: "PAGE_ID", User: "PSID_1",
		Topic: "back_in_stock:sku-42", IssuedAt: issued, ExpiresAt: time.Date(2027, 3, 10, 14, 25, 52, 478e6, time.UTC),
		State: store.TokenLive,
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored tokens (-want +got):\n%s", diff)
	}
	if g.requests.Load() != 0 {
		t.Error("Capture called Graph")
	}
}

func TestNotifySendsOnceWithTokenRecipient(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t, nil)
	n, _ := newNotifier(t, g.client(t), newClock(issued.Add(48*time.Hour)))
	capture(t, n, optinBody)
	ctx := context.Background()

	res, err := n.Notify(ctx, "PAGE_ID", "PSID_1", "back_in_stock:sku-42", text("Size 42 is back!"))
	if err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if res.MessageID == "" {
		t.Errorf("Notify response %+v has no message id", res)
	}
	want := []map[string]any{{
		"recipient": map[string]any{"one_time_notif_token": "OTN_TOKEN_A"},
		"message":   map[string]any{"text": "Size 42 is back!"},
	}}
	if diff := cmp.Diff(want, g.sent()); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}

	// The token is spent: a second notification is refused without a request.
	_, err = n.Notify(ctx, "PAGE_ID", "PSID_1", "back_in_stock:sku-42", text("again"))
	if !errors.Is(err, ErrNoToken) {
		t.Fatalf("second Notify: %v, want ErrNoToken", err)
	}
	const wantMsg = `otn: user PSID_1 of Page PAGE_ID has no usable token for topic "back_in_stock:sku-42": store: no usable token`
	if err.Error() != wantMsg {
		t.Errorf("second Notify error\n got %s\nwant %s", err, wantMsg)
	}
	if got := g.requests.Load(); got != 1 {
		t.Errorf("Graph got %d requests, want 1", got)
	}

	// A redelivered opt-in does not revive the used token.
	capture(t, n, optinBody)
	if _, err := n.Notify(ctx, "PAGE_ID", "PSID_1", "back_in_stock:sku-42", text("again")); !errors.Is(err, ErrNoToken) {
		t.Errorf("Notify after a redelivered opt-in: %v, want ErrNoToken", err)
	}
}

func TestNotifyOtherTopicOrUser(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t, nil)
	n, _ := newNotifier(t, g.client(t), newClock(issued))
	capture(t, n, optinBody)
	ctx := context.Background()
	for _, c := range []struct{ user, topic string }{{"PSID_1", "other"}, {"PSID_2", "back_in_stock:sku-42"}} {
		if _, err := n.Notify(ctx, "PAGE_ID", c.user, c.topic, text("x")); !errors.Is(err, ErrNoToken) {
			t.Errorf("Notify(%s, %s): %v, want ErrNoToken", c.user, c.topic, err)
		}
	}
	if g.requests.Load() != 0 {
		t.Error("a request was sent")
	}
}

func TestNotifyRaceSendsOnce(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t, nil)
	n, _ := newNotifier(t, g.client(t), newClock(issued))
	capture(t, n, optinBody)

	const racers = 1000
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		mu    sync.Mutex
		sent  int
		other []error
	)
	for range racers {
		wg.Go(func() {
			<-start
			_, err := n.Notify(context.Background(), "PAGE_ID", "PSID_1", "back_in_stock:sku-42", text("back!"))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				sent++
			case !errors.Is(err, ErrNoToken):
				other = append(other, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if sent != 1 || len(other) != 0 {
		t.Errorf("%d Notify calls succeeded, want 1; unexpected errors: %v", sent, other)
	}
	if got := g.requests.Load(); got != 1 {
		t.Errorf("Graph got %d requests, want exactly 1", got)
	}
}

func TestOneTimeTokenExpiresAfterOneYearToTheNanosecond(t *testing.T) {
	t.Parallel()
	expiry := issued.AddDate(1, 0, 0)
	tests := []struct {
		name    string
		now     time.Time
		wantErr error
	}{
		{"one nanosecond before a year", expiry.Add(-time.Nanosecond), nil},
		{"exactly a year", expiry, ErrNoToken},
		{"after a year", expiry.Add(time.Hour), ErrNoToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newFakeGraph(t, nil)
			clk := newClock(issued)
			n, _ := newNotifier(t, g.client(t), clk)
			capture(t, n, optinBody)
			clk.Set(tt.now)
			_, err := n.Notify(context.Background(), "PAGE_ID", "PSID_1", "back_in_stock:sku-42", text("x"))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Notify at %v: %v, want %v", tt.now, err, tt.wantErr)
			}
			expired, err := n.Expired(context.Background(), "PAGE_ID", "PSID_1")
			if err != nil {
				t.Fatal(err)
			}
			if wantExpired := tt.wantErr != nil; (len(expired) == 1) != wantExpired {
				t.Errorf("Expired at %v = %d tokens, want expired=%v", tt.now, len(expired), wantExpired)
			}
			if tt.wantErr != nil && g.requests.Load() != 0 {
				t.Error("an expired token was sent")
			}
		})
	}
}

func TestOneTimeExpiryOnLeapDay(t *testing.T) {
	t.Parallel()
	tests := []struct{ issued, want time.Time }{
		{time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC), time.Date(2029, 3, 1, 12, 0, 0, 0, time.UTC)},
		// Counted in UTC, where this instant is already 1 March.
		{time.Date(2028, 2, 29, 23, 59, 59, 999999999, time.FixedZone("UTC-5", -5*3600)), time.Date(2029, 3, 1, 4, 59, 59, 999999999, time.UTC)},
		{time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := oneTimeExpiry(tt.issued); !got.Equal(tt.want) {
			t.Errorf("oneTimeExpiry(%v) = %v, want %v", tt.issued, got, tt.want)
		}
	}
}

func TestNotifyFailures(t *testing.T) {
	t.Parallel()
	graphErr := func(status int, code, sub int) func(int64) (int, string) {
		return func(int64) (int, string) {
			return status, fmt.Sprintf(`{"error":{"message":"(#%d) refused","type":"OAuthException","code":%d,"error_subcode":%d,"fbtrace_id":"Axyz"}}`, code, code, sub)
		}
	}
	tests := []struct {
		name      string
		respond   func(int64) (int, string)
		wantFate  TokenFate
		wantState store.TokenState
		wantIs    error
	}{
		{"throttled", graphErr(400, 613, 0), TokenRestored, store.TokenLive, messenger.ErrRateLimited},
		{"bad attachment url", graphErr(400, 100, 2018008), TokenRestored, store.TokenLive, messenger.ErrInvalidParameter},
		{"page token expired", graphErr(400, 190, 463), TokenRestored, store.TokenLive, messenger.ErrInvalidToken},
		{"person unavailable", graphErr(400, 551, 0), TokenRestored, store.TokenLive, messenger.ErrUserUnavailable},
		{"token invalid or used", graphErr(400, 100, 0), TokenDead, store.TokenDead, messenger.ErrInvalidParameter},
		{"no matching user", graphErr(400, 100, 2018001), TokenDead, store.TokenDead, messenger.ErrInvalidParameter},
		{"notifications stopped", graphErr(400, 10, 1893015), TokenDead, store.TokenDead, messenger.ErrPermission},
		{"sent anyway", graphErr(500, 1, 1357046), TokenKept, store.TokenClaimed, messenger.ErrAmbiguous},
		{"gateway timeout", func(int64) (int, string) { return 504, "upstream timed out" }, TokenKept, store.TokenClaimed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newFakeGraph(t, tt.respond)
			n, mem := newNotifier(t, g.client(t), newClock(issued))
			capture(t, n, optinBody)
			_, err := n.Notify(context.Background(), "PAGE_ID", "PSID_1", "back_in_stock:sku-42", text("x"))
			var ne *NotifyError
			if !errors.As(err, &ne) {
				t.Fatalf("Notify: %v, want *NotifyError", err)
			}
			if ne.Fate != tt.wantFate {
				t.Errorf("fate %q, want %q (%v)", ne.Fate, tt.wantFate, err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
			var ge *messenger.GraphError
			if !errors.As(err, &ge) {
				t.Errorf("error %v does not carry the *GraphError", err)
			}
			toks, _ := mem.ListTokens(context.Background(), "PAGE_ID", "PSID_1")
			if len(toks) != 1 || toks[0].State != tt.wantState {
				t.Errorf("token after failure: %+v, want state %s", toks, tt.wantState)
			}
			if contains(err.Error(), "OTN_TOKEN_A") {
				t.Errorf("error reveals the token: %v", err)
			}
		})
	}
}

func TestNotifyRestoresWhenNothingWasSent(t *testing.T) {
	t.Parallel()
	// A port nothing listens on: the dial fails, so the request never left.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	down, err := messenger.New("page-token", messenger.WithBaseURL("http://"+addr),
		messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	g := newFakeGraph(t, nil)
	up := g.client(t)

	var target Sender = down
	sw := senderFunc(func(ctx context.Context, req messenger.SendRequest) (*messenger.SendResponse, error) {
		return target.Send(ctx, req)
	})
	n, _ := newNotifier(t, sw, newClock(issued))
	capture(t, n, optinBody)
	ctx := context.Background()
	_, err = n.Notify(ctx, "PAGE_ID", "PSID_1", "back_in_stock:sku-42", text("x"))
	var ne *NotifyError
	if !errors.As(err, &ne) || ne.Fate != TokenRestored || !errors.Is(err, messenger.ErrNotSent) {
		t.Fatalf("Notify with Graph unreachable: %v, want a restored token and ErrNotSent", err)
	}
	// The token was given back: once Graph is reachable the notification goes out.
	target = up
	if _, err := n.Notify(ctx, "PAGE_ID", "PSID_1", "back_in_stock:sku-42", text("x")); err != nil {
		t.Fatalf("Notify after restore: %v", err)
	}
	if g.requests.Load() != 1 {
		t.Errorf("Graph got %d requests, want 1", g.requests.Load())
	}
}

func TestNotifyRestoresOnSenderValidationError(t *testing.T) {
	t.Parallel()
	calls := 0
	s := senderFunc(func(ctx context.Context, req messenger.SendRequest) (*messenger.SendResponse, error) {
		calls++
		if calls == 1 {
			return nil, &messenger.ValidationError{Field: "message", Limit: "a wrapper's own rule", Value: "x"}
		}
		return &messenger.SendResponse{MessageID: "m_1"}, nil
	})
	n, _ := newNotifier(t, s, newClock(issued))
	capture(t, n, optinBody)
	ctx := context.Background()
	_, err := n.Notify(ctx, "PAGE_ID", "PSID_1", "back_in_stock:sku-42", text("x"))
	if FateOf(err) != TokenRestored || !errors.Is(err, messenger.ErrInvalidRequest) {
		t.Fatalf("first Notify: %v, want a restored token", err)
	}
	if _, err := n.Notify(ctx, "PAGE_ID", "PSID_1", "back_in_stock:sku-42", text("x")); err != nil {
		t.Fatalf("second Notify: %v", err)
	}
}

func TestNotifyValidatesBeforeClaiming(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t, nil)
	n, mem := newNotifier(t, g.client(t), newClock(issued))
	capture(t, n, optinBody)
	long := make([]byte, messenger.MaxTextLen+1)
	for i := range long {
		long[i] = 'a'
	}
	for _, m := range []*messenger.Message{nil, text(""), text(string(long))} {
		_, err := n.Notify(context.Background(), "PAGE_ID", "PSID_1", "back_in_stock:sku-42", m)
		if !errors.Is(err, messenger.ErrInvalidRequest) {
			t.Errorf("Notify(%v): %v, want ErrInvalidRequest", m, err)
		}
	}
	toks, _ := mem.ListTokens(context.Background(), "PAGE_ID", "PSID_1")
	if toks[0].State != store.TokenLive || toks[0].Uses != 0 {
		t.Errorf("token touched by invalid messages: %+v", toks[0])
	}
}

func TestNotifyRefusesAnotherPagesClient(t *testing.T) {
	t.Parallel()
	c, err := messenger.New("page-token", messenger.WithPageID("999"))
	if err != nil {
		t.Fatal(err)
	}
	n, mem := newNotifier(t, c, newClock(issued))
	capture(t, n, optinBody)
	if _, err := n.Notify(context.Background(), "PAGE_ID", "PSID_1", "back_in_stock:sku-42", text("x")); err == nil {
		t.Fatal("Notify through another Page's client: no error")
	}
	toks, _ := mem.ListTokens(context.Background(), "PAGE_ID", "PSID_1")
	if toks[0].State != store.TokenLive {
		t.Errorf("token claimed although nothing could be sent: %+v", toks[0])
	}
}

func TestWithPageSenders(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t, nil)
	root := g.client(t)
	var pages []string
	n, err := New(nil, storetest.NewMemory(t), WithClock(newClock(issued).Now),
		WithPageSenders(func(ctx context.Context, page string) (Sender, error) {
			pages = append(pages, page)
			return root, nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	capture(t, n, optinBody)
	if _, err := n.Notify(context.Background(), "PAGE_ID", "PSID_1", "back_in_stock:sku-42", text("x")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"PAGE_ID"}, pages); diff != "" {
		t.Errorf("pages asked for (-want +got):\n%s", diff)
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	if _, err := New(nil, storetest.NewMemory(t)); err == nil {
		t.Error("New without a client: no error")
	}
	if _, err := New(senderFunc(nil), nil); err == nil {
		t.Error("New without a store: no error")
	}
	if _, err := New(senderFunc(nil), storetest.NewMemory(t), WithClock(nil)); err == nil {
		t.Error("WithClock(nil): no error")
	}
}

type senderFunc func(ctx context.Context, req messenger.SendRequest) (*messenger.SendResponse, error)

func (f senderFunc) Send(ctx context.Context, req messenger.SendRequest) (*messenger.SendResponse, error) {
	return f(ctx, req)
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// cancelOnClaim is a token store whose ClaimToken cancels the caller's context
// after claiming, as a deadline that expires at that moment would.
type cancelOnClaim struct {
	*memstore.Store
	cancel context.CancelFunc
}

func (c cancelOnClaim) ClaimToken(ctx context.Context, q store.TokenQuery, now time.Time) (store.Token, error) {
	tok, err := c.Store.ClaimToken(ctx, q, now)
	c.cancel()
	return tok, err
}

func TestNotifyContextEndsAfterClaim(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	mem := storetest.NewMemory(t)
	n, err := New(g.client(t), cancelOnClaim{mem, cancel}, WithClock(newClock(issued).Now))
	if err != nil {
		t.Fatal(err)
	}
	capture(t, n, optinBody)
	_, err = n.Notify(ctx, "PAGE_ID", "PSID_1", "back_in_stock:sku-42", text("x"))
	if FateOf(err) != TokenRestored || !errors.Is(err, context.Canceled) {
		t.Fatalf("Notify: %v, want the token restored", err)
	}
	toks, _ := mem.ListTokens(context.Background(), "PAGE_ID", "PSID_1")
	if toks[0].State != store.TokenLive || g.requests.Load() != 0 {
		t.Errorf("token %+v after a cancelled Notify, %d requests", toks[0], g.requests.Load())
	}
}
