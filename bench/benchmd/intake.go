package main

import (
	"fmt"
	"strings"
)

// Goals of the stores' intake, in the fleet configuration (one store as inbox,
// dedupe and window store).
const (
	goalRedisVsPing    = 1.5 // a delivery's time vs one Redis PING round trip on the same Redis
	goalRedisTrips     = 1.5 // round trips per delivery, counted, whatever its number of events
	goalFileTxPerDel   = 1.0 // synced transactions per delivery of Admit
	goalFileTxRemovals = 1.05
	// goalFileTxRemovals is the webhook's synced transactions per delivery with the
	// removal of finished entries: each rides on the next delivery's Admit, but the
	// run's last entry, and entries no delivery follows within the completer's 2 ms,
	// are removed by a transaction of their own.
)

// intakeShapes are the deliveries the intake benchmarks take: events per delivery.
var intakeShapes = []int{1, 100}

const redisPingName = "redisstore:WebhookIntake/PING"

func redisIntakeName(events int) string {
	return fmt.Sprintf("redisstore:WebhookIntake/events=%d", events)
}

// redisIDsOnlyName is the floor under the Redis intake: one script that only
// records the delivery's ids (SET NX with the dedupe TTL).
func redisIDsOnlyName(events int) string {
	return fmt.Sprintf("redisstore:WebhookIntake/ids-only/events=%d", events)
}

func fileWebhookName(events int) string {
	return fmt.Sprintf("filestore:WebhookIntake/events=%d", events)
}

// fileIntakeName is a store-level benchmark of the file store: kind is Admit (one
// call per delivery) or Separate (the same writes by the single calls).
func fileIntakeName(kind string, events int) string {
	return fmt.Sprintf("filestore:Intake/%s/events=%d", kind, events)
}

func fileRemovalName(kind string) string { return "filestore:Intake/" + kind + "/ids=100" }

// intakeGoals writes the goal rows of the stores' intake.
func (r *report) intakeGoals() {
	if r.has("sec/op", "redisstore:") {
		ping, pok := r.value("sec/op", redisPingName)
		for _, ev := range intakeShapes {
			ns, ok := r.value("sec/op", redisIntakeName(ev))
			if !ok || !pok {
				continue
			}
			r.printf("| Redis intake, %d event%s per delivery, time per delivery | %s | one Redis PING %s | %s | ≤ %.2f× | %s |\n",
				ev, plural(ev), dur(ns), dur(ping), ratio(ns, ping), goalRedisVsPing, verdict(ns <= goalRedisVsPing*ping))
		}
		for _, ev := range intakeShapes {
			if trips, ok := r.value("roundtrips/delivery", redisIntakeName(ev)); ok {
				r.printf("| Redis intake, %d event%s per delivery, round trips counted | %.2f per delivery | | | ≤ %.1f per delivery | %s |\n",
					ev, plural(ev), trips, goalRedisTrips, verdict(trips <= goalRedisTrips))
			}
		}
	} else if r.run.RedisMissing != "" {
		r.printf("| Redis intake, time per delivery | not measured: %s | | | ≤ %.2f× one PING | not measured |\n", r.run.RedisMissing, goalRedisVsPing)
	}
	for _, ev := range intakeShapes {
		if tx, ok := r.value("tx/delivery", fileIntakeName("Admit", ev)); ok {
			r.printf("| file store intake (Admit), %d event%s per delivery, synced transactions | %.2f per delivery | | | ≤ %.0f per delivery | %s |\n",
				ev, plural(ev), tx, goalFileTxPerDel, verdict(tx <= goalFileTxPerDel))
		}
		if tx, ok := r.value("tx/delivery", fileWebhookName(ev)); ok {
			r.printf("| file store webhook, %d event%s per delivery, synced transactions with the removal of finished entries | %.2f per delivery | | | ≤ %.2f per delivery | %s |\n",
				ev, plural(ev), tx, goalFileTxRemovals, verdict(tx <= goalFileTxRemovals))
		}
	}
}

