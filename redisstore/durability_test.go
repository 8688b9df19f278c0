package redisstore_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger/redisstore"
)

// Durability reads a real server's settings and says what each unsafe one costs.
func TestDurability(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want redisstore.Durability
	}{
		{
			name: "append-only file synced on every write, no eviction",
			args: []string{"--appendonly", "yes", "--appendfsync", "always", "--maxmemory", "100mb", "--maxmemory-policy", "noeviction"},
			want: redisstore.Durability{AppendOnly: "yes", AppendFsync: "always", NoAppendFsyncOnRewrite: "no", SaveKnown: true, MaxMemory: "104857600", MaxMemoryPolicy: "noeviction"},
		},
		{
			name: "append-only file synced every second (Redis's default)",
			args: []string{"--appendonly", "yes"},
			want: redisstore.Durability{AppendOnly: "yes", AppendFsync: "everysec", NoAppendFsyncOnRewrite: "no", SaveKnown: true, MaxMemory: "0", MaxMemoryPolicy: "noeviction",
				Warnings: []string{"appendfsync everysec: a crash of Redis or of its machine can lose up to about two seconds of acknowledged events; appendfsync always loses none, at a cost in write latency"}},
		},
		{
			name: "no persistence",
			want: redisstore.Durability{AppendOnly: "no", AppendFsync: "everysec", NoAppendFsyncOnRewrite: "no", SaveKnown: true, MaxMemory: "0", MaxMemoryPolicy: "noeviction",
				Warnings: []string{`no persistence (appendonly no, save ""): a restart of Redis loses every stored event, dedupe key, window and token; set appendonly yes`}},
		},
		{
			name: "a cache: snapshots and LRU",
			args: []string{"--save", "3600 1", "--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru"},
			want: redisstore.Durability{AppendOnly: "no", AppendFsync: "everysec", NoAppendFsyncOnRewrite: "no", Save: "3600 1", SaveKnown: true, MaxMemory: "104857600", MaxMemoryPolicy: "allkeys-lru",
				Warnings: []string{
					`snapshots only (appendonly no, save "3600 1"): a crash of Redis loses what was written since the last snapshot, events Meta was answered 200 for among it; set appendonly yes`,
					"maxmemory-policy allkeys-lru: with memory full Redis evicts any key, inbox entries among them, so acknowledged events are lost; set noeviction",
				}},
		},
		{
			name: "fsync left to the system, volatile keys evicted",
			args: []string{"--appendonly", "yes", "--appendfsync", "no", "--maxmemory", "100mb", "--maxmemory-policy", "volatile-lru"},
			want: redisstore.Durability{AppendOnly: "yes", AppendFsync: "no", NoAppendFsyncOnRewrite: "no", SaveKnown: true, MaxMemory: "104857600", MaxMemoryPolicy: "volatile-lru",
				Warnings: []string{
					"appendfsync no: the operating system decides when writes reach the disk, so a crash of the machine loses up to its write-back delay of acknowledged events; set appendfsync everysec or always",
					"maxmemory-policy volatile-lru: with memory full Redis evicts keys that expire, dedupe keys and windows among them, so redeliveries run again and windows are forgotten; set noeviction",
				}},
		},
		{
			name: "fsync skipped during rewrites",
			args: []string{"--appendonly", "yes", "--appendfsync", "always", "--no-appendfsync-on-rewrite", "yes"},
			want: redisstore.Durability{AppendOnly: "yes", AppendFsync: "always", NoAppendFsyncOnRewrite: "yes", SaveKnown: true, MaxMemory: "0", MaxMemoryPolicy: "noeviction",
				Warnings: []string{"no-appendfsync-on-rewrite yes: while Redis rewrites its append-only file, writes are not synced, so a crash then can lose up to about 30 seconds of acknowledged events; set it to no"}},
		},
		{
			name: "an evicting policy without maxmemory evicts nothing",
			args: []string{"--appendonly", "yes", "--appendfsync", "always", "--maxmemory-policy", "allkeys-lru"},
			want: redisstore.Durability{AppendOnly: "yes", AppendFsync: "always", NoAppendFsyncOnRewrite: "no", SaveKnown: true, MaxMemory: "0", MaxMemoryPolicy: "allkeys-lru"},
		},
		{
			name: "CONFIG renamed away",
			args: []string{"--appendonly", "yes", "--rename-command", "CONFIG", ""},
			want: redisstore.Durability{Warnings: []string{
				"the server did not tell appendonly, appendfsync, no-appendfsync-on-rewrite, save, maxmemory, maxmemory-policy (CONFIG GET refused?): check them by hand",
			}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, addr := ownRedis(t, tc.args...)
			c := redis.NewClient(&redis.Options{Addr: addr})
			t.Cleanup(func() { _ = c.Close() })
			st := newStore(t, c)
			got, err := st.Durability(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Addr = addr
			if diff := cmp.Diff([]redisstore.Durability{tc.want}, got, cmpopts.IgnoreFields(redisstore.Durability{}, "Replicas")); diff != "" {
				t.Errorf("Durability (-want +got):\n%s", diff)
			}
		})
	}
}

// With a replica connected, Durability counts it and says whether the store waits
// for it.
func TestDurabilityReplicas(t *testing.T) {
	primary, _, _ := primaryAndReplica(t, "--appendonly", "yes", "--appendfsync", "always")
	for _, tc := range []struct {
		name string
		opts []redisstore.Option
		want []string
	}{
		{"no WithReplicaAck", nil, []string{
			"1 replica(s) and no WithReplicaAck: a failover to a replica that lacks the last writes loses the events Meta was just answered 200 for"}},
		{"WithReplicaAck(1)", []redisstore.Option{redisstore.WithReplicaAck(1, time.Second)}, nil},
		{"WithReplicaAck(2)", []redisstore.Option{redisstore.WithReplicaAck(2, time.Second)}, []string{
			"WithReplicaAck waits for 2 replica(s) but 1 are connected: every Admit, Append and ClaimToken fails"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t, primary, tc.opts...)
			got, err := st.Durability(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Replicas != 1 {
				t.Fatalf("Durability = %+v, want one server with 1 replica", got)
			}
			if diff := cmp.Diff(tc.want, got[0].Warnings, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

// On a Redis Cluster, Durability answers for each master, in address order.
func TestClusterDurability(t *testing.T) {
	c := clusterClient(t)
	st := newStore(t, c)
	got, err := st.Durability(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var masters atomic.Int32
	if err := c.ForEachMaster(t.Context(), func(context.Context, *redis.Client) error { masters.Add(1); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != int(masters.Load()) || len(got) < 3 {
		t.Fatalf("Durability answered for %d servers, want one per master (%d)", len(got), masters.Load())
	}
	for i := range got {
		if got[i].Addr == "" || got[i].MaxMemoryPolicy == "" || (i > 0 && got[i-1].Addr >= got[i].Addr) {
			t.Errorf("Durability()[%d] = %+v: want every master's settings, by address", i, got[i])
		}
	}
}
