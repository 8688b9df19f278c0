package redisstore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger/store"
)

// ownRedis starts a redis-server of the test's own on a free loopback port, with
// args added to its command line, and returns its process and address; it is
// stopped (and resumed first, should the test have frozen it) at the end.
func ownRedis(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command(bin, append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir()}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// Redis logs to stdout; it is ready when it says so.
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if strings.Contains(lines.Text(), "Ready to accept connections") {
			go func() { // keep draining, so Redis never blocks on its log
				for lines.Scan() {
				}
			}()
			return cmd, net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		}
	}
	t.Fatalf("redis-server on port %d exited before it was ready: %v", port, lines.Err())
	return nil, ""
}

// With Redis frozen, a call with a 200 ms deadline fails with the context's error
// well within Meta's 5 s, though the caller's client, as go-redis builds it by
// default, ignores context deadlines and waits 5 s for each read.
func TestCallsKeepTheirDeadlineWhenRedisStalls(t *testing.T) {
	srv, addr := ownRedis(t)
	c := redis.NewClient(&redis.Options{Addr: addr, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second})
	t.Cleanup(func() { _ = c.Close() })
	s := newStore(t, c)
	now := time.Now()
	lease := store.Lease{Owner: "a", Until: now.Add(time.Minute)}
	if _, err := s.Append(t.Context(), []byte("before"), now, lease); err != nil {
		t.Fatalf("Append with Redis running: %v", err)
	}

	if err := srv.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	calls := map[string]func(context.Context) error{
		"Append": func(ctx context.Context) error {
			_, err := s.Append(ctx, []byte("frozen"), now, lease)
			return err
		},
		"FirstSeen": func(ctx context.Context) error { _, err := s.FirstSeen(ctx, "mid.1", time.Hour); return err },
		"Claim": func(ctx context.Context) error {
			_, err := s.Claim(ctx, lease, now, 1)
			return err
		},
	}
	for name, call := range calls {
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		start := time.Now()
		err := call(ctx)
		took := time.Since(start)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s with Redis frozen = %v, want context.DeadlineExceeded", name, err)
		}
		if took > time.Second {
			t.Errorf("%s with Redis frozen and a 200ms deadline took %v, want under 1s", name, took)
		}
	}

	if err := srv.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(t.Context(), []byte("after"), now, lease); err != nil {
		t.Errorf("Append once Redis runs again: %v", err)
	}
}

// The store's own copy of a client keeps every setting of the caller's but
// ContextTimeoutEnabled, including "no timeout" and "no retries"; a client that
// already has it is used as it is.
func TestNewKeepsTheClientsOptions(t *testing.T) {
	type settings struct {
		Addr                                          string
		DB, MaxRetries, PoolSize                      int
		ReadTimeout, WriteTimeout, DialTimeout        time.Duration
		MinRetryBackoff, MaxRetryBackoff, PoolTimeout time.Duration
		ContextTimeoutEnabled                         bool
	}
	of := func(o *redis.Options) settings {
		return settings{o.Addr, o.DB, o.MaxRetries, o.PoolSize, o.ReadTimeout, o.WriteTimeout, o.DialTimeout,
			o.MinRetryBackoff, o.MaxRetryBackoff, o.PoolTimeout, o.ContextTimeoutEnabled}
	}
	tests := []struct {
		name string
		opts redis.Options
	}{
		{"defaults", redis.Options{Addr: "127.0.0.1:1"}},
		{"no timeouts, retries or backoff", redis.Options{Addr: "127.0.0.1:1", ReadTimeout: -1, WriteTimeout: -1, MaxRetries: -1, MinRetryBackoff: -1, MaxRetryBackoff: -1}},
		{"no socket deadlines", redis.Options{Addr: "127.0.0.1:1", ReadTimeout: -2, WriteTimeout: -2}},
		{"chosen values", redis.Options{Addr: "127.0.0.1:1", DB: 3, ReadTimeout: time.Second, WriteTimeout: 2 * time.Second,
			DialTimeout: time.Second, MaxRetries: 7, MinRetryBackoff: time.Millisecond, MaxRetryBackoff: time.Minute, PoolSize: 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := redis.NewClient(&tc.opts)
			t.Cleanup(func() { _ = c.Close() })
			s := newStore(t, c)
			own, ok := s.Client().(*redis.Client)
			if !ok || own == c {
				t.Fatalf("Client() = %T (the caller's: %v), want the store's own *redis.Client", s.Client(), own == c)
			}
			want := of(c.Options())
			want.ContextTimeoutEnabled = true
			if diff := cmp.Diff(want, of(own.Options())); diff != "" {
				t.Errorf("the store's client's options (-want +got):\n%s", diff)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := own.Ping(t.Context()).Err(); !errors.Is(err, redis.ErrClosed) {
				t.Errorf("Ping on the store's own client after Close = %v, want redis.ErrClosed", err)
			}
		})
	}
	t.Run("ContextTimeoutEnabled", func(t *testing.T) {
		c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
		t.Cleanup(func() { _ = c.Close() })
		s := newStore(t, c)
		if s.Client() != c {
			t.Errorf("Client() is a copy, want the caller's client, which honours deadlines already")
		}
	})
	t.Run("Cluster", func(t *testing.T) {
		c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ReadTimeout: -1, MaxRetries: 2})
		t.Cleanup(func() { _ = c.Close() })
		s := newStore(t, c)
		own, ok := s.Client().(*redis.ClusterClient)
		if !ok || own == c {
			t.Fatalf("Client() = %T (the caller's: %v), want the store's own *redis.ClusterClient", s.Client(), own == c)
		}
		o, want := own.Options(), c.Options()
		if !o.ContextTimeoutEnabled || o.ReadTimeout != want.ReadTimeout || o.WriteTimeout != want.WriteTimeout || o.MaxRetries != want.MaxRetries {
			t.Errorf("the store's cluster client: ContextTimeoutEnabled %v, ReadTimeout %v, WriteTimeout %v, MaxRetries %d; want true, %v, %v, %d",
				o.ContextTimeoutEnabled, o.ReadTimeout, o.WriteTimeout, o.MaxRetries, want.ReadTimeout, want.WriteTimeout, want.MaxRetries)
		}
	})
}

