package main

import (
	"testing"
	"time"
)

func TestParseInstant(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 7, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		raw  string
		want time.Time
	}{
		{"2026-07-01T12:00:00Z", time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)},
		{"2026-07-01", time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)},
		{"25h", now.Add(-25 * time.Hour)},
		{"3d", now.AddDate(0, 0, -3)},
		{"1d12h", now.Add(-36 * time.Hour)},
		{"8d ago", now.AddDate(0, 0, -8)},
		{"90m", now.Add(-90 * time.Minute)},
	}
	for _, tt := range tests {
		got, err := parseInstant(tt.raw, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseInstant(%q) = %v, %v; want %v", tt.raw, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "soon", "-3h", "3days", "d", "3d-1h", "2026-13-01"} {
		if _, err := parseInstant(bad, now); err == nil {
			t.Errorf("parseInstant(%q) accepted", bad)
		}
	}
}
