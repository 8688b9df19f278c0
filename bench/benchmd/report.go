package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/gomessenger/messenger/bench/internal/catalog"
)

// run describes the run that produced the table.
type run struct {
	Date, GoVersion, Benchstat, Benchtime string
	LoadStart, LoadEnd                    string // /proc/loadavg's three averages
	Cores, Procs, Rounds                  int
	Machine                               machine
	Redis                                 string // the Redis the intake benchmarks used
	RedisMissing                          string // why there was none, when there was none
}

// goals are the project's targets, measured with the default configuration and a new
// message id on every event.
const (
	goalWebhookAllocs = 1.0 / 3 // net allocations vs the best peer that verifies signatures
	goalSend          = 1.15    // send time vs the bare POST floor
	goalPolicyNs      = 200.0
	goalDedupeHeapMiB = 16.0 // live heap of the default dedupe store at its 100,000 keys
	goalDedupeGrowth  = 2.0  // time per insert at 100k keys vs at 1k keys
)

// bodies are the webhook deliveries with their goals: net time vs the best peer
// that verifies signatures, net time vs the floor, and net allocations (0: none).
var bodies = []struct {
	key       string
	events    int
	title     string
	vsPeer    float64
	vsFloor   float64
	maxAllocs float64
}{
	{"single", 1, "one signed text message", 0.40, 0.60, 8},
	{"batch100", 100, "a signed batch of 100 text messages", 0.35, 1.00, 0},
}

var modes = []struct{ key, title string }{
	{"seq", "one sender"},
	{"par64", "64 concurrent senders"},
}

func webhookName(body, lib string) string { return "Webhook/body=" + body + "/lib=" + lib }
func sendName(mode, lib string) string    { return "Send/mode=" + mode + "/lib=" + lib }

// report writes BENCHMARKS.md.
type report struct {
	t   table
	run run
	w   io.Writer
	err error
}

func (r *report) printf(format string, args ...any) {
	if r.err == nil {
		_, r.err = fmt.Fprintf(r.w, format, args...)
	}
}

func writeReport(w io.Writer, t table, rn run) error {
	r := &report{t: t, run: rn, w: w}
	r.header()
	r.summary()
	r.webhooks()
	r.sends()
	r.dedupe()
	r.policy()
	r.storeIntake()
	r.method()
	return r.err
}