// DeadlineBound tells the webhook whether the store's calls end by their deadline:
// yes for the store's own copy and for a client that honours deadlines already,
// no for a client used as it is that does not (a Sentinel failover client).
func TestDeadlineBound(t *testing.T) {
	for _, tc := range []struct {
		name   string
		client func() redis.UniversalClient
		want   bool
	}{
		{"copied client", func() redis.UniversalClient { return redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) }, true},
		{"ContextTimeoutEnabled", func() redis.UniversalClient {
			return redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
		}, true},
		{"copied cluster client", func() redis.UniversalClient {
			return redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
		}, true},
		{"failover client", func() redis.UniversalClient {
			return redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "m", SentinelAddrs: []string{"127.0.0.1:1"}})
		}, false},
		{"failover client with ContextTimeoutEnabled", func() redis.UniversalClient {
			return redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "m", SentinelAddrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true})
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.client()
			t.Cleanup(func() { _ = c.Close() })
			s := newStore(t, c)
			if got := s.DeadlineBound(); got != tc.want {
				t.Errorf("DeadlineBound() = %v, want %v", got, tc.want)
			}
		})
	}
}

// goRedisLog records what go-redis logs, and passes it on to standard error.
type goRedisLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *goRedisLog) Printf(_ context.Context, format string, v ...any) {
	line := fmt.Sprintf(format, v...)
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.mu.Unlock()
	fmt.Fprintln(os.Stderr, "redis:", line)
}

// A store built on a caller's client, which it copies, makes go-redis log no
// error of its set-up: the copy used to share the caller's push-notification processor, and
// every start printed that its handlers could not be registered.
func TestNewLogsNothing(t *testing.T) {
	logged := &goRedisLog{}
	redis.SetLogger(logged) // go-redis has no getter: the recorder stays, passing lines on
	for _, c := range []redis.UniversalClient{
		redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}),
		redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", Protocol: 2}),
		redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}}),
	} {
		st := newStore(t, c)
		_ = st.Close()
		_ = c.Close()
	}
	logged.mu.Lock()
	defer logged.mu.Unlock()
	// Only lines of this kind count: other tests' clients may log their own
	// connection errors meanwhile.
	var bad []string
	for _, l := range logged.lines {
		if strings.Contains(l, "notification") || strings.Contains(l, "handler") {
			bad = append(bad, l)
		}
	}
	if len(bad) != 0 {
		t.Errorf("go-redis logged while stores were built:\n%s", strings.Join(bad, "\n"))
	}
}
