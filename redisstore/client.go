package redisstore

import (
	"time"

	"github.com/redis/go-redis/v9"
)

// deadlineClient returns the client the store should use so that every call
// honours its context's deadline, the client the store must close (nil when it
// uses the caller's own), and whether the client it returns does honour deadlines.
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
func deadlineClient(c redis.UniversalClient) (use, own redis.UniversalClient, bound bool) {
	switch c := c.(type) {
	case *redis.Client:
		o := c.Options()
		if o.ContextTimeoutEnabled || o.Addr == "FailoverClient" {
			return c, nil, o.ContextTimeoutEnabled
		}
		cp := *o
		cp.ContextTimeoutEnabled = true
		unsettle(unsettleTimeout, &cp.ReadTimeout, &cp.WriteTimeout, &cp.MinRetryBackoff, &cp.MaxRetryBackoff, &cp.MaxRetries)
		// NewClient stored the client's own push-notification processor in its
		// options, handlers registered; shared, the copy's registration fails and
		// go-redis logs so at every start. The copy makes its own.
		cp.PushNotificationProcessor = nil
		d := redis.NewClient(&cp)
		return d, d, true
	case *redis.ClusterClient:
		o := c.Options()
		if o.ContextTimeoutEnabled {
			return c, nil, true
		}
		cp := *o
		cp.ContextTimeoutEnabled = true
		unsettle(unsettleDuration, &cp.ReadTimeout, &cp.WriteTimeout, &cp.MinRetryBackoff, &cp.MaxRetryBackoff, &cp.MaxRetries)
		d := redis.NewClusterClient(&cp)
		return d, d, true
	}
	return c, nil, false
}

// unsettle undoes what go-redis did to a client's options when it built the
// client, so that building the copy settles them to the same values: it turns -1
// into 0 (none) and 0 into its default, and for a Client's timeouts -2 into -1 (no
// socket deadline at all). timeout maps a settled timeout back to its input.
func unsettle(timeout func(time.Duration) time.Duration, read, write, minBackoff, maxBackoff *time.Duration, retries *int) {
	*read, *write = timeout(*read), timeout(*write)
	*minBackoff, *maxBackoff = unsettleDuration(*minBackoff), unsettleDuration(*maxBackoff)
	if *retries == 0 {
		*retries = -1
	}
}

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
