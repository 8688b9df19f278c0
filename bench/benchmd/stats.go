package main

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// stat is one benchstat summary: the center (median) and its confidence interval
// as benchstat prints it ("± 3%", "∞" when too few samples).
type stat struct {
	Value float64
	CI    string
}

// table is benchstat's CSV output for one input file: unit → benchmark → stat.
// Benchmark names are without the "Benchmark" prefix and the -GOMAXPROCS suffix;
// those of a package other than the bench module's own start with the last
// element of its path and a colon ("redisstore:WebhookIntake/events=1").
type table map[string]map[string]stat

var procSuffix = regexp.MustCompile(`-\d+$`)

// benchPkg is the bench module's package, whose benchmark names stay as they are.
const benchPkg = "github.com/gomessenger/messenger/bench"

// parseCSV reads `benchstat -format csv` of a single input file: blocks of
//
//	,<file>,
//	,<unit>,CI
//	<name>,<value>,<ci>
//	geomean,<value>,
//
// separated by blank lines, each package's blocks after a "pkg: <path>" line when
// the input holds more than the bench module's benchmarks.
func parseCSV(r io.Reader) (table, error) {
	t := table{}
	var unit, prefix string
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Split(sc.Text(), ",")
		switch {
		case len(fields) < 2 || strings.TrimSpace(sc.Text()) == "":
			unit = ""
			if pkg, ok := strings.CutPrefix(sc.Text(), "pkg: "); ok {
				prefix = ""
				if pkg != benchPkg {
					prefix = path.Base(pkg) + ":"
				}
			}
		case fields[0] == "" && len(fields) >= 3 && fields[2] == "CI":
			unit = fields[1]
			if t[unit] == nil {
				t[unit] = map[string]stat{}
			}
		case fields[0] == "" || fields[0] == "geomean":
		case unit == "":
			return nil, fmt.Errorf("line %d: a row before any unit header: %q", line, sc.Text())
		default:
			v, err := strconv.ParseFloat(fields[1], 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: value %q of %s: %w", line, fields[1], fields[0], err)
			}
			ci := ""
			if len(fields) > 2 {
				ci = fields[2]
			}
			t[unit][prefix+procSuffix.ReplaceAllString(fields[0], "")] = stat{Value: v, CI: ci}
		}
	}
	return t, sc.Err()
}

// get returns the stat of a benchmark in a unit.
func (t table) get(unit, name string) (stat, bool) {
	s, ok := t[unit][name]
	return s, ok
}

// machine is what the raw `go test -bench` output says about where it ran.
type machine struct {
	GOOS, GOARCH, CPU string
}

// parseRaw reads the goos/goarch/cpu header lines of raw benchmark output.
func parseRaw(r io.Reader) machine {
	var m machine
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ": ")
		if !ok {
			continue
		}
		switch k {
		case "goos":
			m.GOOS = v
		case "goarch":
			m.GOARCH = v
		case "cpu":
			m.CPU = v
		}
	}
	return m
}
