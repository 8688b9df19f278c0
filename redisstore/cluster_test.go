package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/redisstore"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storetest"
)

const howToRunCluster = "REDIS_CLUSTER_ADDRS is not set: scripts/test starts a Redis Cluster when redis-server is installed; " +
	"or start one of 3 masters (for each port P of 7000 7001 7002: redis-server --port P --bind 127.0.0.1 --cluster-enabled yes " +
	"--cluster-config-file nodes-P.conf --save '' --appendonly no --daemonize yes; then redis-cli --cluster create " +
	"127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 --cluster-replicas 0 --cluster-yes) and run " +
	"REDIS_CLUSTER_ADDRS=127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002 go test ./... in redisstore"

// clusterClient connects to the Redis Cluster at REDIS_CLUSTER_ADDRS (host:port,
// comma-separated) or skips tb, and closes the client at the end.
func clusterClient(tb testing.TB) *redis.ClusterClient {
	tb.Helper()
	env := os.Getenv("REDIS_CLUSTER_ADDRS")
	var addrs []string
	for a := range strings.SplitSeq(env, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	if len(addrs) == 0 {
		tb.Skip(howToRunCluster)
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	tb.Cleanup(func() { _ = c.Close() })
	ctx := context.Background()
	info, err := c.ClusterInfo(ctx).Result()
	if err != nil {
		tb.Fatalf("REDIS_CLUSTER_ADDRS %s: %v", env, err)
	}
	if !strings.Contains(info, "cluster_state:ok") {
		tb.Fatalf("REDIS_CLUSTER_ADDRS %s: the cluster is not ready:\n%s", env, info)
	}
	if err := c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return m.Ping(ctx).Err() }); err != nil {
		tb.Fatalf("REDIS_CLUSTER_ADDRS %s: %v", env, err)
	}
	return c
}

// masterOf returns the ID of the master serving key's slot.
func masterOf(tb testing.TB, c *redis.ClusterClient, key string) string {
	tb.Helper()
	ctx := context.Background()
	slot, err := c.ClusterKeySlot(ctx, key).Result()
	if err != nil {
		tb.Fatal(err)
	}
	shards, err := c.ClusterShards(ctx).Result()
	if err != nil {
		tb.Fatal(err)
	}
	for _, sh := range shards {
		for _, r := range sh.Slots {
			if r.Start <= slot && slot <= r.End {
				for _, n := range sh.Nodes {
					if n.Role == "master" {
						return n.ID
					}
				}
			}
		}
	}
	tb.Fatalf("no master serves slot %d of %q", slot, key)
	return ""
}

// freshClusterPrefix returns a prefix no other test uses, and deletes every key
// under it on every master at the end. The prefix is chosen so that the inbox
// (whose keys share one slot) lives on another master than the keys of each page
// given, so that a test of both crosses masters.
func freshClusterPrefix(tb testing.TB, c *redis.ClusterClient, pages ...string) string {
	tb.Helper()
	prefix := randomPrefix()
	for try := 0; ; try++ {
		inbox := masterOf(tb, c, prefix+":{"+prefix+":inbox}:seq")
		apart := true
		for _, p := range pages {
			apart = apart && masterOf(tb, c, prefix+":{"+p+"}:win:u") != inbox
		}
		if apart {
			break
		}
		if try == 100 {
			tb.Fatalf("no prefix of 100 puts the inbox on another master than pages %v", pages)
		}
		prefix = randomPrefix()
	}
	tb.Cleanup(func() {
		ctx := context.Background()
		err := c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			keys, err := scanKeys(ctx, m, prefix)
			if err != nil || len(keys) == 0 {
				return err
			}
			// One key per command: the keys of one master span many slots.
			_, err = m.Pipelined(ctx, func(p redis.Pipeliner) error {
				for _, k := range keys {
					p.Unlink(ctx, k)
				}
				return nil
			})
			return err
		})
		if err != nil {
			tb.Errorf("deleting the keys of %s: %v", prefix, err)
		}
	})
	return prefix
}