// storeIntake writes the section on the stores' intake.
func (r *report) storeIntake() {
	redis, file := r.has("sec/op", "redisstore:"), r.has("sec/op", "filestore:")
	if !redis && !file && r.run.RedisMissing == "" {
		return
	}
	r.printf("## Store intake\n\n")
	r.printf("The webhook in its fleet configuration: one store as inbox, dedupe and window store, every other option its default, " +
		"taking signed deliveries with message ids never seen before, one after another, through ServeHTTP. Handlers do nothing, " +
		"so the figures are the intake's own; the time includes Shutdown, so every handler has run and every finished entry is removed. " +
		"A delivery is admitted by one store call, which also removes the entries finished since the previous one; " +
		"entries no delivery takes within 2 ms are removed in a batch by one goroutine.\n\n")
	r.printf("### Redis\n\n")
	switch {
	case redis:
		if r.run.Redis != "" {
			r.printf("Redis: %s. ", r.run.Redis)
		}
		r.printf("*vs PING* is the time divided by one `PING` round trip to the same Redis; round trips/delivery counts the commands and pipelines the store's client sent per delivery, background work included; " +
			"*Redis CPU* is the CPU time the Redis server spent per delivery (its `INFO cpu`), the server's share of the time. " +
			"*ids alone* is one script that does nothing but record the delivery's message ids, `SET NX` with the dedupe TTL each, from the same client: " +
			"no intake that remembers every event's id in Redis can take less time, whatever it does with the inbox and the windows.\n\n")
		ping, _ := r.value("sec/op", redisPingName)
		r.printf("| delivery | time/delivery | vs PING | time/event | per event vs PING | events/s | round trips/delivery | Redis CPU/delivery | B/op | allocs/op |\n|---|---|---|---|---|---|---|---|---|---|\n")
		if _, ok := r.value("sec/op", redisPingName); ok {
			r.printf("| PING (one round trip) | %s | 1.00× | | | | 1 | %s | %s | %s |\n",
				r.cell("sec/op", redisPingName, dur), r.cell("redis-cpu-sec/op", redisPingName, dur),
				r.cell("B/op", redisPingName, size), r.cell("allocs/op", redisPingName, count))
		}
		for _, ev := range intakeShapes {
			name := redisIntakeName(ev)
			ns, ok := r.value("sec/op", name)
			if !ok {
				continue
			}
			per := ns / float64(ev)
			if floor := redisIDsOnlyName(ev); r.has("sec/op", floor) {
				fns, _ := r.value("sec/op", floor)
				r.printf("| %d event%s, ids alone | %s | %s | %s | %s | %.0f | 1 | %s | %s | %s |\n", ev, plural(ev), r.cell("sec/op", floor, dur), ratio(fns, ping),
					dur(fns/float64(ev)), ratio(fns/float64(ev), ping), float64(ev)/fns,
					r.cell("redis-cpu-sec/op", floor, dur), r.cell("B/op", floor, size), r.cell("allocs/op", floor, count))
			}
			r.printf("| %d event%s | %s | %s | %s | %s | %.0f | %s | %s | %s | %s |\n", ev, plural(ev), r.cell("sec/op", name, dur), ratio(ns, ping),
				dur(per), ratio(per, ping), float64(ev)/ns, r.cell("roundtrips/delivery", name, decimals),
				r.cell("redis-cpu-sec/op", name, dur), r.cell("B/op", name, size), r.cell("allocs/op", name, count))
		}
		r.printf("\n")
	case r.run.RedisMissing != "":
		r.printf("Not measured in this run: %s.\n\n", r.run.RedisMissing)
	default:
		r.printf("Not measured in this run.\n\n")
	}
	if !file {
		return
	}
	r.printf("### File store\n\n")
	r.printf("A bbolt file in the benchmark's temporary directory, every transaction synced to disk. *webhook* is the fleet configuration above; " +
		"*Admit* the store's one call for a delivery alone; *single calls* the same writes made the way a store without Admit is used " +
		"(FirstSeen and RecordAction for each event, then Append). Transactions are every synced transaction the store committed, per delivery.\n\n")
	r.printf("| delivery | path | time/delivery | events/s | transactions/delivery | B/op | allocs/op |\n|---|---|---|---|---|---|---|\n")
	for _, ev := range intakeShapes {
		for _, p := range []struct{ name, title string }{
			{fileWebhookName(ev), "webhook"},
			{fileIntakeName("Admit", ev), "Admit"},
			{fileIntakeName("Separate", ev), "single calls"},
		} {
			ns, ok := r.value("sec/op", p.name)
			if !ok {
				continue
			}
			r.printf("| %d event%s | %s | %s | %.0f | %s | %s | %s |\n", ev, plural(ev), p.title, r.cell("sec/op", p.name, dur),
				float64(ev)/ns, r.cell("tx/delivery", p.name, decimals), r.cell("B/op", p.name, size), r.cell("allocs/op", p.name, count))
		}
	}
	var removal []string
	for _, p := range []struct{ kind, title string }{{"Complete", "one Complete"}, {"DoneEach", "100 Dones"}} {
		name := fileRemovalName(p.kind)
		ns, ok := r.value("sec/op", name)
		if !ok {
			continue
		}
		tx, _ := r.value("tx/delivery", name)
		removal = append(removal, fmt.Sprintf("%s, %s in %.0f transaction%s", p.title, dur(ns), tx*100, plural(int(tx*100+0.5))))
	}
	if len(removal) > 0 {
		r.printf("\nRemoving 100 finished entries: %s.\n", strings.Join(removal, "; "))
	}
	r.printf("\n")
}

// decimals formats a count that is an average ("1.29").
func decimals(v float64) string { return fmt.Sprintf("%.2f", v) }
