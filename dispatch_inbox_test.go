package messenger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/store/storetest"
)

// flaky is a handler that fails the first fails runs of each message id.
type flaky struct {
	fails int
	panic bool

	mu   sync.Mutex
	runs map[string]int
	ok   []string
}

func (f *flaky) handle(_ context.Context, ev Event) error {
	mid := ev.(*MessageEvent).Message.MID
	f.mu.Lock()
	if f.runs == nil {
		f.runs = map[string]int{}
	}
	f.runs[mid]++
	n := f.runs[mid]
	if n > f.fails {
		f.ok = append(f.ok, mid)
	}
	f.mu.Unlock()
	if n <= f.fails {
		if f.panic {
			panic(fmt.Sprintf("run %d of %s", n, mid))
		}
		return fmt.Errorf("run %d of %s failed", n, mid)
	}
	return nil
}

func (f *flaky) snapshot() (map[string]int, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	runs := map[string]int{}
	for k, v := range f.runs {
		runs[k] = v
	}
	return runs, append([]string(nil), f.ok...)
}

type inboxRig struct {
	clock *fakeClock
	inbox *memstore.Store
	w     *Webhook
	errs  *sink
}

// newInboxRig builds a webhook on a memory store used as inbox, dedupe and window
// store, so deliveries go in through store.Intake.
func newInboxRig(t *testing.T, opts ...WebhookOption) *inboxRig {
	return newInboxRigWith(t, true, opts...)
}

// newInboxRigWith builds the same with intake false: a dedupe store apart from the
// inbox, so each event is claimed on its own.
func newInboxRigWith(t *testing.T, intake bool, opts ...WebhookOption) *inboxRig {
	t.Helper()
	r := &inboxRig{clock: &fakeClock{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}, errs: &sink{}}
	r.inbox = storetest.NewMemory(t, memstore.WithClock(r.clock.Now))
	var dedupe store.Dedupe = r.inbox
	if !intake {
		dedupe = storetest.NewMemory(t, memstore.WithClock(r.clock.Now))
	}
	opts = append([]WebhookOption{
		WithInbox(r.inbox), WithDedupe(dedupe), WithWindows(r.inbox), WithWebhookClock(r.clock.Now), WithErrorHandler(r.errs.onError),
	}, opts...)
	r.w = newTestWebhook(t, opts...)
	return r
}

func (r *inboxRig) entries(t *testing.T, state store.InboxState) []store.InboxEntry {
	t.Helper()
	es, err := r.inbox.Entries(context.Background(), state)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// A failing handler leaves its event in the inbox; it runs again after the backoff
// and, once it succeeds, the entry is gone. Events of the entry that succeeded the
// first time are not run again, and the error handler hears of every failure.
func TestWebhookFailedEventRetriedFromInbox(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ panics, intake bool }{{false, true}, {true, true}, {false, false}, {true, false}} {
		panics := tc.panics
		t.Run(fmt.Sprintf("panic=%v/intake=%v", tc.panics, tc.intake), func(t *testing.T) {
			t.Parallel()
			r := newInboxRigWith(t, tc.intake, WithHandlerRetry(HandlerRetry{Attempts: 5, Backoff: time.Minute, MaxBackoff: time.Hour}))
			f := &flaky{fails: 2, panic: panics}
			var good atomic.Int32
			r.w.OnEvent(func(ctx context.Context, ev Event) error {
				if ev.(*MessageEvent).Message.MID == "good" {
					good.Add(1)
					return nil
				}
				return f.handle(ctx, ev)
			})
			if code := postSigned(r.w, messageBody(t, "p", "a/good/1", "b/bad/2")); code != 200 {
				t.Fatalf("status %d", code)
			}
			waitIdle(t, r.w)
			for attempt := 1; attempt <= 2; attempt++ {
				es := r.entries(t, store.InboxPending)
				if len(es) != 1 || es[0].Attempts != attempt || es[0].Owner != "" {
					t.Fatalf("after failed run %d: inbox %+v, want one free entry with %d attempts", attempt, es, attempt)
				}
				// Not before its backoff (a minute, doubled, plus up to a quarter)...
				if n, err := r.w.Replay(context.Background()); n != 0 || err != nil {
					t.Fatalf("Replay before the retry time = %d, %v; want nothing due", n, err)
				}
				// ...and then it runs.
				r.clock.Advance(time.Duration(attempt) * 2 * time.Minute * 5 / 4)
				if n, err := r.w.Replay(context.Background()); n != 2 || err != nil {
					t.Fatalf("Replay at the retry time = %d, %v; want the entry's 2 events", n, err)
				}
			}
			if es := r.entries(t, store.InboxPending); len(es) != 0 {
				t.Errorf("inbox after the successful run holds %+v", es)
			}
			runs, ok := f.snapshot()
			if diff := cmp.Diff(map[string]int{"bad": 3}, runs); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"bad"}, ok); diff != "" {
				t.Errorf("succeeded (-want +got):\n%s", diff)
			}
			if n := good.Load(); n != 1 {
				t.Errorf("the event that succeeded ran %d times, want 1", n)
			}
			_, errs := r.errs.snapshot()
			if len(errs) != 2 {
				t.Fatalf("error handler got %v, want the 2 failures", errs)
			}
			if panics && !errors.Is(errs[0], ErrHandlerPanic) {
				t.Errorf("error = %v, want a HandlerPanicError", errs[0])
			}
			st := r.w.Stats()
			want := WebhookStats{Deliveries: 1, Events: 2, Handled: 2, Failed: 2, Duplicates: 2, Retried: 2}
			if diff := cmp.Diff(want, st); diff != "" {
				t.Errorf("Stats (-want +got):\n%s", diff)
			}
		})
	}
}

