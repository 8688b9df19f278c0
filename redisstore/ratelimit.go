package redisstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/redis/go-redis/v9"
)

// rateScript reserves the next slot of a generic cell rate algorithm (GCRA) on
// Redis's own clock, so every process of a fleet shares one budget and one time.
// The key holds the theoretical arrival time (TAT) in microseconds. It returns how
// many microseconds the caller must wait before its call (0: at once), or, when
// that wait would exceed ARGV[3] (≥ 0), -(wait+1) without reserving anything.
var rateScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local maxwait = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
if maxwait >= 0 and wait > maxwait then return -wait - 1 end
local newtat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', newtat), 'PX', math.floor((newtat - now) / 1000) + 1000)
return wait
`)

// RateLimiter shares one Page's call budget across every process that uses the
// same Redis and prefix: a fleet of bot instances together stays under the rate
// Meta allows the Page (docs/platform.md, “Rate limits”: 300 send calls per second, 10 for audio
// and video), instead of each instance spending it alone. It satisfies
// messenger.Limiter, for messenger.WithLimiter, and is safe for concurrent use.
//
// Wait reserves the Page's next slot atomically on Redis's clock and then waits
// for it. A wait that would pass the context's deadline is refused at once without
// reserving; a context cancelled during the wait gives up its slot unused (the
// budget only ever errs on the slow side).
type RateLimiter struct {
	client    redis.UniversalClient
	key       string
	interval  int64 // microseconds between calls
	tolerance int64 // microseconds of burst
}

// RateLimiter returns the limiter of page's budget: limit calls per second with
// bursts of up to burst calls. Limiters made for the same page and prefix, in any
// process, share the budget; give them the same limit and burst.
func (s *Store) RateLimiter(page string, limit float64, burst int) (*RateLimiter, error) {
	if page == "" {
		return nil, errors.New("redisstore: RateLimiter: empty page id")
	}
	if err := checkPage("RateLimiter", "page", page); err != nil {
		return nil, err
	}
	if !(limit > 0) || math.IsInf(limit, 0) || limit > 1e6 {
		return nil, fmt.Errorf("redisstore: RateLimiter: limit must be between 0 and 1,000,000 calls per second, got %v", limit)
	}
	if burst < 1 {
		return nil, fmt.Errorf("redisstore: RateLimiter: burst must be at least 1, got %d", burst)
	}
	interval := int64(math.Round(1e6 / limit))
	return &RateLimiter{client: s.rdb, key: s.pageKey(page) + "rate",
		interval: max(interval, 1), tolerance: max(interval, 1) * int64(burst-1)}, nil
}

// Wait blocks until the next call may go, or fails without the call going.
func (l *RateLimiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	maxWait := int64(-1)
	if deadline, ok := ctx.Deadline(); ok {
		maxWait = time.Until(deadline).Microseconds()
		if maxWait <= 0 {
			return context.DeadlineExceeded
		}
	}
	res, err := rateScript.Run(ctx, l.client, []string{l.key}, l.interval, l.tolerance, maxWait).Int64()
	if err != nil {
		return fmt.Errorf("redisstore: rate limiter: %w", err)
	}
	if res < 0 {
		return fmt.Errorf("redisstore: rate limiter: the next slot is %s away, past the context's deadline: %w",
			time.Duration(-res-1)*time.Microsecond, errDeadlineTooSoon)
	}
	if res == 0 {
		return nil
	}
	timer := time.NewTimer(time.Duration(res) * time.Microsecond)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// errDeadlineTooSoon is wrapped when a wait would pass the context's deadline.
var errDeadlineTooSoon = errors.New("wait exceeds the deadline")
