package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readTable(t *testing.T) table {
	t.Helper()
	f, err := os.Open("testdata/stat.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb, err := parseCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func TestParseCSV(t *testing.T) {
	tb := readTable(t)
	got := map[string]stat{
		"paked sec/op":      tb["sec/op"]["Webhook/body=single/lib=paked"],
		"policy allocs/op":  tb["allocs/op"]["PolicyCheck/case=response_in_window"],
		"floor seq conns":   tb["conns/op"]["Send/mode=seq/lib=floor"],
		"missing is absent": tb["sec/op"]["Webhook/body=batch100/lib=paked"],
		"redis by package":  tb["sec/op"]["redisstore:WebhookIntake/events=1"],
		"file by package":   tb["sec/op"]["filestore:WebhookIntake/events=1"],
		"no bare store row": tb["sec/op"]["WebhookIntake/events=1"],
	}
	want := map[string]stat{
		"paked sec/op":      {Value: 8.01e-06, CI: "± 4%"},
		"policy allocs/op":  {Value: 0, CI: "± 0%"},
		"floor seq conns":   {Value: 0.0001, CI: "± 0%"},
		"missing is absent": {},
		"redis by package":  {Value: 2.8e-05, CI: "± 4%"},
		"file by package":   {Value: 0.0005, CI: "± 5%"},
		"no bare store row": {},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("parsed values (-want +got):\n%s", d)
	}
}

func TestParseCSVRejectsRowsWithoutUnit(t *testing.T) {
	if _, err := parseCSV(strings.NewReader("Webhook/body=single/lib=paked-2,1,± 1%\n")); err == nil {
		t.Fatal("no error for a row before any unit header")
	}
}

func TestParseRaw(t *testing.T) {
	got := parseRaw(strings.NewReader("goos: linux\ngoarch: amd64\npkg: x\ncpu: Some CPU @ 2GHz\nBenchmarkX-2 1 1 ns/op\n"))
	want := machine{GOOS: "linux", GOARCH: "amd64", CPU: "Some CPU @ 2GHz"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("machine (-want +got):\n%s", d)
	}
}

// TestReportRatios checks the figures that matter: ratios net of plumbing
// against the best peer that verifies signatures (maciekmm here: ekyoung is
// faster but verifies nothing) and against the floor, and the goal verdicts.
func TestReportRatios(t *testing.T) {
	out := render(t, readTable(t), "")
	for _, want := range []string{
		"| CPU | Test CPU, 2 cores, GOMAXPROCS 2 |",
		"| load average (1, 5, 15 min) | 0.10 0.20 0.30 at the start, 1.00 0.50 0.40 at the end",
		// (2.01-0.01) / (7.01-0.01) = 0.29
		"| webhook single, net time | 2.00 µs | maciekmm (best verifying peer) 7.00 µs | 0.29× | ≤ 0.40× | met |",
		"| webhook single, net allocs | 10 | maciekmm 35 | 0.29× | ≤ 0.33× | met |",
		"| webhook single, net allocs | 10 | | | ≤ 8 | **not met** |",
		"| webhook single, net time | 2.00 µs | floor 6.00 µs | 0.33× | ≤ 0.60× | met |",
		"| dedupe store at 100,000 keys, live heap | 13.2 MiB | | | < 16 MiB | met |",
		"| dedupe insert at 100k keys | 250.0 ns | at 1k keys 100.0 ns | 2.50× | ≤ 2.00× (O(1) amortised) | **not met** |",
		"| 100k | 250.0 ns ±3% | – | – |",
		"| send, one sender | 25.00 µs | floor 20.00 µs | 1.25× | ≤ 1.15× | **not met** |",
		"| policy.Check, response_in_window | 150.0 ns, 0 allocs | | | < 200 ns, 0 allocs | met |",
		"| **messenger** (ours) | sha256 | 2.01 µs ±3% | 2.00 µs | 497512 | 512 B | 10 | 0.29× | 0.33× |",
		"| maciekmm | 30.00 µs ±1% | 10.00 µs | 1.50× | 1.00× | 9500 B | 102 | 0.000 |",
		// Store intake: 28 µs / 20 µs, 500 µs / 20 µs; 500 µs / 100 events = 5 µs per event.
		"| Redis intake, 1 event per delivery, time per delivery | 28.00 µs | one Redis PING 20.00 µs | 1.40× | ≤ 1.50× | met |",
		"| Redis intake, 100 events per delivery, time per delivery | 500.00 µs | one Redis PING 20.00 µs | 25.00× | ≤ 1.50× | **not met** |",
		"| file store intake (Admit), 100 events per delivery, synced transactions | 1.00 per delivery | | | ≤ 1 per delivery | met |",
		"| file store webhook, 1 event per delivery, synced transactions with the removal of finished entries | 1.15 per delivery | | | ≤ 1.05 per delivery | **not met** |",
		"| Redis intake, 1 event per delivery, round trips counted | 1.25 per delivery | | | ≤ 1.5 per delivery | met |",
		"| Redis intake, 100 events per delivery, round trips counted | 1.60 per delivery | | | ≤ 1.5 per delivery | **not met** |",
		"Redis: a redis-server started for this run. ",
		"| PING (one round trip) | 20.00 µs ±2% | 1.00× | | | | 1 | 10.00 µs | 188 B | 6 |",
		// The floor under the intake: 200 µs / 20 µs; 2 µs per event; no B/op or allocs rows.
		"| 100 events, ids alone | 200.00 µs ±2% | 10.00× | 2.00 µs | 0.10× | 500000 | 1 | 150.00 µs | – | – |",
		"| 1 event, ids alone | 22.00 µs ±3% | 1.10× | 22.00 µs | 1.10× | 45455 | 1 | – | – | – |",
		"| 100 events | 500.00 µs ±3% | 25.00× | 5.00 µs | 0.25× | 200000 | 1.60 | 300.00 µs | 297 KiB | 2660 |",
		"| 1 event | webhook | 500.00 µs ±5% | 2000 | 1.15 | 64 KiB | 260 |",
		"| 100 events | single calls | 50.00 ms ±9% | 2000 | 201.00 | – | – |",
		"Removing 100 finished entries: one Complete, 700.00 µs in 1 transaction; 100 Dones, 30.00 ms in 100 transactions.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks line %q\n--- report:\n%s", want, out)
		}
	}
	if strings.Contains(out, "batch100") {
		t.Errorf("report has a batch100 section without batch100 figures:\n%s", out)
	}
}

