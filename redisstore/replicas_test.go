package redisstore_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/redisstore"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storetest"
)

// The option refuses what it cannot do, naming the argument and the limit.
func TestWithReplicaAckChecksItsArguments(t *testing.T) {
	cases := []struct {
		name    string
		client  redis.UniversalClient
		opt     redisstore.Option
		wantErr string
	}{
		{"fine", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), redisstore.WithReplicaAck(1, 500*time.Millisecond), ""},
		{"no replica", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), redisstore.WithReplicaAck(0, time.Second),
			"redisstore: WithReplicaAck: replicas must be at least 1, got 0"},
		{"no timeout", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), redisstore.WithReplicaAck(1, 0),
			"redisstore: WithReplicaAck: timeout must be at least 1ms (Redis's WAIT 0 waits for ever), got 0s"},
		{"timeout 1ms", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), redisstore.WithReplicaAck(1, time.Millisecond), ""},
		{"timeout under 1ms", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), redisstore.WithReplicaAck(1, 999*time.Microsecond),
			"redisstore: WithReplicaAck: timeout must be at least 1ms (Redis's WAIT 0 waits for ever), got 999µs"},
		{"timeout half the reads", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ReadTimeout: time.Second}), redisstore.WithReplicaAck(1, 500*time.Millisecond), ""},
		{"timeout past half the reads", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ReadTimeout: time.Second}), redisstore.WithReplicaAck(1, 501*time.Millisecond),
			"redisstore: WithReplicaAck: timeout must be at most half the client's ReadTimeout (1s), got 501ms"},
		{"cluster", redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}}), redisstore.WithReplicaAck(1, time.Second),
			"redisstore: WithReplicaAck needs a *redis.Client (one primary, or a Sentinel failover client), got *redis.ClusterClient"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(func() { _ = tc.client.Close() })
			st, err := redisstore.New(tc.client, tc.opt)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				_ = st.Close()
			}
			if diff := cmp.Diff(tc.wantErr, got); diff != "" {
				t.Errorf("New error (-want +got):\n%s", diff)
			}
		})
	}
}

// primaryAndReplica starts a redis-server (with primaryArgs) and a second one
// replicating it, and returns a client of each and the replica's process once the
// replica has the primary's writes.
func primaryAndReplica(t *testing.T, primaryArgs ...string) (primary, replica *redis.Client, replicaProc *exec.Cmd) {
	t.Helper()
	_, paddr := ownRedis(t, append([]string{"--repl-diskless-sync-delay", "0"}, primaryArgs...)...)
	host, port, _ := net.SplitHostPort(paddr)
	replicaProc, raddr := ownRedis(t, "--replicaof", host, port)
	primary = redis.NewClient(&redis.Options{Addr: paddr})
	replica = redis.NewClient(&redis.Options{Addr: raddr})
	t.Cleanup(func() { _ = primary.Close(); _ = replica.Close() })
	caughtUp(t, primary)
	return primary, replica, replicaProc
}

// caughtUp waits until the replica of primary has all of primary's writes and
// answers WAIT promptly, five times in a row (right after a synchronisation it may
// not, for a while): WAIT counts the replicas that have this connection's last
// write.
func caughtUp(t *testing.T, primary *redis.Client) {
	t.Helper()
	for try, inARow := 0, 0; try < 300; try++ {
		var wait *redis.IntCmd
		_, err := primary.Pipelined(t.Context(), func(p redis.Pipeliner) error {
			p.Set(t.Context(), "replica-test", "1", 0)
			wait = redis.NewIntCmd(t.Context(), "wait", 1, 100)
			return p.Process(t.Context(), wait)
		})
		if err != nil {
			t.Fatal(err)
		}
		if wait.Val() != 1 {
			inARow = 0
		} else if inARow++; inARow == 5 {
			return
		}
	}
	t.Fatal("the replica did not acknowledge 5 writes in a row within 100 ms each in 300 tries")
}

