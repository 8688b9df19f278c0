package redisstore

import (
	"context"
	"time"

	"github.com/gomessenger/messenger/store/storekit"
)

// FirstSeen implements [store.Dedupe] in one script: check and record are atomic
// across every instance sharing the Redis. ttl counts from the store's clock; Redis
// drops the key after ttl.
func (s *Store) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := s.check(ctx); err != nil {
		return false, err
	}
	if err := storekit.CheckDedupe(key, ttl); err != nil {
		return false, err
	}
	now := s.now()
	exp := now.Add(ttl)
	n, err := firstSeenScript.Run(ctx, s.rdb, []string{s.dedupeKey(key)},
		clockPair(now), clockPair(exp), ttlMillis(ttl)).Int()
	if err != nil {
		return false, wrap("FirstSeen", err)
	}
	return n == 1, nil
}

// Forget implements [store.Dedupe].
func (s *Store) Forget(ctx context.Context, key string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return wrap("Forget", s.rdb.Del(ctx, s.dedupeKey(key)).Err())
}