func (r *report) header() {
	m := r.run.Machine
	r.printf("# Benchmarks\n\n")
	r.printf("Written by `bench/run` on %s; do not edit by hand, run it again.\n\n", r.run.Date)
	r.printf("| | |\n|---|---|\n")
	r.printf("| Go | %s %s/%s |\n", r.run.GoVersion, m.GOOS, m.GOARCH)
	r.printf("| CPU | %s, %d cores, GOMAXPROCS %d |\n", orUnknown(m.CPU), r.run.Cores, r.run.Procs)
	r.printf("| samples | %d rounds of the whole suite, -benchtime %s each; medians with 95%% confidence intervals from benchstat %s |\n",
		r.run.Rounds, r.run.Benchtime, r.run.Benchstat)
	if r.run.LoadStart != "" {
		r.printf("| load average (1, 5, 15 min) | %s at the start, %s at the end: other work shared the machine, the intervals show how much it moved the figures |\n",
			r.run.LoadStart, r.run.LoadEnd)
	}
	r.printf("\n")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// value returns the median of a benchmark in a unit.
func (r *report) value(unit, name string) (float64, bool) {
	s, ok := r.t.get(unit, name)
	return s.Value, ok
}

// has reports whether any benchmark in unit starts with prefix.
func (r *report) has(unit, prefix string) bool {
	for n := range r.t[unit] {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}

// netWebhook is a webhook row's value minus the plumbing row's, in unit.
func (r *report) netWebhook(unit, body, lib string) (float64, bool) {
	v, ok := r.value(unit, webhookName(body, lib))
	if !ok {
		return 0, false
	}
	p, _ := r.value(unit, webhookName(body, catalog.Plumbing))
	return v - p, true
}

// bestVerifyingPeer is the peer library that checks a signature (of any kind)
// with the least net time for body.
func (r *report) bestVerifyingPeer(body string) (string, bool) {
	best, bestNs := "", math.Inf(1)
	for _, w := range catalog.Webhooks {
		if w.Module == "" || w.Name == catalog.Ours || w.Verifies == "none" {
			continue
		}
		if ns, ok := r.netWebhook("sec/op", body, w.Name); ok && ns < bestNs {
			best, bestNs = w.Name, ns
		}
	}
	return best, best != ""
}

// bestPeerSend is the peer library with the least time for mode.
func (r *report) bestPeerSend(mode string) (string, bool) {
	best, bestNs := "", math.Inf(1)
	for _, s := range catalog.Sends {
		if s.Module == "" || s.Name == catalog.Ours {
			continue
		}
		if ns, ok := r.value("sec/op", sendName(mode, s.Name)); ok && ns < bestNs {
			best, bestNs = s.Name, ns
		}
	}
	return best, best != ""
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

func ratio(a, b float64) string {
	if b == 0 {
		if a == 0 {
			return "1.00×"
		}
		return "∞"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func (r *report) summary() {
	r.printf("## Goals\n\n")
	r.printf("Ratios are ours divided by the other, net of the plumbing for webhooks (see below); below 1 means ours is faster or smaller.\n\n")
	r.printf("| measure | ours | compared with | ratio | goal | |\n|---|---|---|---|---|---|\n")
	for _, b := range bodies {
		if !r.has("sec/op", "Webhook/body="+b.key+"/") {
			continue
		}
		ours, ok := r.netWebhook("sec/op", b.key, catalog.Ours)
		if !ok {
			r.printf("| webhook, %s | not measured (the SDK's webhook is not in this build) | | | | |\n", b.key)
			continue
		}
		if peer, ok := r.bestVerifyingPeer(b.key); ok {
			pns, _ := r.netWebhook("sec/op", b.key, peer)
			r.printf("| webhook %s, net time | %s | %s (best verifying peer) %s | %s | ≤ %.2f× | %s |\n", b.key,
				dur(ours), peer, dur(pns), ratio(ours, pns), b.vsPeer, verdict(ours <= b.vsPeer*pns))
			oa, _ := r.netWebhook("allocs/op", b.key, catalog.Ours)
			pa, _ := r.netWebhook("allocs/op", b.key, peer)
			r.printf("| webhook %s, net allocs | %.0f | %s %.0f | %s | ≤ %.2f× | %s |\n", b.key,
				oa, peer, pa, ratio(oa, pa), goalWebhookAllocs, verdict(oa <= goalWebhookAllocs*pa))
			if b.maxAllocs > 0 {
				r.printf("| webhook %s, net allocs | %.0f | | | ≤ %.0f | %s |\n", b.key, oa, b.maxAllocs, verdict(oa <= b.maxAllocs))
			}
		}
		if fns, ok := r.netWebhook("sec/op", b.key, catalog.Floor); ok {
			cmp := "≤"
			met := ours <= b.vsFloor*fns
			if b.vsFloor >= 1 {
				cmp, met = "<", ours < fns
			}
			r.printf("| webhook %s, net time | %s | floor %s | %s | %s %.2f× | %s |\n", b.key,
				dur(ours), dur(fns), ratio(ours, fns), cmp, b.vsFloor, verdict(met))
		}
	}
	for _, m := range modes {
		ours, ok := r.value("sec/op", sendName(m.key, catalog.Ours))
		floor, fok := r.value("sec/op", sendName(m.key, catalog.Floor))
		if !ok || !fok {
			continue
		}
		r.printf("| send, %s | %s | floor %s | %s | ≤ %.2f× | %s |\n", m.title, dur(ours), dur(floor),
			ratio(ours, floor), goalSend, verdict(ours <= goalSend*floor))
	}
	if heap, ok := r.value("heap-MiB", dedupeHeapName); ok {
		r.printf("| dedupe store at 100,000 keys, live heap | %.1f MiB | | | < %.0f MiB | %s |\n", heap, goalDedupeHeapMiB, verdict(heap < goalDedupeHeapMiB))
	}
	small, sok := r.value("sec/op", dedupeInsertName("1k"))
	large, lok := r.value("sec/op", dedupeInsertName("100k"))
	if sok && lok {
		r.printf("| dedupe insert at 100k keys | %s | at 1k keys %s | %s | ≤ %.2f× (O(1) amortised) | %s |\n",
			dur(large), dur(small), ratio(large, small), goalDedupeGrowth, verdict(large <= goalDedupeGrowth*small))
	}
	r.intakeGoals()
	for _, name := range r.policyNames() {
		if strings.Contains(name, "refused") {
			continue // a refusal explains itself and lists alternatives: no goal
		}
		ns, _ := r.value("sec/op", name)
		allocs, _ := r.value("allocs/op", name)
		r.printf("| policy.Check, %s | %s, %.0f allocs | | | < %.0f ns, 0 allocs | %s |\n", policyCase(name), dur(ns), allocs, goalPolicyNs,
			verdict(ns*1e9 < goalPolicyNs && allocs == 0))
	}
	r.printf("\n")
}

func (r *report) cell(unit, name string, format func(float64) string) string {
	s, ok := r.t.get(unit, name)
	if !ok {
		return "–"
	}
	out := format(s.Value)
	if ci := strings.TrimPrefix(strings.ReplaceAll(s.CI, " ", ""), "±"); ci != "" && ci != "∞" && unit == "sec/op" {
		out += " ±" + ci
	}
	return out
}

func count(v float64) string { return fmt.Sprintf("%.0f", v) }

// size formats B/op.
func size(v float64) string {
	switch {
	case v >= 1<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case v >= 10<<10:
		return fmt.Sprintf("%.0f KiB", v/(1<<10))
	default:
		return fmt.Sprintf("%.0f B", v)
	}
}

// dur formats seconds.
func dur(sec float64) string {
	ns := sec * 1e9
	switch {
	case math.Abs(ns) < 1e3:
		return fmt.Sprintf("%.1f ns", ns)
	case math.Abs(ns) < 1e6:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	default:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	}
}

func (r *report) webhooks() {
	r.printf("## Webhook ingest\n\n")
	r.printf("One op is one delivery, from the request to the last event handed to user code. " +
		"*net* is the time minus the plumbing row. No peer verifies `X-Hub-Signature-256`: " +
		"the verifying peers check the legacy SHA-1 `X-Hub-Signature`, the others accept any body.\n\n")
	for _, b := range bodies {
		if !r.has("sec/op", "Webhook/body="+b.key+"/") {
			continue
		}
		best, _ := r.bestVerifyingPeer(b.key)
		r.printf("### %s (%d event%s)\n\n", b.title, b.events, plural(b.events))
		r.printf("| library | verifies | time/op | net | events/s | B/op | allocs/op | net vs %s | net vs floor |\n", orUnknown(best))
		r.printf("|---|---|---|---|---|---|---|---|---|\n")
		for _, w := range catalog.Webhooks {
			name := webhookName(b.key, w.Name)
			ns, ok := r.value("sec/op", name)
			if !ok {
				continue
			}
			net, _ := r.netWebhook("sec/op", b.key, w.Name)
			vsPeer, vsFloor := "", ""
			if w.Name != catalog.Plumbing {
				if pns, ok := r.netWebhook("sec/op", b.key, best); ok {
					vsPeer = ratio(net, pns)
				}
				if fns, ok := r.netWebhook("sec/op", b.key, catalog.Floor); ok {
					vsFloor = ratio(net, fns)
				}
			}
			events := ""
			if w.Name != catalog.Plumbing {
				events = fmt.Sprintf("%.0f", float64(b.events)/ns)
			}
			r.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", libName(w.Name), w.Verifies,
				r.cell("sec/op", name, dur), dur(net), events, r.cell("B/op", name, size), r.cell("allocs/op", name, count), vsPeer, vsFloor)
		}
		r.printf("\n")
	}
	r.printf("What each handler does and skips:\n\n")
	for _, w := range catalog.Webhooks {
		mod := ""
		if w.Module != "" {
			mod = " (" + w.Module + ")"
		}
		async := ""
		if w.Async {
			async = " User code runs on goroutines after the answer; the benchmark waits for it inside the timing."
		}
		r.printf("- **%s**%s: %s.%s\n", w.Name, mod, w.Notes, async)
	}
	r.printf("\n")
}

func libName(n string) string {
	if n == catalog.Ours {
		return "**" + n + "** (ours)"
	}
	return n
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (r *report) sends() {
	r.printf("## Send\n\n")
	r.printf("One op is one text message to a loopback server that answers Graph's JSON. " +
		"*over floor* is the time above the bare POST; conns/op is the TCP connections the server accepted per send (0 when connections are reused, 1 when every send dials).\n\n")
	for _, m := range modes {
		if !r.has("sec/op", "Send/mode="+m.key+"/") {
			continue
		}
		floor, _ := r.value("sec/op", sendName(m.key, catalog.Floor))
		best, _ := r.bestPeerSend(m.key)
		r.printf("### %s\n\n", m.title)
		r.printf("| library | time/op | over floor | vs floor | vs %s | B/op | allocs/op | conns/op |\n|---|---|---|---|---|---|---|---|\n", orUnknown(best))
		bestNs, _ := r.value("sec/op", sendName(m.key, best))
		for _, s := range catalog.Sends {
			name := sendName(m.key, s.Name)
			ns, ok := r.value("sec/op", name)
			if !ok {
				continue
			}
			r.printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", libName(s.Name), r.cell("sec/op", name, dur), dur(ns-floor),
				ratio(ns, floor), ratio(ns, bestNs), r.cell("B/op", name, size), r.cell("allocs/op", name, count),
				r.cell("conns/op", name, func(v float64) string { return fmt.Sprintf("%.3f", v) }))
		}
		r.printf("\n")
	}
	r.printf("How each sender uses connections:\n\n")
	for _, s := range catalog.Sends {
		r.printf("- **%s**: %s; %s.\n", s.Name, s.Transport, s.Notes)
	}
	r.printf("\n")
}

const dedupeHeapName = "Dedupe/keys=100k/heap"

func dedupeInsertName(size string) string { return "Dedupe/keys=" + size + "/insert" }

func (r *report) dedupe() {
	if !r.has("sec/op", "Dedupe/") {
		return
	}
	r.printf("## Dedupe store\n\n")
	r.printf("The in-memory dedupe store the webhook uses by default (store/memstore's memory store uses the same one) recording a new key while it holds *keys* of them, at its limit, so each insert also evicts the oldest key: the steady state of a webhook that has run a while. Keys are webhook message keys, `message:` and a Meta message id of 82 characters.\n\n")
	r.printf("| keys held | time/insert | B/op | allocs/op |\n|---|---|---|---|\n")
	for _, held := range []string{"1k", "10k", "100k"} {
		n := dedupeInsertName(held)
		if _, ok := r.value("sec/op", n); ok {
			r.printf("| %s | %s | %s | %s |\n", held, r.cell("sec/op", n, dur), r.cell("B/op", n, size), r.cell("allocs/op", n, count))
		}
	}
	if heap, ok := r.value("heap-MiB", dedupeHeapName); ok {
		r.printf("\nLive heap of the store holding 100,000 such keys, measured after a collection: %.1f MiB.\n", heap)
	}
	r.printf("\n")
}

// policyNames are the policy benchmarks, sorted.
func (r *report) policyNames() []string {
	var names []string
	for n := range r.t["sec/op"] {
		if strings.HasPrefix(n, "PolicyCheck") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// policyCase is the case of a policy benchmark name ("PolicyCheck/case=x" → "x").
func policyCase(name string) string {
	if _, c, ok := strings.Cut(name, "case="); ok {
		return c
	}
	return name
}

func (r *report) policy() {
	names := r.policyNames()
	if len(names) == 0 {
		return
	}
	r.printf("## Policy check\n\n`policy.Check` on a request and a conversation already in memory. Goal for the allowed cases: under %.0f ns and 0 allocations; a refusal explains itself and lists the alternatives.\n\n", goalPolicyNs)
	r.printf("| case | time/op | B/op | allocs/op |\n|---|---|---|---|\n")
	for _, n := range names {
		r.printf("| %s | %s | %s | %s |\n", policyCase(n), r.cell("sec/op", n, dur), r.cell("B/op", n, size), r.cell("allocs/op", n, count))
	}
	r.printf("\n")
}

func (r *report) method() {
	r.printf("## How it is measured\n\n")
	r.printf(`- Every library gets the same bytes: webhook deliveries in Meta's shape (one entry per event, ids as strings, message ids of 82 characters), each with message ids never sent before, built and signed with both X-Hub-Signature-256 and X-Hub-Signature a chunk at a time with the timer stopped; every library runs with its defaults (ours remembers every id in its default dedupe store); every sender sends "Hello, world!" to the same PSID and gets the same answer.
- Webhook handlers are driven in process: one reused *http.Request given the next delivery's body and signatures and a ResponseWriter that keeps nothing, so the figures are the library's work and not loopback noise. The plumbing row is that driving with an empty handler; "net" subtracts it. Libraries that hand events to goroutines are timed until the last event reaches user code.
- Sends go over real loopback TCP to an httptest server. Peers with a constant Graph address are pointed at it by a RoundTripper that rewrites the URL in place (no allocation). Each benchmark gets a fresh connection pool.
- The rounds interleave the whole suite, so a burst of load from other work on the machine spreads over every library instead of landing on one.
- The tests in bench/ check that each measured path does its work: every event dispatched, forged bodies refused where a library claims to verify, every send reaching the server with the recipient and the text.
`)
}
