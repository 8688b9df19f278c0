package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger/redisstore"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storetest"
)

const howToRun = "REDIS_URL is not set: start a Redis (redis-server --port 6390 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes) and run REDIS_URL=redis://127.0.0.1:6390/0 go test ./... in redisstore"

// client connects to REDIS_URL or skips tb, and closes the client at the end.
func client(tb testing.TB) *redis.Client {
	tb.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		tb.Skip(howToRun)
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatalf("REDIS_URL: %v", err)
	}
	c := redis.NewClient(opts)
	tb.Cleanup(func() { _ = c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		tb.Fatalf("REDIS_URL %s: %v", url, err)
	}
	return c
}

// newStore is a store on c built with opts, failing tb when they are refused.
func newStore(tb testing.TB, c redis.UniversalClient, opts ...redisstore.Option) *redisstore.Store {
	tb.Helper()
	s, err := redisstore.New(c, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() }) // closing twice is harmless
	return s
}

// randomPrefix is a key prefix no other test uses.
func randomPrefix() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "mtest-" + hex.EncodeToString(b)
}

// freshPrefix returns a prefix no other test uses, and deletes its keys at the end.
func freshPrefix(tb testing.TB, c *redis.Client) string {
	tb.Helper()
	prefix := randomPrefix()
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+":*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			_ = c.Del(ctx, keys...).Err()
		}
	})
	return prefix
}

func TestConformance(t *testing.T) {
	c := client(t)
	clock := storetest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC))
	storetest.Run(t, func(t *testing.T) store.Store {
		return newStore(t, c, redisstore.WithPrefix(freshPrefix(t, c)), redisstore.WithClock(clock.Now))
	},
		storetest.WithClock(clock),
		storetest.WithReopen(func(t *testing.T, closed store.Store) store.Store {
			return newStore(t, c, redisstore.WithPrefix(closed.(*redisstore.Store).Prefix()), redisstore.WithClock(clock.Now))
		}),
	)
}

func BenchmarkRedis(b *testing.B) {
	c := client(b)
	storetest.Bench(b, func(b *testing.B) store.Store {
		return newStore(b, c, redisstore.WithPrefix(freshPrefix(b, c)))
	})
}

func TestNewRejectsBadOptions(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never dialled
	t.Cleanup(func() { _ = rdb.Close() })
	for _, tt := range []struct {
		name   string
		client redis.UniversalClient
		opt    redisstore.Option
		want   []string // the option, the limit and the value, in the error
	}{
		{"empty prefix", rdb, redisstore.WithPrefix(""), []string{"WithPrefix", "non-empty without '{' or '}'", `got ""`}},
		{"brace in prefix", rdb, redisstore.WithPrefix("bot{1}"), []string{"WithPrefix", "non-empty without '{' or '}'", `got "bot{1}"`}},
		{"closing brace in prefix", rdb, redisstore.WithPrefix("x}"), []string{"WithPrefix", "non-empty without '{' or '}'", `got "x}"`}},
		{"nil clock", rdb, redisstore.WithClock(nil), []string{"WithClock", "must not be nil"}},
		{"nil option", rdb, nil, []string{"nil Option"}},
		{"nil client", nil, redisstore.WithPrefix("bot"), []string{"New", "client must not be nil"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := redisstore.New(tt.client, tt.opt)
			if err == nil {
				t.Fatalf("New returned %v and no error", s)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