// After the last attempt an entry goes to the dead letters, the error handler is
// told, nothing claims it, and Redrive runs it again.
func TestWebhookDeadLetterAndRedrive(t *testing.T) {
	t.Parallel()
	r := newInboxRig(t, WithHandlerRetry(HandlerRetry{Attempts: 2, Backoff: time.Second, MaxBackoff: time.Second}))
	var broken atomic.Bool
	broken.Store(true)
	var ran sync.WaitGroup
	r.w.OnEvent(func(ctx context.Context, ev Event) error {
		defer ran.Done()
		if broken.Load() {
			return errors.New("CRM is down")
		}
		return nil
	})
	ran.Add(1)
	if code := postSigned(r.w, messageBody(t, "p", "a/m1/1")); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitIdle(t, r.w)
	r.clock.Advance(2 * time.Second)
	ran.Add(1)
	if n, err := r.w.Replay(context.Background()); n != 1 || err != nil {
		t.Fatalf("Replay = %d, %v", n, err)
	}
	dead, err := r.w.DeadLetters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].Attempts != 2 || dead[0].LastError != "CRM is down" || dead[0].State != store.InboxDead {
		t.Fatalf("DeadLetters = %+v, want the entry after 2 attempts", dead)
	}
	_, errs := r.errs.snapshot()
	var dl *DeadLetterError
	if len(errs) != 3 || !errors.As(errs[2], &dl) || !errors.Is(errs[2], ErrDeadLettered) || dl.EntryID != dead[0].ID || dl.Attempts != 2 {
		t.Fatalf("errors %v, want two failures then a DeadLetterError for entry %s", errs, dead[0].ID)
	}
	r.clock.Advance(24 * time.Hour)
	if n, err := r.w.Replay(context.Background()); n != 0 || err != nil {
		t.Fatalf("Replay of a dead letter = %d, %v; want it left alone", n, err)
	}
	if err := r.w.Redrive(context.Background(), "no-such-entry"); !errors.Is(err, store.ErrNoEntry) {
		t.Errorf("Redrive(unknown) = %v, want ErrNoEntry", err)
	}
	broken.Store(false)
	ran.Add(1)
	if err := r.w.Redrive(context.Background(), dead[0].ID); err != nil {
		t.Fatal(err)
	}
	ran.Wait() // the sweeper runs it without being asked
	waitIdle(t, r.w)
	if n := len(r.entries(t, store.InboxPending)) + len(r.entries(t, store.InboxDead)); n != 0 {
		t.Errorf("inbox holds %d entries after the redriven run succeeded", n)
	}
	if st := r.w.Stats(); st.DeadLettered != 1 || st.Handled != 1 || st.Failed != 2 {
		t.Errorf("Stats = %+v", st)
	}
}

