// Command benchmd writes BENCHMARKS.md from benchstat's CSV summary of the bench
// module's benchmarks. bench/run calls it; run it by hand only to re-render:
//
//	go run ./benchmd -csv stat.csv -raw raw.txt -out ../BENCHMARKS.md
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

func main() {
	csvPath := flag.String("csv", "", "benchstat -format csv output")
	rawPath := flag.String("raw", "", "raw go test -bench output (for the machine lines)")
	out := flag.String("out", "BENCHMARKS.md", "file to write")
	rounds := flag.Int("rounds", 0, "rounds of the suite that were run")
	benchtime := flag.String("benchtime", "", "-benchtime of each round")
	benchstat := flag.String("benchstat", "", "benchstat version used")
	goVersion := flag.String("go", runtime.Version(), "go version of the run")
	loadStart := flag.String("load-start", "", "load average when the run started")
	loadEnd := flag.String("load-end", "", "load average when the run ended")
	redis := flag.String("redis", "", "the Redis the intake benchmarks used")
	redisMissing := flag.String("redis-missing", "", "why there was no Redis for the intake benchmarks")
	date := flag.String("date", time.Now().UTC().Format("2006-01-02 15:04 MST"), "date of the run")
	flag.Parse()
	if err := writeFile(*csvPath, *rawPath, *out, run{Date: *date, GoVersion: *goVersion, Benchstat: *benchstat,
		Benchtime: *benchtime, Rounds: *rounds, LoadStart: *loadStart, LoadEnd: *loadEnd, Cores: runtime.NumCPU(), Procs: runtime.GOMAXPROCS(0),
		Redis: *redis, RedisMissing: *redisMissing}); err != nil {
		fmt.Fprintln(os.Stderr, "benchmd:", err)
		os.Exit(1)
	}
}

func writeFile(csvPath, rawPath, out string, rn run) error {
	f, err := os.Open(csvPath)
	if err != nil {
		return err
	}
	defer f.Close()
	t, err := parseCSV(f)
	if err != nil {
		return fmt.Errorf("%s: %w", csvPath, err)
	}
	if rawPath != "" {
		raw, err := os.ReadFile(rawPath)
		if err != nil {
			return err
		}
		rn.Machine = parseRaw(bytes.NewReader(raw))
	}
	if rn.Machine.CPU == "" {
		rn.Machine.CPU = cpuModel()
	}
	var b bytes.Buffer
	if err := writeReport(&b, t, rn); err != nil {
		return err
	}
	return os.WriteFile(out, b.Bytes(), 0o644)
}

// cpuModel reads the CPU model on Linux when the benchmark output did not say.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
