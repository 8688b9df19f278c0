package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/redisstore"
	"github.com/gomessenger/messenger/store"
)

// The environment of TestBotInstance, one bot process of the fleet tests below.
const (
	botPrefixEnv = "REDISSTORE_BOT_PREFIX" // the shared key prefix; set in children only
	botNameEnv   = "REDISSTORE_BOT_NAME"   // the instance's name in what it records
	botModeEnv   = "REDISSTORE_BOT_MODE"   // "serve", or "replay" (Replay once and exit)
	botBlockEnv  = "REDISSTORE_BOT_BLOCK"  // "1": each handler waits for the parent's release
	botShiftEnv  = "REDISSTORE_BOT_SHIFT"  // added to the instance's clock, to stand for time passed
	botLeaseEnv  = "REDISSTORE_BOT_LEASE"  // the inbox lease; default the webhook's
	botWorkEnv   = "REDISSTORE_BOT_WORK"   // how long a handler works (a Send call, say)
	botFailEnv   = "REDISSTORE_BOT_FAIL"   // "1": an eighth of the events fail their first attempt
)

// failsFirst says which events fail on their first attempt: about one in eight.
func failsFirst(mid string) bool {
	h := fnv.New32a()
	h.Write([]byte(mid))
	return h.Sum32()%8 == 0
}