// Without an inbox a failed event is reported and not run again: the docs say so.
func TestWebhookFailedEventWithoutInboxIsReportedOnce(t *testing.T) {
	t.Parallel()
	var errs sink
	w := newTestWebhook(t, WithErrorHandler(errs.onError))
	f := &flaky{fails: 1}
	w.OnEvent(f.handle)
	if code := postSigned(w, messageBody(t, "p", "a/m1/1")); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitIdle(t, w)
	if runs, _ := f.snapshot(); runs["m1"] != 1 {
		t.Errorf("runs = %v, want one", runs)
	}
	if _, e := errs.snapshot(); len(e) != 1 {
		t.Errorf("errors = %v, want the one failure", e)
	}
	if st := w.Stats(); st.Failed != 1 || st.Handled != 0 {
		t.Errorf("Stats = %+v, want 1 failed", st)
	}
	// The key was forgotten: the same event arriving again is handled.
	if code := postSigned(w, messageBody(t, "p", "a/m1/1")); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitIdle(t, w)
	if runs, ok := f.snapshot(); runs["m1"] != 2 || len(ok) != 1 {
		t.Errorf("after a redelivery: runs %v, ok %v", runs, ok)
	}
}

// An entry a live instance holds is not run by another one sharing the inbox, until
// its lease runs out.
func TestWebhookReplayLeavesLiveEntries(t *testing.T) {
	t.Parallel()
	r := newInboxRig(t)
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	r.w.OnEvent(func(ctx context.Context, ev Event) error {
		started <- struct{}{}
		<-release
		return nil
	})
	if code := postSigned(r.w, messageBody(t, "p", "a/m1/1")); code != 200 {
		t.Fatalf("status %d", code)
	}
	<-started
	var runs atomic.Int32
	other := newTestWebhook(t, WithInbox(r.inbox), WithDedupe(r.inbox), WithWebhookClock(r.clock.Now))
	other.OnEvent(func(context.Context, Event) error { runs.Add(1); return nil })
	r.clock.Advance(DefaultInboxLease - time.Nanosecond)
	if n, err := other.Replay(context.Background()); n != 0 || err != nil {
		t.Errorf("Replay while the first instance runs the entry = %d, %v; want 0", n, err)
	}
	close(release)
	waitIdle(t, r.w)
	r.clock.Advance(time.Hour)
	if n, err := other.Replay(context.Background()); n != 0 || err != nil {
		t.Errorf("Replay after the first instance finished = %d, %v; want 0", n, err)
	}
	if runs.Load() != 0 {
		t.Errorf("the second instance ran %d events", runs.Load())
	}
}