func signal(t *testing.T, p *exec.Cmd, sig syscall.Signal) {
	t.Helper()
	if err := p.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// With WithReplicaAck, Admit, Append and ClaimToken return only once a replica
// has their write; with the replica frozen they fail with ErrNotReplicated after
// the timeout (a claimed token is given back), where the same calls without the
// option succeed on the primary alone.
func TestReplicaAck(t *testing.T) {
	primary, replica, replicaProc := primaryAndReplica(t)
	ctx := t.Context()
	prefix := randomPrefix()
	const timeout = 300 * time.Millisecond
	st := newStore(t, primary, redisstore.WithPrefix(prefix), redisstore.WithReplicaAck(1, timeout))
	plain := newStore(t, primary, redisstore.WithPrefix(prefix))
	now := time.Now().UTC()
	lease := store.Lease{Owner: "a", Until: now.Add(time.Minute)}
	n := 0
	delivery := func() store.Delivery {
		n++
		return store.Delivery{Body: []byte("body"), Received: now, Lease: lease, Keys: []string{"message:m_" + string(rune('a'+n))}, TTL: time.Hour}
	}
	onReplica := func(id string) bool {
		t.Helper()
		n, err := replica.Exists(ctx, prefix+":{"+prefix+":inbox}:e:"+id).Result()
		if err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	tok := store.Token{Value: "tok-1", Kind: store.OneTimeKind, Page: "1001", User: "u1", Topic: "restock",
		IssuedAt: now, ExpiresAt: now.Add(time.Hour), State: store.TokenLive}
	if err := st.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	claim := store.TokenQuery{Page: "1001", User: "u1", Topic: "restock", Kind: store.OneTimeKind}

	// In sync: what the calls return is on the replica when they return.
	adm, err := st.Admit(ctx, delivery())
	if err != nil || adm.ID == "" || !onReplica(adm.ID) {
		t.Fatalf("Admit = %+v, %v; on the replica: %v; want an entry the replica has", adm, err, adm.ID != "" && onReplica(adm.ID))
	}
	id, err := st.Append(ctx, []byte("body"), now, lease)
	if err != nil || !onReplica(id) {
		t.Fatalf("Append = %q, %v; want an entry the replica has", id, err)
	}

	// The replica frozen: no acknowledgement.
	signal(t, replicaProc, syscall.SIGSTOP)
	start := time.Now()
	_, err = st.Admit(ctx, delivery())
	took := time.Since(start)
	if !errors.Is(err, redisstore.ErrNotReplicated) || !strings.Contains(err.Error(), "0 of 1 replica(s) acknowledged the write within 300ms") {
		t.Errorf("Admit with the replica frozen: %v; want ErrNotReplicated saying 0 of 1 within 300ms", err)
	}
	if took < timeout {
		t.Errorf("Admit failed after %v, before its %v were up", took, timeout)
	}
	if _, err := st.Append(ctx, []byte("body"), now, lease); !errors.Is(err, redisstore.ErrNotReplicated) {
		t.Errorf("Append with the replica frozen: %v; want ErrNotReplicated", err)
	}
	if _, err := st.ClaimToken(ctx, claim, now); !errors.Is(err, redisstore.ErrNotReplicated) {
		t.Errorf("ClaimToken with the replica frozen: %v; want ErrNotReplicated", err)
	}
	// A caller with little time: the wait takes half of what it has left after
	// Redis's lateness (up to 100 ms), so the call still ends in ErrNotReplicated,
	// not in a deadline that would leave the claim unanswered.
	short, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
	_, err = st.ClaimToken(short, claim, now)
	cancel()
	if !errors.Is(err, redisstore.ErrNotReplicated) {
		t.Errorf("ClaimToken with 400ms left and the replica frozen: %v; want ErrNotReplicated", err)
	}
	toks, err := st.ListTokens(ctx, "1001", "u1")
	if err != nil || len(toks) != 1 || toks[0].State != store.TokenLive {
		t.Errorf("tokens after claims no replica acknowledged: %+v, %v; want the token live again", toks, err)
	}
	// Without the option the primary alone is enough.
	if adm, err := plain.Admit(ctx, delivery()); err != nil || adm.ID == "" {
		t.Errorf("Admit without WithReplicaAck, the replica frozen = %+v, %v; want the entry", adm, err)
	}

	// The replica back: the token is claimed, once.
	signal(t, replicaProc, syscall.SIGCONT)
	caughtUp(t, primary)
	got, err := st.ClaimToken(ctx, claim, now)
	if err != nil || got.Value != tok.Value {
		t.Fatalf("ClaimToken with the replica back = %+v, %v; want %s", got, err, tok.Value)
	}
	if _, err := st.ClaimToken(ctx, claim, now); !errors.Is(err, store.ErrNoToken) {
		t.Errorf("second ClaimToken = %v; want ErrNoToken: the one-time token is spent", err)
	}
}

// A webhook on a store WithReplicaAck answers Meta 200 only once a replica has the
// delivery: with the replica frozen it answers 500, Meta delivers again, and the
// event, stored on the primary by the first try, runs once.
func TestWebhookWaitsForReplica(t *testing.T) {
	primary, _, replicaProc := primaryAndReplica(t)
	ctx := t.Context()
	prefix := randomPrefix()
	st := newStore(t, primary, redisstore.WithPrefix(prefix), redisstore.WithReplicaAck(1, 300*time.Millisecond))
	clock := storetest.NewClock(time.Now())
	wh, runs := runsPerMessage(t, st, messenger.WithWebhookClock(clock.Now))

	signal(t, replicaProc, syscall.SIGSTOP)
	body := deliveryBody("u1", "m_1")
	if code := postCode(wh, body); code != http.StatusInternalServerError {
		t.Errorf("with the replica frozen the webhook answered %d, want 500", code)
	}
	// Meta delivers again before the replica is back. The first try's entry and
	// key are on the primary only: this copy writes nothing new, and is still
	// not acknowledged, since the replica lacks what came before it.
	if code := postCode(wh, body); code != http.StatusInternalServerError {
		t.Errorf("a redelivery with the replica still frozen: %d, want 500", code)
	}
	signal(t, replicaProc, syscall.SIGCONT)
	caughtUp(t, primary)
	// Once more, the replica back: a duplicate, acknowledged; the entry runs once
	// its lease ends.
	if diff := cmp.Diff([]int{200}, deliverLikeMeta(t, wh, body)); diff != "" {
		t.Errorf("answers to the redelivery (-want +got):\n%s", diff)
	}
	clock.Advance(messenger.DefaultInboxLease + time.Second)
	if _, err := wh.Replay(ctx); err != nil {
		t.Fatal(err)
	}
	if err := wh.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"m_1": 1}, runs()); diff != "" {
		t.Errorf("runs per message (-want +got):\n%s", diff)
	}
	if es, err := st.Entries(ctx, store.InboxPending); err != nil || len(es) != 0 {
		t.Errorf("inbox after Shutdown: %d entries, %v; want none", len(es), err)
	}
}

