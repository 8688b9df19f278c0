package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNotReplicated matches (with errors.Is) the error of a write that fewer
// replicas than [WithReplicaAck] asks for acknowledged in time.
var ErrNotReplicated = errors.New("redisstore: write not acknowledged by enough replicas")

// replicaAck is what WithReplicaAck asked for; replicas 0: nothing.
type replicaAck struct {
	replicas int
	timeout  time.Duration
}

// WithReplicaAck makes the writes that others act on once they return wait until
// replicas replicas have them, for at most timeout, with Redis's WAIT: Admit and
// Append, after which the webhook answers Meta 200, and ClaimToken, after which a
// one-time token is spent.
//
// Redis replicates asynchronously. Without this option a primary that fails just
// after such a write takes it along, and the replica promoted in its place has
// neither the event Meta was told had arrived nor the claim of a spent token. With
// it, a write fewer replicas acknowledged in time fails with an error matching
// [ErrNotReplicated]: the webhook answers 500 and Meta delivers again; ClaimToken
// gives the token back. The write may still be on the primary; an inbox entry then
// runs when its lease ends, as one whose answer was lost does.
//
// WAIT costs no extra round trip (it goes in the same pipeline as the write) but
// adds the replicas' delay to each of these calls: keep timeout well inside the
// webhook's ack budget (3 s) and under the client's ReadTimeout. The option needs a
// *redis.Client (one primary, or a Sentinel failover client): on a Redis Cluster or
// a Ring, WAIT would not reach the node that took the write, and [New] refuses it.
func WithReplicaAck(replicas int, timeout time.Duration) Option {
	return func(s *Store) error {
		if replicas < 1 {
			return fmt.Errorf("redisstore: WithReplicaAck: replicas must be at least 1, got %d", replicas)
		}
		if timeout < time.Millisecond {
			return fmt.Errorf("redisstore: WithReplicaAck: timeout must be at least 1ms (Redis's WAIT 0 waits for ever), got %v", timeout)
		}
		s.ack = replicaAck{replicas: replicas, timeout: timeout}
		return nil
	}
}

// checkReplicaAck refuses WithReplicaAck on a client WAIT cannot follow the
// writes of.
func checkReplicaAck(s *Store, client redis.UniversalClient) error {
	if s.ack.replicas == 0 {
		return nil
	}
	c, ok := client.(*redis.Client)
	if !ok {
		return fmt.Errorf("redisstore: WithReplicaAck needs a *redis.Client (one primary, or a Sentinel failover client), got %T", client)
	}
	// A pipeline's reads end at the client's ReadTimeout, WAIT's included.
	if rt := c.Options().ReadTimeout; rt > 0 && s.ack.timeout >= rt {
		return fmt.Errorf("redisstore: WithReplicaAck: timeout must be under the client's ReadTimeout (%v), got %v", rt, s.ack.timeout)
	}
	return nil
}

// runAcked is sc.Run and, with WithReplicaAck, Redis's WAIT on the same
// connection right after it: one pipeline, one round trip. A script Redis does not
// have cached is sent again whole, as Run does.
func (s *Store) runAcked(ctx context.Context, sc *redis.Script, keys []string, args ...any) *redis.Cmd {
	if s.ack.replicas == 0 {
		return sc.Run(ctx, s.rdb, keys, args...)
	}
	cmd, wait := s.pipeWait(ctx, sc.EvalSha, keys, args)
	if redis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") {
		cmd, wait = s.pipeWait(ctx, sc.Eval, keys, args)
	}
	if cmd.Err() != nil {
		return cmd
	}
	n, err := wait.Result()
	switch {
	case err != nil:
		cmd.SetErr(fmt.Errorf("waiting for %d replica(s) to acknowledge the write (WithReplicaAck): %w", s.ack.replicas, err))
	case n < int64(s.ack.replicas):
		cmd.SetErr(fmt.Errorf("%d of %d replica(s) acknowledged the write within %v (WithReplicaAck): %w",
			n, s.ack.replicas, s.ack.timeout, ErrNotReplicated))
	}
	return cmd
}

type evalFunc func(ctx context.Context, c redis.Scripter, keys []string, args ...any) *redis.Cmd

func (s *Store) pipeWait(ctx context.Context, eval evalFunc, keys []string, args []any) (*redis.Cmd, *redis.IntCmd) {
	pipe := s.rdb.Pipeline()
	cmd := eval(ctx, pipe, keys, args...)
	wait := redis.NewIntCmd(ctx, "wait", s.ack.replicas, s.ack.timeout.Milliseconds())
	_ = pipe.Process(ctx, wait)
	_, _ = pipe.Exec(ctx) // each command keeps its own error
	return cmd, wait
}