// Shutdown with an inbox loses nothing: what it could not finish is handed back at
// once, without an attempt counted, and the next process runs exactly that.
func TestWebhookShutdownHandsEntriesBack(t *testing.T) {
	t.Parallel()
	r := newInboxRig(t, WithConcurrency(1))
	block := make(chan struct{})
	var first sync.Once
	started := make(chan struct{})
	handled := map[string]int{}
	var mu sync.Mutex
	count := func(ev Event) {
		mu.Lock()
		handled[ev.(*MessageEvent).Message.MID]++
		mu.Unlock()
	}
	r.w.OnEvent(func(ctx context.Context, ev Event) error {
		first.Do(func() { close(started) })
		select {
		case <-block:
		case <-ctx.Done():
			return ctx.Err()
		}
		count(ev)
		return nil
	})
	const n = 20
	for i := range n {
		if code := postSigned(r.w, messageBody(t, "p", fmt.Sprintf("u%d/m%d/%d", i, i, i))); code != 200 {
			t.Fatalf("status %d", code)
		}
	}
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // out of time at once
	if err := r.w.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown = %v", err)
	}
	st := r.w.Stats()
	if st.Dropped != n-1 {
		t.Errorf("Stats().Dropped = %d, want %d", st.Dropped, n-1)
	}
	es := r.entries(t, store.InboxPending)
	if len(es) != n {
		t.Fatalf("inbox holds %d entries after Shutdown, want all %d", len(es), n)
	}
	for _, e := range es {
		if e.Owner != "" || e.Attempts != 0 {
			t.Errorf("entry %s after Shutdown: owner %q, %d attempts; want handed back, none counted", e.ID, e.Owner, e.Attempts)
		}
	}
	next := newTestWebhook(t, WithInbox(r.inbox), WithDedupe(r.inbox), WithWebhookClock(r.clock.Now))
	next.OnEvent(func(_ context.Context, ev Event) error { count(ev); return nil })
	if got, err := next.Replay(context.Background()); got != n || err != nil {
		t.Fatalf("Replay = %d, %v; want %d", got, err, n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(handled) != n {
		t.Errorf("handled %d distinct events, want %d", len(handled), n)
	}
	for mid, k := range handled {
		if k != 1 {
			t.Errorf("%s handled %d times", mid, k)
		}
	}
}

// Handlers get a context with a deadline, so a call that never answers ends.
func TestWebhookHandlerTimeout(t *testing.T) {
	t.Parallel()
	var errs sink
	w := newTestWebhook(t, WithHandlerTimeout(20*time.Millisecond), WithErrorHandler(errs.onError))
	var deadline atomic.Bool
	w.OnEvent(func(ctx context.Context, ev Event) error {
		_, ok := ctx.Deadline()
		deadline.Store(ok)
		<-ctx.Done()
		return ctx.Err()
	})
	if code := postSigned(w, messageBody(t, "p", "a/m1/1")); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitIdle(t, w)
	if !deadline.Load() {
		t.Error("handler context had no deadline")
	}
	if _, e := errs.snapshot(); len(e) != 1 || !errors.Is(e[0], context.DeadlineExceeded) {
		t.Errorf("errors = %v, want the deadline", e)
	}
	if _, err := NewWebhook(whSecret, whVerifyToken, WithHandlerTimeout(0)); err == nil {
		t.Error("WithHandlerTimeout(0): no error")
	}
}

func TestWebhookRetryOptionsValidated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		opt  WebhookOption
		want string
	}{
		{WithHandlerRetry(HandlerRetry{Attempts: 0, Backoff: time.Second, MaxBackoff: time.Second}), "Attempts must be at least 1, got 0"},
		{WithHandlerRetry(HandlerRetry{Attempts: 3, Backoff: 0, MaxBackoff: time.Second}), "Backoff must be positive, got 0s"},
		{WithHandlerRetry(HandlerRetry{Attempts: 3, Backoff: time.Minute, MaxBackoff: time.Second}), "MaxBackoff must be at least Backoff (1m0s), got 1s"},
		{WithInboxLease(time.Second - time.Nanosecond), "WithInboxLease: must be at least 1s, got 999.999999ms"},
		{WithHandlerTimeout(0), "WithHandlerTimeout: must be positive, got 0s"},
	} {
		_, err := NewWebhook(whSecret, whVerifyToken, tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error = %v, want it to say %q", err, tc.want)
		}
	}
	// The limits themselves are accepted.
	for name, opt := range map[string]WebhookOption{
		"one attempt, equal backoffs": WithHandlerRetry(HandlerRetry{Attempts: 1, Backoff: time.Second, MaxBackoff: time.Second}),
		"lease of 1s":                 WithInboxLease(time.Second),
		"handler timeout of 1ns":      WithHandlerTimeout(time.Nanosecond),
	} {
		w, err := NewWebhook(whSecret, whVerifyToken, opt)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if err := w.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	}
}

func TestHandlerRetryWait(t *testing.T) {
	t.Parallel()
	r := HandlerRetry{Attempts: 10, Backoff: time.Second, MaxBackoff: 10 * time.Second}
	for _, tc := range []struct {
		attempt int
		base    time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {4, 8 * time.Second}, {5, 10 * time.Second}, {9, 10 * time.Second}} {
		for range 50 {
			if d := r.wait(tc.attempt); d < tc.base || d > tc.base*5/4 {
				t.Fatalf("wait(%d) = %v, want within [%v, %v]", tc.attempt, d, tc.base, tc.base*5/4)
			}
		}
	}
}

