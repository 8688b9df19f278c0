package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// parseNow reads an instant given on the command line: an RFC 3339 time, or a date
// (2026-07-01), meaning its midnight UTC.
func parseNow(raw string) (time.Time, bool) {
	raw = strings.TrimSpace(raw)
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.DateOnly, raw); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// parseInstant reads an instant as parseNow does, or a duration before now: a Go
// duration (25h, 90m) optionally led by whole days (3d, 1d12h), optionally followed
// by " ago".
func parseInstant(raw string, now time.Time) (time.Time, error) {
	if t, ok := parseNow(raw); ok {
		return t, nil
	}
	d, ok := parseAgo(raw)
	if !ok {
		return time.Time{}, fmt.Errorf("want an RFC 3339 time (2026-07-01T12:00:00Z), a date (2026-07-01) or a duration ago (25h, 3d), got %q", raw)
	}
	return now.Add(-d), nil
}

var daysPrefix = regexp.MustCompile(`^([0-9]+)d`)

// parseAgo reads a non-negative duration with an optional leading count of days.
func parseAgo(raw string) (time.Duration, bool) {
	s := strings.TrimSuffix(strings.TrimSpace(raw), " ago")
	var d time.Duration
	if m := daysPrefix.FindStringSubmatch(s); m != nil {
		days, err := strconv.Atoi(m[1])
		if err != nil || days > 100*365 {
			return 0, false
		}
		d = time.Duration(days) * 24 * time.Hour
		s = s[len(m[0]):]
		if s == "" {
			return d, true
		}
	}
	rest, err := time.ParseDuration(s)
	if err != nil || rest < 0 {
		return 0, false
	}
	return d + rest, true
}