// The connection drops while the write waits for its replica (as when Sentinel
// kills clients in a failover): go-redis would send the pipeline again, and the
// script with it. With WithReplicaAck it does not: one Append stores one entry,
// and a claim that failed so gives its token back.
func TestReplicaAckSendsOnce(t *testing.T) {
	primary, _, replicaProc := primaryAndReplica(t)
	ctx := t.Context()
	prefix := randomPrefix()
	st := newStore(t, primary, redisstore.WithPrefix(prefix), redisstore.WithReplicaAck(1, time.Second))
	now := time.Now().UTC()
	tok := store.Token{Value: "tok-once", Kind: store.OneTimeKind, Page: "1001", User: "u1", Topic: "restock",
		IssuedAt: now, ExpiresAt: now.Add(time.Hour), State: store.TokenLive}
	if err := st.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	signal(t, replicaProc, syscall.SIGSTOP)
	defer signal(t, replicaProc, syscall.SIGCONT)

	// dropWhileWaiting runs call and, once the primary shows a client blocked in
	// WAIT, kills the primary's normal clients; it returns call's error.
	dropWhileWaiting := func(call func() error) error {
		t.Helper()
		done := make(chan error, 1)
		go func() { done <- call() }()
		admin := redis.NewClient(&redis.Options{Addr: primary.Options().Addr})
		defer admin.Close()
		for {
			select {
			case err := <-done:
				t.Fatalf("the call returned before it waited: %v", err)
			default:
			}
			list, err := admin.ClientList(ctx).Result()
			if err != nil {
				t.Fatal(err)
			}
			if blockedInWait(list) {
				break
			}
		}
		if err := admin.Do(ctx, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Err(); err != nil {
			t.Fatal(err)
		}
		return <-done
	}

	err := dropWhileWaiting(func() error {
		_, err := st.Append(ctx, []byte("body"), now, store.Lease{Owner: "a", Until: now.Add(time.Minute)})
		return err
	})
	if err == nil {
		t.Error("Append whose connection dropped while it waited succeeded, want an error")
	}
	if es, err := st.Entries(ctx, store.InboxPending); err != nil || len(es) != 1 {
		t.Errorf("inbox after one Append: %d entries, %v; want 1 (the write is not sent again)", len(es), err)
	}

	claim := store.TokenQuery{Page: "1001", User: "u1", Topic: "restock", Kind: store.OneTimeKind}
	err = dropWhileWaiting(func() error { _, err := st.ClaimToken(ctx, claim, now); return err })
	if err == nil {
		t.Error("ClaimToken whose connection dropped while it waited succeeded, want an error")
	}
	toks, err := st.ListTokens(ctx, "1001", "u1")
	if err != nil || len(toks) != 1 || toks[0].State != store.TokenLive {
		t.Errorf("tokens after a claim whose connection dropped: %+v, %v; want the token live", toks, err)
	}
}

// blockedInWait reports whether a CLIENT LIST shows a client blocked (flag b) in
// WAIT; an idle client whose last command was WAIT shows cmd=wait too.
func blockedInWait(clientList string) bool {
	for line := range strings.SplitSeq(clientList, "\n") {
		fields := strings.Fields(line)
		if slices.Contains(fields, "cmd=wait") && slices.ContainsFunc(fields, func(f string) bool {
			flags, ok := strings.CutPrefix(f, "flags=")
			return ok && strings.Contains(flags, "b")
		}) {
			return true
		}
	}
	return false
}

// A call with too little time left to wait for a replica (Redis may answer a WAIT
// up to 100 ms late) writes nothing: ErrNotReplicated, and the token stays as it
// was, never claimed.
func TestReplicaAckWithoutTimeWritesNothing(t *testing.T) {
	c := client(t)
	ctx := t.Context()
	st := newStore(t, c, redisstore.WithPrefix(freshPrefix(t, c)), redisstore.WithReplicaAck(1, time.Second))
	now := time.Now().UTC()
	tok := store.Token{Value: "tok-late", Kind: store.OneTimeKind, Page: "1001", User: "u1", Topic: "restock",
		IssuedAt: now, ExpiresAt: now.Add(time.Hour), State: store.TokenLive}
	if err := st.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err := st.ClaimToken(short, store.TokenQuery{Page: "1001", User: "u1", Topic: "restock", Kind: store.OneTimeKind}, now)
	if !errors.Is(err, redisstore.ErrNotReplicated) || !strings.Contains(err.Error(), "too little time left") {
		t.Errorf("ClaimToken with 100ms left = %v; want ErrNotReplicated, too little time left", err)
	}
	toks, err := st.ListTokens(ctx, "1001", "u1")
	if err != nil || len(toks) != 1 || toks[0].State != store.TokenLive || toks[0].Uses != 0 || !toks[0].LastUsed.IsZero() {
		t.Errorf("tokens after a claim with no time to wait = %+v, %v; want the token untouched", toks, err)
	}
	if _, err := st.Append(short, []byte("body"), now, store.Lease{Owner: "a", Until: now.Add(time.Minute)}); !errors.Is(err, redisstore.ErrNotReplicated) {
		t.Errorf("Append with 100ms left = %v; want ErrNotReplicated", err)
	}
	if es, err := st.Entries(ctx, store.InboxPending); err != nil || len(es) != 0 {
		t.Errorf("inbox after an Append with no time to wait: %d entries, %v; want none", len(es), err)
	}
}