// callCounter counts the calls made of a memory store.
type callCounter struct {
	*memstore.Store
	mu       sync.Mutex
	calls    map[string]int
	admitErr error // Admit fails with it, doing nothing, while set
}

func (c *callCounter) count(name string) {
	c.mu.Lock()
	c.calls[name]++
	c.mu.Unlock()
}

func (c *callCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

func (c *callCounter) Admit(ctx context.Context, d store.Delivery) (store.Admitted, error) {
	c.count("Admit")
	c.mu.Lock()
	err := c.admitErr
	c.mu.Unlock()
	if err != nil {
		return store.Admitted{}, err
	}
	return c.Store.Admit(ctx, d)
}

func (c *callCounter) Complete(ctx context.Context, ids []string) error {
	c.count("Complete")
	return c.Store.Complete(ctx, ids)
}

func (c *callCounter) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	c.count("FirstSeen")
	return c.Store.FirstSeen(ctx, key, ttl)
}

func (c *callCounter) RecordAction(ctx context.Context, page, user string, a store.Action) error {
	c.count("RecordAction")
	return c.Store.RecordAction(ctx, page, user, a)
}

func (c *callCounter) Append(ctx context.Context, body []byte, at time.Time, l store.Lease) (string, error) {
	c.count("Append")
	return c.Store.Append(ctx, body, at, l)
}

func (c *callCounter) Done(ctx context.Context, id string) error {
	c.count("Done")
	return c.Store.Done(ctx, id)
}

// With one store as inbox, dedupe and window store, a delivery costs one Admit
// before the 200 and one Complete after, however many events it holds; a
// redelivery costs the Admit alone and runs nothing.
func TestWebhookIntakeOneCallPerDelivery(t *testing.T) {
	t.Parallel()
	st := &callCounter{Store: storetest.NewMemory(t), calls: map[string]int{}}
	w := newTestWebhook(t, WithInbox(st), WithDedupe(st), WithWindows(st))
	var runs atomic.Int32
	w.OnEvent(func(context.Context, Event) error { runs.Add(1); return nil })
	body := messageBody(t, "p", "a/m1/1", "a/m2/2", "b/m3/3", "c/m4/4")
	if code := postSigned(w, body); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitIdle(t, w)
	if diff := cmp.Diff(map[string]int{"Admit": 1, "Complete": 1}, st.snapshot()); diff != "" {
		t.Errorf("store calls for a 4-event delivery (-want +got):\n%s", diff)
	}
	if code := postSigned(w, body); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitIdle(t, w)
	if diff := cmp.Diff(map[string]int{"Admit": 2, "Complete": 1}, st.snapshot()); diff != "" {
		t.Errorf("store calls after a redelivery (-want +got):\n%s", diff)
	}
	if n := runs.Load(); n != 4 {
		t.Errorf("handlers ran %d times, want 4", n)
	}
	if win, err := st.Window(context.Background(), "p", "a"); err != nil || win.LastMessage.IsZero() {
		t.Errorf("window of a = %+v, %v; want the message recorded", win, err)
	}
	if es, _ := st.Entries(context.Background(), store.InboxPending); len(es) != 0 {
		t.Errorf("inbox holds %d entries", len(es))
	}
	if st := w.Stats(); st.Events != 8 || st.Handled != 4 || st.Duplicates != 4 {
		t.Errorf("Stats = %+v, want 8 events acknowledged, 4 handled, 4 duplicates", st)
	}
}

