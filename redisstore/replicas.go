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
// runs when its lease ends, as one whose answer was lost does. WAIT does not make
// Redis strongly consistent: with more replicas than replicas, whether the one
// promoted acknowledged the write is the failover's choice (Sentinel prefers, at
// equal priority, the replica with the most replicated data).
//
// WAIT costs no extra round trip (it goes in the same pipeline as the write) but
// adds the replicas' delay to each of these calls. A call waits at most half of
// what its context has left once Redis's lateness is counted (Redis ends waits at
// its server cron, up to 100 ms late at the default hz), and timeout must be at
// most half the client's ReadTimeout, so that the answer is not cut off. A
// pipeline that fails all the same (a dropped connection) is never sent again, so
// the write is never made twice. The option needs a *redis.Client (one primary,
// or a Sentinel failover client): on a Redis Cluster or a Ring, WAIT would not
// reach the node that took the write, and [New] refuses it.
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
	if rt := c.Options().ReadTimeout; rt > 0 && s.ack.timeout > rt/2 {
		return fmt.Errorf("redisstore: WithReplicaAck: timeout must be at most half the client's ReadTimeout (%v), got %v", rt, s.ack.timeout)
	}
	return nil
}

// waitTick is how late Redis may answer a WAIT: it ends waits at its server
// cron, ten times a second at the default hz.
const waitTick = 100 * time.Millisecond

// runAcked is sc.Run and, with WithReplicaAck, Redis's WAIT on the same
// connection right after it: one pipeline, one round trip. Between the two goes a
// write of the store's ack key: WAIT waits for the connection's last write, which
// Redis 7.2 and later do not move for a script that wrote nothing (a redelivery
// whose every event was seen), and whose first copy, written by another call, may
// not be replicated yet. A replica that has the ack key has all that came before.
//
// go-redis sends a pipeline again after a dropped connection or a read timeout;
// this one it must not, since the script would run twice (two entries for one
// Append, a second token claimed), so its WAIT says so (noRetry).
func (s *Store) runAcked(ctx context.Context, sc *redis.Script, keys []string, args ...any) *redis.Cmd {
	if s.ack.replicas == 0 {
		return sc.Run(ctx, s.rdb, keys, args...)
	}
	if _, loaded := s.loaded.Load(sc); !loaded {
		// Load it first, so that a NOSCRIPT does not cost a wait.
		if err := sc.Load(ctx, s.rdb).Err(); err == nil {
			s.loaded.Store(sc, struct{}{})
		}
	}
	cmd, ack, set, wait := s.pipeWait(ctx, sc, keys, args)
	if redis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") {
		// Redis lost its scripts (a restart, a failover): load, and try again
		// with what time is left.
		if err := sc.Load(ctx, s.rdb).Err(); err != nil {
			cmd.SetErr(err)
			return cmd
		}
		cmd, ack, set, wait = s.pipeWait(ctx, sc, keys, args)
	}
	if cmd.Err() != nil {
		return cmd
	}
	if err := set.Err(); err != nil {
		cmd.SetErr(fmt.Errorf("writing the ack key before waiting for replicas (WithReplicaAck): %w", err))
		return cmd
	}
	n, err := ack.Result()
	switch {
	case err != nil:
		cmd.SetErr(fmt.Errorf("waiting for %d replica(s) to acknowledge the write (WithReplicaAck): %w", s.ack.replicas, err))
	case n < int64(s.ack.replicas):
		cmd.SetErr(fmt.Errorf("%d of %d replica(s) acknowledged the write within %v (WithReplicaAck): %w",
			n, s.ack.replicas, wait, ErrNotReplicated))
	}
	return cmd
}

// noRetry is a command go-redis must not send again, nor the pipeline it is in.
type noRetry struct{ *redis.IntCmd }

func (noRetry) NoRetry() bool { return true }

// pipeWait sends sc (by its SHA), the ack key's write and a WAIT in one pipeline.
// The WAIT lasts at most the option's timeout and half of what the context has
// left after Redis's lateness; with no time for it, nothing is sent and the
// script's command fails with ErrNotReplicated.
func (s *Store) pipeWait(ctx context.Context, sc *redis.Script, keys []string, args []any) (cmd *redis.Cmd, ack *redis.IntCmd, set *redis.StatusCmd, wait time.Duration) {
	wait = s.ack.timeout
	if dl, ok := ctx.Deadline(); ok {
		wait = min(wait, (time.Until(dl)-waitTick)/2)
	}
	if wait < time.Millisecond {
		cmd = redis.NewCmd(ctx)
		cmd.SetErr(fmt.Errorf("too little time left to wait for %d replica(s) (WithReplicaAck): %w", s.ack.replicas, ErrNotReplicated))
		return cmd, nil, nil, 0
	}
	pipe := s.rdb.Pipeline()
	cmd = sc.EvalSha(ctx, pipe, keys, args...)
	set = pipe.Set(ctx, s.ackKey(), "1", 0)
	ack = redis.NewIntCmd(ctx, "wait", s.ack.replicas, wait.Milliseconds())
	_ = pipe.Process(ctx, noRetry{ack})
	_, _ = pipe.Exec(ctx) // each command keeps its own error
	return cmd, ack, set, wait
}