func scanKeys(ctx context.Context, m *redis.Client, prefix string) ([]string, error) {
	var keys []string
	iter := m.Scan(ctx, 0, prefix+":*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	return keys, iter.Err()
}

// keysPerMaster counts the keys under prefix on each master that holds any.
func keysPerMaster(tb testing.TB, c *redis.ClusterClient, prefix string) map[string]int {
	tb.Helper()
	var mu sync.Mutex
	out := map[string]int{}
	err := c.ForEachMaster(context.Background(), func(ctx context.Context, m *redis.Client) error {
		keys, err := scanKeys(ctx, m, prefix)
		if len(keys) > 0 {
			mu.Lock()
			out[m.Options().Addr] = len(keys)
			mu.Unlock()
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// The whole conformance suite on a real Redis Cluster, each store under a fresh
// prefix. The suite's keys of one store (its inbox, its dedupe keys, its Pages)
// fall in many slots, on several masters.
func TestClusterConformance(t *testing.T) {
	c := clusterClient(t)
	clock := storetest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC))
	spread := map[int]int{} // stores by the number of masters holding their keys
	storetest.Run(t, func(t *testing.T) store.Store {
		prefix := freshClusterPrefix(t, c)
		t.Cleanup(func() { spread[len(keysPerMaster(t, c, prefix))]++ }) // before the keys go
		return newStore(t, c, redisstore.WithPrefix(prefix), redisstore.WithClock(clock.Now))
	},
		storetest.WithClock(clock),
		storetest.WithReopen(func(t *testing.T, closed store.Store) store.Store {
			return newStore(t, c, redisstore.WithPrefix(closed.(*redisstore.Store).Prefix()), redisstore.WithClock(clock.Now))
		}),
	)
	t.Logf("stores by the number of masters holding their keys: %v", spread)
	multi := 0
	for masters, stores := range spread {
		if masters >= 2 {
			multi += stores
		}
	}
	if multi == 0 {
		t.Errorf("no store of the suite had keys on more than one master (%v): the suite did not test the cluster", spread)
	}
}

// A webhook configured for a fleet (inbox, dedupe and windows on the store) on a
// Redis Cluster: each new event is handled once, a redelivered body is not handled
// again, a failed event is retried and then handled, and no store call fails.
func TestClusterWebhook(t *testing.T) {
	c := clusterClient(t)
	prefix := freshClusterPrefix(t, c, fleetPage)
	st := newStore(t, c, redisstore.WithPrefix(prefix))
	clock := storetest.NewClock(time.Now())

	var mu sync.Mutex
	runs, handled := map[string]int{}, map[string]int{}
	var errs []string
	retried := make(chan struct{})
	wh, err := messenger.NewWebhook(fleetSecret, "verify",
		messenger.WithInbox(st), messenger.WithDedupe(st), messenger.WithWindows(st),
		messenger.WithWebhookClock(clock.Now),
		messenger.WithHandlerRetry(messenger.HandlerRetry{Attempts: 3, Backoff: time.Second, MaxBackoff: time.Second}),
		messenger.WithErrorHandler(func(_ context.Context, _ messenger.Event, err error) {
			mu.Lock()
			defer mu.Unlock()
			errs = append(errs, err.Error())
		}))
	if err != nil {
		t.Fatal(err)
	}
	const flaky = "m_flaky"
	messenger.On(wh, func(_ context.Context, ev *messenger.MessageEvent) error {
		mu.Lock()
		defer mu.Unlock()
		mid := ev.Message.MID
		runs[mid]++
		if mid == flaky && runs[mid] == 1 {
			return errors.New("the CRM timed out")
		}
		handled[mid]++
		if mid == flaky {
			close(retried)
		}
		return nil
	})
	post := func(body []byte) { t.Helper(); postOK(t, wh, body) }
	ctx := t.Context()

	// New deliveries: one event each, one of two events, and one whose handler fails.
	var bodies [][]byte
	want := map[string]int{}
	for i := range 12 {
		mid := fmt.Sprintf("m_%d", i)
		bodies = append(bodies, deliveryBody(fmt.Sprintf("u%d", i), mid))
		want[mid] = 1
	}
	bodies = append(bodies, deliveryBody("u_pair", "m_pair_1", "m_pair_2"), deliveryBody("u_flaky", flaky))
	want["m_pair_1"], want["m_pair_2"], want[flaky] = 1, 1, 1
	for _, b := range bodies {
		post(b)
	}
	if err := wh.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if on := keysPerMaster(t, c, prefix); len(on) < 2 {
		t.Errorf("the webhook's keys are on %d master(s) (%v), want at least 2 for the test to cross slots", len(on), on)
	}

	// Meta delivers some bodies again: nothing runs again.
	post(bodies[0])
	post(bodies[12])
	if err := wh.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if got := wh.Stats().Duplicates; got != 3 {
		t.Errorf("Stats().Duplicates = %d after 2 redelivered bodies of 3 events, want 3", got)
	}

	// Once its backoff has passed the failed event runs again, and succeeds.
	clock.Advance(2 * time.Second)
	if _, err := wh.Replay(ctx); err != nil {
		t.Fatalf("Replay: %v", err)
	}
	select {
	case <-retried:
	case <-ctx.Done():
		t.Fatalf("%s was not retried: %v", flaky, ctx.Err())
	}
	if err := wh.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, handled); diff != "" {
		t.Errorf("successful runs per event (-want +got):\n%s", diff)
	}
	if runs[flaky] != 2 {
		t.Errorf("%s ran %d times, want 2: it failed once", flaky, runs[flaky])
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "the CRM timed out") {
		t.Errorf("the error handler got %q, want only the failed run's error", errs)
	}
	for _, u := range []string{"u0", "u_pair", "u_flaky"} {
		w, err := st.Window(ctx, fleetPage, u)
		if err != nil || w.LastMessage.IsZero() {
			t.Errorf("Window(%s, %s) = %+v, %v; want the user's message recorded", fleetPage, u, w, err)
		}
	}
	for _, state := range []store.InboxState{store.InboxPending, store.InboxDead} {
		if es, err := st.Entries(ctx, state); err != nil || len(es) != 0 {
			t.Errorf("inbox %s entries after Shutdown: %d, %v; want none", state, len(es), err)
		}
	}
}

// Admit on a Redis Cluster, where it takes several steps: one call records every
// dedupe key, every window and the entry, and removes the finished entries; a
// redelivered body appends nothing and still removes what it is given.
func TestClusterAdmit(t *testing.T) {
	c := clusterClient(t)
	ctx := t.Context()
	const page = "1001"
	prefix := freshClusterPrefix(t, c, page)
	st := newStore(t, c, redisstore.WithPrefix(prefix))
	// A second Page whose window lives on another master than the first's.
	other := ""
	for i := 2; other == "" && i < 100; i++ {
		p := fmt.Sprint(1000 + i)
		if masterOf(t, c, prefix+":{"+p+"}:win:u") != masterOf(t, c, prefix+":{"+page+"}:win:u") {
			other = p
		}
	}
	if other == "" {
		t.Fatal("no Page of 1002-1099 has its keys on another master than 1001")
	}

	now := time.Now().UTC()
	lease := store.Lease{Owner: "a", Until: now.Add(time.Minute)}
	var finished []string
	for _, b := range []string{"finished 1", "finished 2"} {
		id, err := st.Append(ctx, []byte(b), now, lease)
		if err != nil {
			t.Fatal(err)
		}
		finished = append(finished, id)
	}
	kept, err := st.Append(ctx, []byte("still running"), now, lease)
	if err != nil {
		t.Fatal(err)
	}

	keys := []string{"message:m_1", "message:m_2", "message:m_3", "message:m_4", "message:m_5", "message:m_6"}
	d := store.Delivery{
		Body: []byte("body"), Received: now, Lease: lease, Keys: keys, TTL: time.Hour,
		Actions: []store.WindowAction{
			{Page: page, User: "u1", Action: store.Action{Kind: store.ActionMessage, At: now}},
			{Page: other, User: "u2", Action: store.Action{Kind: store.ActionMessage, At: now.Add(time.Second)}},
		},
		Done: append(finished, "unknown"),
	}
	got, err := st.Admit(ctx, d)
	if err != nil {
		t.Fatalf("Admit: %v", err)
	}
	if got.ID == "" || !cmp.Equal([]bool{true, true, true, true, true, true}, got.New) {
		t.Fatalf("Admit = %+v, want an entry and every key new", got)
	}
	if on := keysPerMaster(t, c, prefix); len(on) < 2 {
		t.Errorf("the keys of the delivery are on %d master(s) (%v), want at least 2 for the test to cross slots", len(on), on)
	}
	for _, k := range keys {
		if first, err := st.FirstSeen(ctx, k, time.Hour); err != nil || first {
			t.Errorf("FirstSeen(%s) after Admit = %v, %v; want the key recorded", k, first, err)
		}
	}
	for _, a := range d.Actions {
		w, err := st.Window(ctx, a.Page, a.User)
		if err != nil || !w.LastMessage.Equal(a.Action.At) {
			t.Errorf("Window(%s, %s) after Admit = %+v, %v; want the message at %v", a.Page, a.User, w, err, a.Action.At)
		}
	}
	pending := func() []store.InboxEntry {
		t.Helper()
		es, err := st.Entries(ctx, store.InboxPending)
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	wantEntries := []store.InboxEntry{
		{ID: kept, Body: []byte("still running"), Received: now, State: store.InboxPending, Owner: "a", LeaseUntil: lease.Until},
		{ID: got.ID, Body: []byte("body"), Received: now, State: store.InboxPending, Owner: "a", LeaseUntil: lease.Until},
	}
	if diff := cmp.Diff(wantEntries, pending()); diff != "" {
		t.Errorf("inbox after Admit: the finished entries removed, the delivery appended (-want +got):\n%s", diff)
	}

	// Meta delivers the body again: no key is new, nothing is appended (not even
	// for a moment: an entry left by a removal that failed would run the events
	// again), and what the delivery says finished is removed all the same.
	seq := func() string {
		t.Helper()
		v, err := c.Get(ctx, prefix+":{"+prefix+":inbox}:seq").Result()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	seqBefore := seq()
	again := d
	again.Received, again.Done = now.Add(time.Second), []string{kept}
	got2, err := st.Admit(ctx, again)
	if err != nil {
		t.Fatalf("Admit of a redelivery: %v", err)
	}
	if got2.ID != "" || !cmp.Equal(make([]bool, len(keys)), got2.New) {
		t.Errorf("Admit of a redelivery = %+v, want no entry and no key new", got2)
	}
	if diff := cmp.Diff([]string{got.ID}, entryIDs(pending())); diff != "" {
		t.Errorf("inbox after a redelivery's Admit (-want +got):\n%s", diff)
	}
	if after := seq(); after != seqBefore {
		t.Errorf("the inbox's sequence went from %s to %s: the redelivery's body was appended", seqBefore, after)
	}
}

// errInjected is what a fault makes a command fail with.
var errInjected = errors.New("injected fault: connection reset by peer")

// fault makes the first left commands named name (any, if empty) that have an
// argument containing match fail: after Redis ran them, when applied (the answer
// lost on its way back), or before they were sent. A script Redis did not run
// (NOSCRIPT: go-redis sends it again whole) does not count. Pipelines pass.
type fault struct {
	name, match string
	applied     bool
	left        atomic.Int32
	hits        atomic.Int32
}

func newFault(name, match string, applied bool, times int32) *fault {
	f := &fault{name: name, match: match, applied: applied}
	f.left.Store(times)
	return f
}

func (f *fault) DialHook(next redis.DialHook) redis.DialHook { return next }
func (f *fault) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (f *fault) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !f.matches(cmd) {
			return next(ctx, cmd)
		}
		if f.applied {
			if err := next(ctx, cmd); err != nil {
				return err
			}
		}
		if f.left.Add(-1) < 0 {
			if f.applied {
				return nil
			}
			return next(ctx, cmd)
		}
		f.hits.Add(1)
		cmd.SetErr(errInjected)
		return errInjected
	}
}

func (f *fault) matches(cmd redis.Cmder) bool {
	if f.name != "" && cmd.Name() != f.name {
		return false
	}
	for _, a := range cmd.Args() {
		switch v := a.(type) {
		case string:
			if strings.Contains(v, f.match) {
				return true
			}
		case []byte:
			if bytes.Contains(v, []byte(f.match)) {
				return true
			}
		}
	}
	return false
}

// flushScripts empties every master's script cache, so that a test's first
// script calls go through go-redis's NOSCRIPT path whatever ran before it.
func flushScripts(t *testing.T, c *redis.ClusterClient) {
	t.Helper()
	if err := c.ForEachMaster(t.Context(), func(ctx context.Context, m *redis.Client) error {
		return m.ScriptFlush(ctx).Err()
	}); err != nil {
		t.Fatal(err)
	}
}

// faultyClusterStore is a store under prefix on its own client of c's cluster,
// built with ContextTimeoutEnabled so that the store uses it as it is and faults
// see every call.
func faultyClusterStore(t *testing.T, c *redis.ClusterClient, prefix string, faults ...*fault) *redisstore.Store {
	t.Helper()
	o := *c.Options()
	o.ContextTimeoutEnabled = true
	fc := redis.NewClusterClient(&o)
	t.Cleanup(func() { _ = fc.Close() })
	for _, f := range faults {
		fc.AddHook(f)
	}
	st := newStore(t, fc, redisstore.WithPrefix(prefix))
	return st
}

// runsPerMessage is a webhook configured for a fleet on st, with opts, whose
// handler counts the runs of each message.
func runsPerMessage(t *testing.T, st *redisstore.Store, opts ...messenger.WebhookOption) (*messenger.Webhook, func() map[string]int) {
	t.Helper()
	var mu sync.Mutex
	runs := map[string]int{}
	wh, err := messenger.NewWebhook(fleetSecret, "verify", append([]messenger.WebhookOption{
		messenger.WithInbox(st), messenger.WithDedupe(st), messenger.WithWindows(st),
		messenger.WithErrorHandler(func(context.Context, messenger.Event, error) {}),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	messenger.On(wh, func(_ context.Context, ev *messenger.MessageEvent) error {
		mu.Lock()
		defer mu.Unlock()
		runs[ev.Message.MID]++
		return nil
	})
	return wh, func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		return maps.Clone(runs)
	}
}

// postCode posts body signed and returns the webhook's answer.
func postCode(wh *messenger.Webhook, body []byte) int {
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	req.Header.Set(messenger.SignatureHeader, messenger.SignPayload(body, fleetSecret))
	rec := httptest.NewRecorder()
	wh.ServeHTTP(rec, req)
	return rec.Code
}

// deliverLikeMeta posts body signed until the webhook answers 200, as Meta
// delivers again a body that was not acknowledged, and returns the answers.
func deliverLikeMeta(t *testing.T, wh *messenger.Webhook, body []byte) []int {
	t.Helper()
	var codes []int
	for len(codes) < 5 {
		codes = append(codes, postCode(wh, body))
		if codes[len(codes)-1] == http.StatusOK {
			return codes
		}
	}
	t.Fatalf("the webhook answered %v to 5 deliveries of the same body", codes)
	return nil
}

// A store call of Admit fails on a Redis Cluster: Meta delivers the body until it
// is acknowledged, and each event then runs exactly once, with nothing left in the
// inbox. Each case fails a different step; the answers Meta gets are checked too.
func TestClusterAdmitStepFails(t *testing.T) {
	c := clusterClient(t)
	cases := []struct {
		name   string
		faults func() []*fault
		codes  []int
	}{
		{
			// The claim of a dedupe key reaches Redis but its answer is lost. The
			// body is already stored: the event counts as new and runs. (Claimed
			// before the body, the key would have made the redelivery a duplicate
			// of an event that nobody ran.)
			name:   "key claimed, answer lost",
			faults: func() []*fault { return []*fault{newFault("", ":dedupe:message:m_2", true, 1)} },
			codes:  []int{200},
		},
		{
			// The window cannot be written, and no key could be forgotten either
			// (their master is away): nothing was claimed, so the redelivery runs.
			// (The second fault is for an undo that claims before it writes: the
			// intake makes none, so it does not fire.)
			name: "window refused, keys cannot be forgotten",
			faults: func() []*fault {
				return []*fault{newFault("", ":win:", false, 1), newFault("del", ":dedupe:", false, 1000)}
			},
			codes: []int{500, 200},
		},
		{
			// The body cannot be stored: no key was claimed, the redelivery runs.
			name:   "body refused",
			faults: func() []*fault { return []*fault{newFault("", `"messaging":[`, false, 1)} },
			codes:  []int{500, 200},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			flushScripts(t, c)
			prefix := freshClusterPrefix(t, c, fleetPage)
			faults := tc.faults()
			st := faultyClusterStore(t, c, prefix, faults...)
			wh, runs := runsPerMessage(t, st)
			body := deliveryBody("u1", "m_1", "m_2", "m_3")

			codes := deliverLikeMeta(t, wh, body)
			// A redelivery of the acknowledged body runs nothing.
			postOK(t, wh, body)
			if err := wh.Shutdown(t.Context()); err != nil {
				t.Fatal(err)
			}

			if faults[0].hits.Load() == 0 {
				t.Fatalf("the fault on %q never fired: the case tested nothing", faults[0].match)
			}
			if diff := cmp.Diff(tc.codes, codes); diff != "" {
				t.Errorf("answers to Meta's deliveries (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]int{"m_1": 1, "m_2": 1, "m_3": 1}, runs()); diff != "" {
				t.Errorf("runs per message (-want +got):\n%s", diff)
			}
			for _, state := range []store.InboxState{store.InboxPending, store.InboxDead} {
				if es, err := st.Entries(t.Context(), state); err != nil || len(es) != 0 {
					t.Errorf("inbox %s entries after Shutdown: %d, %v; want none", state, len(es), err)
				}
			}
		})
	}
}

// The body is stored on a Redis Cluster but the answer is lost: Admit fails, Meta
// delivers the body again, and the redelivery is stored and run. The first copy
// stays in the inbox, leased to the instance that appended it, and runs again
// when its lease ends: the at-least-once case of Admit on a cluster, which
// intake.go names. Nothing is lost either way.
func TestClusterAdmitBodyAnswerLost(t *testing.T) {
	c := clusterClient(t)
	flushScripts(t, c)
	prefix := freshClusterPrefix(t, c, fleetPage)
	lost := newFault("", `"messaging":[`, true, 1)
	st := faultyClusterStore(t, c, prefix, lost)
	wh, runs := runsPerMessage(t, st)
	body := deliveryBody("u1", "m_1")

	codes := deliverLikeMeta(t, wh, body)
	if err := wh.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if lost.hits.Load() != 1 {
		t.Fatalf("the fault fired %d times, want 1", lost.hits.Load())
	}
	if diff := cmp.Diff([]int{500, 200}, codes); diff != "" {
		t.Errorf("answers to Meta's deliveries (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"m_1": 1}, runs()); diff != "" {
		t.Errorf("runs per message (-want +got):\n%s", diff)
	}
	es, err := st.Entries(t.Context(), store.InboxPending)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || !bytes.Equal(es[0].Body, body) || es[0].Owner == "" || !es[0].LeaseUntil.After(es[0].Received) {
		t.Errorf("inbox after Shutdown = %+v, want the first copy of the body, pending under its lease", es)
	}
}