// pendingIDs lists the ids of the pending entries of st.
func pendingIDs(t *testing.T, st store.Inbox) []string {
	t.Helper()
	es, err := st.Entries(context.Background(), store.InboxPending)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

// countedIntake is a webhook whose one memory store, counting its calls, is inbox,
// dedupe and window store; its handlers succeed.
func countedIntake(t *testing.T) (*callCounter, *Webhook) {
	st := &callCounter{Store: storetest.NewMemory(t), calls: map[string]int{}}
	w := newTestWebhook(t, WithInbox(st), WithDedupe(st), WithWindows(st))
	w.OnEvent(func(context.Context, Event) error { return nil })
	return st, w
}

// checkIdle waits until w is idle and checks the store calls made by then, and that
// no entry is left.
func checkIdle(t *testing.T, w *Webhook, st *callCounter, wantCalls map[string]int) {
	t.Helper()
	waitIdle(t, w)
	if diff := cmp.Diff(wantCalls, st.snapshot()); diff != "" {
		t.Errorf("store calls once idle (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{}, pendingIDs(t, st)); diff != "" {
		t.Errorf("pending once idle (-want +got):\n%s", diff)
	}
}

// Under load, an entry finished before the next delivery arrives is removed by that
// delivery's Admit: no call of its own.
func TestWebhookIntakeRemovalRidesOnNextDelivery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st, w := countedIntake(t)
		if code := postSigned(w, messageBody(t, "p", "a/m1/1")); code != 200 {
			t.Fatalf("status %d", code)
		}
		synctest.Wait() // handled; the removal waits for company
		first := pendingIDs(t, st)
		if len(first) != 1 {
			t.Fatalf("pending after the first delivery = %v, want its entry", first)
		}
		if code := postSigned(w, messageBody(t, "p", "b/m2/2")); code != 200 {
			t.Fatalf("status %d", code)
		}
		synctest.Wait()
		if diff := cmp.Diff(map[string]int{"Admit": 2}, st.snapshot()); diff != "" {
			t.Errorf("store calls for two deliveries (-want +got):\n%s", diff)
		}
		if got := pendingIDs(t, st); len(got) != 1 || got[0] == first[0] {
			t.Errorf("pending after the second delivery = %v, want only its own entry (the first, %s, removed)", got, first[0])
		}
		// No delivery follows: the completer removes the last entry on its own.
		checkIdle(t, w, st, map[string]int{"Admit": 2, "Complete": 1})
	})
}

// With deliveries coming more often than completeDelay, every finished entry rides
// on the next delivery's Admit: the completer removes only entries that waited its
// whole delay, so it makes no call while the stream lasts.
func TestWebhookIntakeSteadyStreamMakesNoRemovalCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st, w := countedIntake(t)
		const deliveries = 20
		for i := range deliveries {
			if code := postSigned(w, messageBody(t, "p", fmt.Sprintf("u%d/m%d/%d", i, i, i+1))); code != 200 {
				t.Fatalf("delivery %d: status %d", i, code)
			}
			synctest.Wait()
			time.Sleep(completeDelay * 9 / 10)
		}
		if diff := cmp.Diff(map[string]int{"Admit": deliveries}, st.snapshot()); diff != "" {
			t.Errorf("store calls for a steady stream (-want +got):\n%s", diff)
		}
		if got := pendingIDs(t, st); len(got) != 1 {
			t.Errorf("pending during the stream = %v, want only the last delivery's entry", got)
		}
		checkIdle(t, w, st, map[string]int{"Admit": deliveries, "Complete": 1})
	})
}

// A removal that rode on an Admit that failed is not lost: the completer does it.
func TestWebhookIntakeFailedAdmitKeepsRemovals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st, w := countedIntake(t)
		if code := postSigned(w, messageBody(t, "p", "a/m1/1")); code != 200 {
			t.Fatalf("status %d", code)
		}
		synctest.Wait()
		st.mu.Lock()
		st.admitErr = errors.New("store down")
		st.mu.Unlock()
		if code := postSigned(w, messageBody(t, "p", "b/m2/2")); code == 200 {
			t.Fatal("a delivery the store refused was answered 200")
		}
		checkIdle(t, w, st, map[string]int{"Admit": 2, "Complete": 1})
	})
}