// TestBotInstance is not a test on its own: as a child process it is one bot
// instance of a fleet sharing Redis for the webhook's inbox and dedupe, with the
// webhook's default options but for those the environment sets. Its handler
// records in Redis each run ("<prefix>:ran", "<name> <mid>"), each attempt
// ("<prefix>:attempts") and each success ("<prefix>:ok" counts, "<prefix>:okq" a
// queue the parent waits on); with REDISSTORE_BOT_FAIL an eighth of the events fail
// their first attempt.
func TestBotInstance(t *testing.T) {
	prefix := os.Getenv(botPrefixEnv)
	if prefix == "" {
		t.Skip("helper process of the fleet tests")
	}
	name, mode := os.Getenv(botNameEnv), os.Getenv(botModeEnv)
	c := client(t)
	bg := context.Background()
	st := newStore(t, c, redisstore.WithPrefix(prefix))
	shift, _ := time.ParseDuration(os.Getenv(botShiftEnv))
	work, _ := time.ParseDuration(os.Getenv(botWorkEnv))
	opts := []messenger.WebhookOption{
		messenger.WithInbox(st), messenger.WithDedupe(st),
		messenger.WithWebhookClock(func() time.Time { return time.Now().Add(shift) }),
		messenger.WithHandlerRetry(messenger.HandlerRetry{Attempts: 5, Backoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}),
		messenger.WithErrorHandler(func(context.Context, messenger.Event, error) {}),
	}
	if lease, err := time.ParseDuration(os.Getenv(botLeaseEnv)); err == nil {
		opts = append(opts, messenger.WithInboxLease(lease))
	}
	wh, err := messenger.NewWebhook(fleetSecret, "verify", opts...)
	if err != nil {
		t.Fatal(err)
	}
	block, fail := os.Getenv(botBlockEnv) == "1", os.Getenv(botFailEnv) == "1"
	// Waiting handlers hold a connection each: they get a pool of their own, so the
	// webhook's store calls (lease renewals among them) are not starved.
	wopts, err := redis.ParseURL(os.Getenv("REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	wopts.PoolSize = 2 * messenger.DefaultConcurrency
	waiter := redis.NewClient(wopts)
	defer waiter.Close()
	messenger.On(wh, func(ctx context.Context, ev *messenger.MessageEvent) error {
		mid := ev.Message.MID
		if err := c.RPush(bg, prefix+":ran", name+" "+mid).Err(); err != nil {
			return err
		}
		n, err := c.HIncrBy(bg, prefix+":attempts", mid, 1).Result()
		if err != nil {
			return err
		}
		if fail && failsFirst(mid) && n == 1 {
			return errors.New("the CRM timed out")
		}
		if block {
			if err := waiter.BLPop(ctx, time.Minute, prefix+":release").Err(); err != nil {
				return err
			}
		}
		if work > 0 {
			<-time.After(work) // the handler's own work, such as a Send API call
		}
		if err := c.HIncrBy(bg, prefix+":ok", mid, 1).Err(); err != nil {
			return err
		}
		return c.RPush(bg, prefix+":okq", mid).Err()
	})
	if mode == "replay" {
		n, err := wh.Replay(bg)
		if err != nil {
			t.Fatalf("Replay: %v", err)
		}
		fmt.Printf("replayed %d\n", n)
		if err := wh.Shutdown(bg); err != nil {
			t.Fatal(err)
		}
		return
	}
	srv := httptest.NewServer(wh)
	defer srv.Close()
	if _, err := wh.Replay(bg); err != nil { // at start, as the README advises
		t.Fatalf("Replay: %v", err)
	}
	if err := c.RPush(bg, prefix+":url:"+name, srv.URL).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.BLPop(bg, 2*time.Minute, prefix+":stop:"+name).Err(); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	ctx, cancel := context.WithTimeout(bg, 30*time.Second)
	defer cancel()
	if err := wh.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// bot is a running TestBotInstance.
type bot struct {
	name string
	url  string
	cmd  *exec.Cmd
	out  *bytes.Buffer
}

func startBot(t *testing.T, c *redis.Client, prefix, name string, env ...string) *bot {
	t.Helper()
	b := &bot{name: name, out: &bytes.Buffer{}}
	b.cmd = exec.Command(os.Args[0], "-test.run=^TestBotInstance$", "-test.count=1")
	b.cmd.Env = append(os.Environ(), append([]string{botPrefixEnv + "=" + prefix, botNameEnv + "=" + name}, env...)...)
	b.cmd.Stdout, b.cmd.Stderr = b.out, b.out
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if b.cmd.ProcessState == nil {
			_ = b.cmd.Process.Kill()
			_ = b.cmd.Wait()
		}
	})
	return b
}

// serving starts a bot in serve mode and waits for its URL.
func serving(t *testing.T, c *redis.Client, prefix, name string, env ...string) *bot {
	t.Helper()
	b := startBot(t, c, prefix, name, append(env, botModeEnv+"=serve")...)
	res, err := c.BLPop(t.Context(), time.Minute, prefix+":url:"+name).Result()
	if err != nil {
		t.Fatalf("waiting for %s to serve: %v\n%s", name, err, b.out)
	}
	b.url = res[1]
	return b
}

func (b *bot) stop(t *testing.T, c *redis.Client, prefix string) {
	t.Helper()
	if err := c.RPush(t.Context(), prefix+":stop:"+b.name, "stop").Err(); err != nil {
		t.Fatal(err)
	}
	if err := b.cmd.Wait(); err != nil {
		t.Fatalf("%s: %v\n%s", b.name, err, b.out)
	}
}

func (b *bot) kill(t *testing.T) {
	t.Helper()
	if err := b.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = b.cmd.Wait()
}

// deliveryBody is a body of events from one person, the mids given.
func deliveryBody(user string, mids ...string) []byte {
	var items []string
	for i, mid := range mids {
		items = append(items, fmt.Sprintf(`{"sender":{"id":%q},"recipient":{"id":"1001"},"timestamp":%d,"message":{"mid":%q,"text":"hi"}}`, user, 1772366400000+i, mid))
	}
	return fmt.Appendf(nil, `{"object":"page","entry":[{"id":"1001","time":1772366400000,"messaging":[%s]}]}`, strings.Join(items, ","))
}

// deliver posts body signed to url and reports whether it was acknowledged.
func deliver(url string, body []byte) bool {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set(messenger.SignatureHeader, messenger.SignPayload(body, fleetSecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// awaitOK waits until every mid in want has succeeded at least once; seen holds
// those already taken off the queue.
func awaitOK(t *testing.T, c *redis.Client, prefix string, want, seen map[string]bool) {
	t.Helper()
	for len(seen) < len(want) {
		res, err := c.BLPop(t.Context(), 30*time.Second, prefix+":okq").Result()
		if err != nil {
			var missing []string
			for mid := range want {
				if !seen[mid] {
					missing = append(missing, mid)
				}
			}
			sort.Strings(missing)
			st := newStore(t, c, redisstore.WithPrefix(prefix))
			pending, _ := st.Entries(t.Context(), store.InboxPending)
			dead, _ := st.Entries(t.Context(), store.InboxDead)
			runs := runsOf(t, c, prefix)
			for _, mid := range missing {
				t.Logf("%s ran on %v", mid, runs[mid])
			}
			for _, e := range append(pending, dead...) {
				t.Logf("inbox: %s %s attempts %d owner %q lease %v retry %v error %q", e.ID, e.State, e.Attempts, e.Owner, e.LeaseUntil, e.RetryAt, e.LastError)
			}
			t.Fatalf("waiting for events to succeed: %v; %d never did: %v", err, len(missing), missing)
		}
		if want[res[1]] {
			seen[res[1]] = true
		}
	}
}

// runsOf reads the "<name> <mid>" run records: for each mid, who ran it.
func runsOf(t *testing.T, c *redis.Client, prefix string) map[string][]string {
	t.Helper()
	ran, err := c.LRange(t.Context(), prefix+":ran", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range ran {
		name, mid, _ := strings.Cut(r, " ")
		out[mid] = append(out[mid], name)
	}
	return out
}

func okCounts(t *testing.T, c *redis.Client, prefix string) map[string]int {
	t.Helper()
	raw, err := c.HGetAll(t.Context(), prefix+":ok").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for mid, v := range raw {
		out[mid], _ = strconv.Atoi(v)
	}
	return out
}

// A second instance starting while the first is working (a rolling deploy, an
// autoscale) and calling Replay, as the docs advise, runs none of the first one's
// events; once the first dies, Replay after its lease has run out takes every
// unfinished event over, each once.
func TestFleetReplayLeavesLiveWork(t *testing.T) {
	c := client(t)
	prefix := freshPrefix(t, c)
	const n = 40
	b := serving(t, c, prefix, "b", botBlockEnv+"=1")
	want := map[string]bool{}
	for i := range n {
		mid := fmt.Sprintf("m_live_%d", i)
		want[mid] = true
		if !deliver(b.url, deliveryBody(fmt.Sprintf("u%d", i), mid)) {
			t.Fatalf("delivery %d not acknowledged", i)
		}
	}
	// b's handlers are all waiting now (or queued behind them). a starts and replays.
	a := startBot(t, c, prefix, "a", botModeEnv+"=replay")
	if err := a.cmd.Wait(); err != nil {
		t.Fatalf("a: %v\n%s", err, a.out)
	}
	if !strings.Contains(a.out.String(), "replayed 0\n") {
		t.Fatalf("a replayed events b was running:\n%s", a.out)
	}
	// Release half of b's handlers, then kill b with the rest unfinished.
	for range n / 2 {
		c.RPush(t.Context(), prefix+":release", "go")
	}
	seen := map[string]bool{}
	for range n / 2 {
		res, err := c.BLPop(t.Context(), 30*time.Second, prefix+":okq").Result()
		if err != nil {
			t.Fatalf("b's released handlers: %v\n%s", err, b.out)
		}
		seen[res[1]] = true
	}
	b.kill(t)
	// A new instance whose clock is past b's lease takes over what b left.
	next := startBot(t, c, prefix, "next", botModeEnv+"=replay", botShiftEnv+"="+(messenger.DefaultInboxLease+time.Second).String())
	if err := next.cmd.Wait(); err != nil {
		t.Fatalf("next: %v\n%s", err, next.out)
	}
	if testing.Verbose() {
		t.Logf("next:\n%s", next.out)
	}
	awaitOK(t, c, prefix, want, seen)
	runs, oks := runsOf(t, c, prefix), okCounts(t, c, prefix)
	twice := 0
	for mid := range want {
		switch {
		case oks[mid] == 2 && seen[mid]:
			// b finished it and was killed before it wrote that down: the
			// at-least-once window.
			twice++
		case oks[mid] != 1:
			t.Errorf("%s succeeded %d times (runs by %v), want once", mid, oks[mid], runs[mid])
		}
		for _, who := range runs[mid] {
			if who == "a" {
				t.Errorf("%s ran on a, which started while b held it", mid)
			}
		}
	}
	t.Logf("%d events: a (started while b worked) ran none; after b was killed the next instance ran the rest; %d that b finished just before its death ran twice", n, twice)
	if strings.Contains(next.out.String(), "replayed 0\n") {
		t.Errorf("the instance after b's death replayed nothing:\n%s", next.out)
	}
}

// A fleet of two processes on one Redis, one killed mid-stream and restarted while
// deliveries go on, with handlers that fail an eighth of the time: every
// acknowledged event succeeds, and the only events that succeed twice are ones the
// killed process was running when it died (the at-least-once window), which the
// test counts.
func TestFleetRestartLosesNothing(t *testing.T) {
	c := client(t)
	prefix := freshPrefix(t, c)
	env := []string{botLeaseEnv + "=1s", botWorkEnv + "=3ms", botFailEnv + "=1"}
	a := serving(t, c, prefix, "a", env...)
	b := serving(t, c, prefix, "b", env...)
	live := []*bot{a, b}
	const bodies = 300
	acked := map[string]bool{}
	var unacked int
	for i := range bodies {
		mids := []string{fmt.Sprintf("m_%d_1", i), fmt.Sprintf("m_%d_2", i)}
		body := deliveryBody(fmt.Sprintf("u%d", i%40), mids...)
		if i == bodies/3 {
			a.kill(t) // mid-stream, with events queued and running
			live = []*bot{b}
		}
		if i == bodies/2 {
			a2 := serving(t, c, prefix, "a2", env...)
			live = []*bot{a2, b}
			defer a2.stop(t, c, prefix)
		}
		ok := false
		// Meta retries what was not acknowledged; here, on the next instance.
		for try := 0; try < 2*len(live) && !ok; try++ {
			ok = deliver(live[(i+try)%len(live)].url, body)
		}
		if !ok {
			unacked++
			continue
		}
		for _, mid := range mids {
			acked[mid] = true
		}
	}
	if unacked > 0 {
		t.Errorf("%d deliveries were never acknowledged by a live instance", unacked)
	}
	awaitOK(t, c, prefix, acked, map[string]bool{})
	defer b.stop(t, c, prefix)

	runs, oks := runsOf(t, c, prefix), okCounts(t, c, prefix)
	var twice, retried, inFlightAtKill int
	for mid := range acked {
		killedRan := false
		for _, who := range runs[mid] {
			killedRan = killedRan || who == "a"
		}
		if killedRan && oks[mid] == 0 {
			t.Errorf("%s ran on the killed instance and never succeeded", mid)
		}
		if killedRan {
			inFlightAtKill++
		}
		switch {
		case oks[mid] > 1 && !killedRan:
			t.Errorf("%s succeeded %d times (runs by %v), though no instance running it died", mid, oks[mid], runs[mid])
		case oks[mid] > 1:
			twice++
		}
		if failsFirst(mid) {
			retried++
			if len(runs[mid]) < 2 {
				t.Errorf("%s failed its first attempt but ran only %v", mid, runs[mid])
			}
		}
	}
	dead, err := newStore(t, c, redisstore.WithPrefix(prefix)).Entries(t.Context(), store.InboxDead)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 0 {
		t.Errorf("%d entries dead-lettered; every failure here is transient", len(dead))
	}
	t.Logf("%d events acknowledged, %d failed once and were retried, %d had run on the killed instance; %d succeeded twice (the at-least-once window)",
		len(acked), retried, inFlightAtKill, twice)
}
