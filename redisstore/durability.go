package redisstore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Durability is how a Redis server keeps what the store writes, as [Store.Durability]
// reads it from the server's configuration. An empty string is a setting the
// server would not tell (managed services often disable CONFIG).
type Durability struct {
	// Addr is the server's address; on a Redis Cluster, one Durability per master.
	Addr string
	// AppendOnly is the appendonly setting: "yes" or "no".
	AppendOnly string
	// AppendFsync is when the append-only file reaches the disk: "always",
	// "everysec" or "no"; NoAppendFsyncOnRewrite "yes" skips it while Redis
	// rewrites the file.
	AppendFsync            string
	NoAppendFsyncOnRewrite string
	// Save is the snapshot schedule; "" with SaveKnown: no snapshots.
	Save      string
	SaveKnown bool
	// MaxMemory is the maxmemory setting in bytes ("0": no limit), and
	// MaxMemoryPolicy what Redis does when it reaches it: "noeviction", or a
	// policy that evicts keys.
	MaxMemory       string
	MaxMemoryPolicy string
	// Replicas is the number of replicas connected to the server (-1: unknown).
	Replicas int
	// Warnings say, one by one, how the settings above can lose an event the
	// webhook acknowledged, run one twice, or spend a token twice. None: the
	// server keeps what the store writes as well as Redis can.
	Warnings []string
}

// Durability reads the settings of the Redis server (of each master, on a Redis
// Cluster) that decide whether what the store wrote survives a restart, a crash,
// a failover and a full memory, and says what each unsafe one can cost. Call it at
// start and log its warnings; it changes nothing. A setting the server will not
// tell is left empty and named in a warning, and only a failure to reach the
// server is an error.
func (s *Store) Durability(ctx context.Context) ([]Durability, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	cc, ok := s.rdb.(*redis.ClusterClient)
	if !ok {
		addr := ""
		if o, ok := s.rdb.(interface{ Options() *redis.Options }); ok {
			addr = o.Options().Addr
		}
		d, err := s.durabilityOf(ctx, s.rdb, addr, false)
		if err != nil {
			return nil, err
		}
		return []Durability{d}, nil
	}
	var mu sync.Mutex
	var out []Durability
	err := cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		d, err := s.durabilityOf(ctx, m, m.Options().Addr, true)
		mu.Lock()
		out = append(out, d)
		mu.Unlock()
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Durability) int { return strings.Compare(a.Addr, b.Addr) })
	return out, nil
}

// durabilityOf reads the settings of the server c, at addr; cluster says it is a
// cluster master.
func (s *Store) durabilityOf(ctx context.Context, c redis.Cmdable, addr string, cluster bool) (Durability, error) {
	d := Durability{Addr: addr, Replicas: -1}
	info, err := c.Info(ctx, "replication").Result()
	if err != nil {
		return d, wrap("Durability", err)
	}
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "connected_slaves:"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				d.Replicas = n
			}
		}
	}
	var unknown []string
	for _, f := range []struct {
		name  string
		into  *string
		known *bool
	}{
		{"appendonly", &d.AppendOnly, nil},
		{"appendfsync", &d.AppendFsync, nil},
		{"no-appendfsync-on-rewrite", &d.NoAppendFsyncOnRewrite, nil},
		{"save", &d.Save, &d.SaveKnown},
		{"maxmemory", &d.MaxMemory, nil},
		{"maxmemory-policy", &d.MaxMemoryPolicy, nil},
	} {
		kv, err := c.ConfigGet(ctx, f.name).Result()
		v, ok := kv[f.name]
		if err != nil || !ok {
			unknown = append(unknown, f.name)
			continue
		}
		*f.into = v
		if f.known != nil {
			*f.known = true
		}
	}
	d.Warnings = durabilityWarnings(d, s.ack.replicas, cluster)
	if len(unknown) > 0 {
		d.Warnings = append(d.Warnings, fmt.Sprintf("the server did not tell %s (CONFIG GET refused?): check them by hand", strings.Join(unknown, ", ")))
	}
	return d, nil
}

// durabilityWarnings says what each unsafe setting of d can cost; acked is the
// store's WithReplicaAck replica count, cluster whether d is a cluster master.
func durabilityWarnings(d Durability, acked int, cluster bool) []string {
	var w []string
	switch {
	case d.AppendOnly == "no" && d.SaveKnown && d.Save == "":
		w = append(w, "no persistence (appendonly no, save \"\"): a restart of Redis loses every stored event, dedupe key, window and token; set appendonly yes")
	case d.AppendOnly == "no" && d.SaveKnown:
		w = append(w, fmt.Sprintf("snapshots only (appendonly no, save %q): a crash of Redis loses what was written since the last snapshot, events Meta was answered 200 for among it; set appendonly yes", d.Save))
	case d.AppendOnly == "yes" && d.AppendFsync == "no":
		w = append(w, "appendfsync no: the operating system decides when writes reach the disk, so a crash of the machine loses up to its write-back delay of acknowledged events; set appendfsync everysec or always")
	case d.AppendOnly == "yes" && d.AppendFsync == "everysec":
		w = append(w, "appendfsync everysec: a crash of Redis or of its machine can lose up to about two seconds of acknowledged events; appendfsync always loses none, at a cost in write latency")
	}
	if d.AppendOnly == "yes" && d.AppendFsync != "no" && d.NoAppendFsyncOnRewrite == "yes" {
		w = append(w, "no-appendfsync-on-rewrite yes: while Redis rewrites its append-only file, writes are not synced, so a crash then can lose up to about 30 seconds of acknowledged events; set it to no")
	}
	switch p := d.MaxMemoryPolicy; {
	case p == "" || p == "noeviction" || d.MaxMemory == "0":
	case strings.HasPrefix(p, "volatile-"):
		w = append(w, fmt.Sprintf("maxmemory-policy %s: with memory full Redis evicts keys that expire, dedupe keys and windows among them, so redeliveries run again and windows are forgotten; set noeviction", p))
	default:
		w = append(w, fmt.Sprintf("maxmemory-policy %s: with memory full Redis evicts any key, inbox entries among them, so acknowledged events are lost; set noeviction", p))
	}
	switch {
	case d.Replicas > 0 && cluster:
		w = append(w, fmt.Sprintf("%d replica(s): a failover to a replica that lacks the last writes loses the events Meta was just answered 200 for (WithReplicaAck is not available on a Redis Cluster)", d.Replicas))
	case d.Replicas > 0 && acked == 0:
		w = append(w, fmt.Sprintf("%d replica(s) and no WithReplicaAck: a failover to a replica that lacks the last writes loses the events Meta was just answered 200 for", d.Replicas))
	case acked > 0 && d.Replicas >= 0 && d.Replicas < acked:
		w = append(w, fmt.Sprintf("WithReplicaAck waits for %d replica(s) but %d are connected: every Admit, Append and ClaimToken fails", acked, d.Replicas))
	}
	return w
}