// With one attempt allowed, the first failure dead-letters the entry: no retry.
func TestWebhookOneAttemptDeadLettersAtOnce(t *testing.T) {
	t.Parallel()
	r := newInboxRig(t, WithHandlerRetry(HandlerRetry{Attempts: 1, Backoff: time.Second, MaxBackoff: time.Second}))
	r.w.OnEvent(func(context.Context, Event) error { return errors.New("no") })
	if code := postSigned(r.w, messageBody(t, "p", "a/m1/1")); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitIdle(t, r.w)
	if dead := r.entries(t, store.InboxDead); len(dead) != 1 || dead[0].Attempts != 1 {
		t.Errorf("dead letters = %+v, want the entry after its one attempt", dead)
	}
	if pending := r.entries(t, store.InboxPending); len(pending) != 0 {
		t.Errorf("pending = %+v, want none", pending)
	}
}

// claimCounter is a memory store that counts the Claim and Release calls the
// webhook makes of it as an inbox.
type claimCounter struct {
	*memstore.Store
	claims, releases atomic.Int32
}

func (c *claimCounter) Claim(ctx context.Context, l store.Lease, now time.Time, max int) ([]store.InboxEntry, error) {
	c.claims.Add(1)
	return c.Store.Claim(ctx, l, now, max)
}

func (c *claimCounter) Release(ctx context.Context, id, owner string, r store.Release) error {
	c.releases.Add(1)
	return c.Store.Release(ctx, id, owner, r)
}

// A full queue is back-pressure: the sweeper claims nothing while there is no room
// (a claim would only be handed back), tells the error handler nothing, and runs
// the waiting entries, each once, as soon as the workers free half the queue, not
// at its next round.
func TestWebhookSweeperWaitsForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &claimCounter{Store: storetest.NewMemory(t)}
		var errs sink
		const limit = 4
		w := newTestWebhook(t, WithInbox(st), WithDedupe(st), WithWindows(st),
			WithQueueLimit(limit), WithConcurrency(1), WithErrorHandler(errs.onError))
		var mu sync.Mutex
		gate := make(chan struct{})
		runs := map[string]int{}
		w.OnEvent(func(_ context.Context, ev Event) error {
			mu.Lock()
			g := gate
			runs[ev.(*MessageEvent).Message.MID]++
			mu.Unlock()
			<-g
			return nil
		})
		open := func() {
			mu.Lock()
			close(gate)
			mu.Unlock()
		}
		// An instance that stopped left entries behind; their leases have run out.
		orphan := func(mid string) {
			t.Helper()
			gone := store.Lease{Owner: "stopped", Until: time.Now()}
			if _, err := st.Append(context.Background(), messageBody(t, "p", "o/"+mid+"/1"), time.Now(), gone); err != nil {
				t.Fatal(err)
			}
		}
		fill := func(round int) {
			t.Helper()
			specs := make([]string, limit)
			for i := range specs {
				specs[i] = fmt.Sprintf("u%d/r%dm%d/%d", i, round, i, i+1)
			}
			if code := postSigned(w, messageBody(t, "p", specs...)); code != 200 {
				t.Fatalf("status %d", code)
			}
		}
		sweeps := func(n int) {
			for range n {
				time.Sleep(DefaultInboxLease / 3)
				synctest.Wait()
			}
		}
		// Room frees up between two rounds of the sweeper: what runs then was
		// woken by the workers.
		roomMidRound := func() {
			t.Helper()
			time.Sleep(DefaultInboxLease / 6)
			start := time.Now()
			open()
			waitIdle(t, w)
			if waited := time.Since(start); waited >= DefaultInboxLease/6 {
				t.Errorf("the waiting entries ran %v after room freed up, want before the sweeper's next round (%v)", waited, DefaultInboxLease/6)
			}
		}

		fill(1)
		for _, mid := range []string{"o1", "o2", "o3"} {
			orphan(mid)
		}
		sweeps(5)
		if n := st.claims.Load(); n != 0 {
			t.Errorf("Claim called %d times while the queue had no room, want 0", n)
		}
		if n := st.releases.Load(); n != 0 {
			t.Errorf("Release called %d times while the queue had no room, want 0", n)
		}
		roomMidRound()
		if n := st.claims.Load(); n == 0 {
			t.Error("no Claim once the queue had room")
		}
		if got := pendingIDs(t, st); len(got) != 0 {
			t.Errorf("pending once the queue had room = %v, want none", got)
		}

		// The queue fills up again, and empties again.
		mu.Lock()
		gate = make(chan struct{})
		mu.Unlock()
		fill(2)
		orphan("o4")
		claims := st.claims.Load()
		sweeps(3)
		if n := st.claims.Load() - claims; n != 0 {
			t.Errorf("Claim called %d times while the queue was full again, want 0", n)
		}
		roomMidRound()

		if _, es := errs.snapshot(); len(es) != 0 {
			t.Errorf("error handler heard %v, want nothing: a full queue is not a fault", es)
		}
		want := map[string]int{"o1": 1, "o2": 1, "o3": 1, "o4": 1}
		for round := 1; round <= 2; round++ {
			for i := range limit {
				want[fmt.Sprintf("r%dm%d", round, i)] = 1
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if diff := cmp.Diff(want, runs); diff != "" {
			t.Errorf("runs per message (-want +got):\n%s", diff)
		}
		if got := pendingIDs(t, st); len(got) != 0 {
			t.Errorf("pending at the end = %v, want none", got)
		}
	})
}

