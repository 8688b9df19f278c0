package redisstore

import (
	"time"

	"github.com/redis/go-redis/v9"
)

// deadlineClient returns the client the store should use so that every call
// honours its context's deadline, and the client the store must close (nil when it
// uses the caller's own).
//
// go-redis bounds a call's socket reads and writes by the context's deadline only
// when the client has ContextTimeoutEnabled; otherwise a call to a stalled Redis
// waits for ReadTimeout and WriteTimeout (seconds each), longer than Meta waits for
// a webhook's answer. A *redis.Client or *redis.ClusterClient without it is copied
// with it set; the copy dials its own connections on first use.
//
// A Sentinel failover client is a *redis.Client whose connections its failover
// watcher manages; a copy would miss the switches, so it is used as it is, as is
// any other implementation of redis.UniversalClient.
func deadlineClient(c redis.UniversalClient) (use, own redis.UniversalClient) {
	switch c := c.(type) {
	case *redis.Client:
		o := c.Options()
		if o.ContextTimeoutEnabled || o.Addr == "FailoverClient" {
			return c, nil
		}
		cp := *o
		cp.ContextTimeoutEnabled = true
		// NewClient settles the options again: give back the inputs that settle
		// to what the caller's client has.
		cp.ReadTimeout, cp.WriteTimeout = unsettleTimeout(o.ReadTimeout), unsettleTimeout(o.WriteTimeout)
		cp.MaxRetries = unsettleCount(o.MaxRetries)
		cp.MinRetryBackoff, cp.MaxRetryBackoff = unsettleDuration(o.MinRetryBackoff), unsettleDuration(o.MaxRetryBackoff)
		d := redis.NewClient(&cp)
		return d, d
	case *redis.ClusterClient:
		o := c.Options()
		if o.ContextTimeoutEnabled {
			return c, nil
		}
		cp := *o
		cp.ContextTimeoutEnabled = true
		cp.ReadTimeout, cp.WriteTimeout = unsettleDuration(o.ReadTimeout), unsettleDuration(o.WriteTimeout)
		cp.MaxRetries = unsettleCount(o.MaxRetries)
		cp.MinRetryBackoff, cp.MaxRetryBackoff = unsettleDuration(o.MinRetryBackoff), unsettleDuration(o.MaxRetryBackoff)
		d := redis.NewClusterClient(&cp)
		return d, d
	}
	return c, nil
}

// go-redis turns -1 into 0 (none) and 0 into its default when it builds a client,
// and for a Client's timeouts -2 into -1 (no socket deadline at all). These map a
// settled value back to the input that settles to it.

func unsettleTimeout(d time.Duration) time.Duration {
	switch d {
	case 0:
		return -1
	case -1:
		return -2
	}
	return d
}

func unsettleDuration(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

func unsettleCount(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
