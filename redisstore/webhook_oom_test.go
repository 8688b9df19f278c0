package redisstore_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger/redisstore"
	"github.com/gomessenger/messenger/store"
)

// Redis is full (maxmemory reached, noeviction as Durability asks): the webhook
// answers 500 and stores nothing, not even the dedupe key, so Meta's redelivery,
// once there is room again, runs its events, once.
func TestWebhookWhenRedisIsFull(t *testing.T) {
	_, addr := ownRedis(t, "--maxmemory-policy", "noeviction")
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = c.Close() })
	ctx := t.Context()
	st := newStore(t, c, redisstore.WithPrefix(randomPrefix()))
	wh, runs := runsPerMessage(t, st)

	// One delivery taken in while there is room: the next delivery's Admit carries
	// the removal of its finished entry. Redis checks memory at a script's first
	// write, and Admit claims keys before it removes anything, so a full Redis
	// refuses the script whole.
	postOK(t, wh, deliveryBody("u0", "m_0"))
	if err := wh.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}

	// Redis is full: a maxmemory under what it already uses refuses every write
	// that would take memory.
	if err := c.ConfigSet(ctx, "maxmemory", "1").Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, "probe", "1", 0).Err(); err == nil || !strings.Contains(err.Error(), "OOM") {
		t.Fatalf("a write with maxmemory 1: %v; want Redis's OOM error", err)
	}

	body := deliveryBody("u1", "m_1", "m_2")
	if code := postCode(wh, body); code != http.StatusInternalServerError {
		t.Errorf("with Redis full the webhook answered %d, want 500", code)
	}

	// Room again: Meta's redelivery runs both events.
	if err := c.ConfigSet(ctx, "maxmemory", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{200}, deliverLikeMeta(t, wh, body)); diff != "" {
		t.Errorf("answers to the redelivery (-want +got):\n%s", diff)
	}
	if err := wh.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"m_0": 1, "m_1": 1, "m_2": 1}, runs()); diff != "" {
		t.Errorf("runs per message (-want +got):\n%s", diff)
	}
	if es, err := st.Entries(ctx, store.InboxPending); err != nil || len(es) != 0 {
		t.Errorf("inbox after Shutdown: %d entries, %v; want none", len(es), err)
	}
}