// On the fleet path too, a Shutdown that runs out of time hands the entry back with
// what its finished events did kept: the next instance runs the event that was in
// flight and the one never started, and not the one that succeeded.
func TestWebhookIntakeShutdownKeepsFinishedEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := storetest.NewMemory(t)
		opts := []WebhookOption{WithInbox(st), WithDedupe(st), WithWindows(st)}
		var s1 sink
		w1 := newTestWebhook(t, opts...)
		m2started := holdUntilCancelled(w1, "m2", &s1)
		// m1 succeeds, m2 is running when time runs out, m3 (after m2) never starts.
		body := messageBody(t, "p", "a/m1/1", "b/m2/2", "b/m3/3")
		if code := postSigned(w1, body); code != 200 {
			t.Fatalf("status %d", code)
		}
		<-m2started
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := w1.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Shutdown = %v", err)
		}
		if evs, _ := s1.snapshot(); !cmp.Equal([]string{"m1"}, ids(evs)) {
			t.Fatalf("first instance handled %v, want m1", ids(evs))
		}
		es, err := st.Entries(context.Background(), store.InboxPending)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].Owner != "" || es[0].Attempts != 0 {
			t.Fatalf("inbox after Shutdown = %+v, want the entry handed back, no attempt counted", es)
		}

		var s2 sink
		w2 := newTestWebhook(t, opts...)
		w2.OnEvent(s2.handle)
		if n, err := w2.Replay(context.Background()); n != 3 || err != nil {
			t.Fatalf("Replay = %d, %v; want the entry's 3 events", n, err)
		}
		evs, _ := s2.snapshot()
		if diff := cmp.Diff([]string{"m2", "m3"}, ids(evs)); diff != "" {
			t.Errorf("next instance handled (-want +got):\n%s", diff)
		}
		if got := pendingIDs(t, st); len(got) != 0 {
			t.Errorf("pending after Replay = %v, want none", got)
		}
	})
}

// BenchmarkWebhookIntake is the webhook row of BenchmarkWebhookSingleMessage and
// BenchmarkWebhookBatch100 on the fleet path: one memory store as inbox, dedupe and
// window store, so each delivery goes in through store.Intake. Each op waits for
// the handlers of its events; its entry is removed by the next op's Admit.
func BenchmarkWebhookIntake(b *testing.B) {
	for _, tc := range []struct {
		name          string
		body          func(int) []byte
		events, chunk int
	}{{"single", singleMessage, 1, 4096}, {"batch100", batch100, 100, 64}} {
		b.Run(tc.name, func(b *testing.B) {
			st := storetest.NewMemory(b)
			w := newTestWebhook(b, WithInbox(st), WithDedupe(st), WithWindows(st))
			done := make(chan struct{}, tc.events)
			w.OnEvent(func(context.Context, Event) error { done <- struct{}{}; return nil })
			benchHandler(b, w, newBenchStream(tc.chunk, tc.body, true), func() {
				for range tc.events {
					<-done
				}
			})
			b.StopTimer()
		})
	}
}