// render renders tb as bench/run would, with redisMissing as the reason there was
// no Redis (none when empty: a redis-server started for the run).
func render(t *testing.T, tb table, redisMissing string) string {
	t.Helper()
	rn := run{Date: "2026-01-02", GoVersion: "go1.26", Rounds: 6, Benchtime: "300ms", Cores: 2, Procs: 2,
		LoadStart: "0.10 0.20 0.30", LoadEnd: "1.00 0.50 0.40", Machine: machine{GOOS: "linux", GOARCH: "amd64", CPU: "Test CPU"},
		Redis: "a redis-server started for this run", RedisMissing: redisMissing}
	if redisMissing != "" {
		rn.Redis = ""
	}
	var b bytes.Buffer
	if err := writeReport(&b, tb, rn); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A run without Redis says so, in the goals and in the section, and still
// reports the file store.
func TestReportWithoutRedis(t *testing.T) {
	tb := without(readTable(t), "redisstore:")
	const why = "redis-server is not installed and REDIS_URL is not set"
	out := render(t, tb, why)
	for _, want := range []string{
		"| Redis intake, time per delivery | not measured: " + why + " | | | ≤ 1.50× one PING | not measured |",
		"### Redis\n\nNot measured in this run: " + why + ".\n",
		"| 1 event | Admit | 400.00 µs ±5% | 2500 | 1.00 | 77 KiB | 218 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q\n--- report:\n%s", want, out)
		}
	}
	if strings.Contains(out, "PING (one round trip)") {
		t.Errorf("report has a Redis table without Redis figures:\n%s", out)
	}
}

// A run of the bench module alone (the stores' benchmarks not asked for) has no
// store intake section.
func TestReportWithoutStores(t *testing.T) {
	tb := without(readTable(t), "redisstore:", "filestore:")
	if out := render(t, tb, ""); strings.Contains(out, "Store intake") || strings.Contains(out, "intake,") {
		t.Errorf("report has store intake figures without store benchmarks:\n%s", out)
	}
}

// without is tb without the benchmarks whose names start with one of prefixes.
func without(tb table, prefixes ...string) table {
	for unit := range tb {
		for name := range tb[unit] {
			for _, p := range prefixes {
				if strings.HasPrefix(name, p) {
					delete(tb[unit], name)
				}
			}
		}
	}
	return tb
}
