package main

import (
	"testing"
	"time"
)

func TestHours(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	h := weekdays9to5(berlin)
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		at       string
		open     bool
		nextOpen string
	}{
		{"2026-07-03 08:59", false, "2026-07-03 09:00"}, // Friday morning
		{"2026-07-03 09:00", true, "2026-07-03 09:00"},
		{"2026-07-03 16:59", true, "2026-07-03 16:59"},
		{"2026-07-03 17:00", false, "2026-07-06 09:00"}, // closing time: Monday
		{"2026-07-04 12:00", false, "2026-07-06 09:00"}, // Saturday
		{"2026-07-06 23:30", false, "2026-07-07 09:00"}, // Monday night
		// The clocks went forward on Sunday 2026-03-29: Monday still opens at 9:00
		// local time, which is 07:00 UTC instead of 08:00.
		{"2026-03-27 18:00", false, "2026-03-30 09:00"},
	} {
		now := at(tc.at)
		if got := h.open(now); got != tc.open {
			t.Errorf("open(%s) = %v, want %v", tc.at, got, tc.open)
		}
		if got, want := h.next(now), at(tc.nextOpen); !got.Equal(want) {
			t.Errorf("next(%s) = %s, want %s", tc.at, got, want)
		}
	}
	if got := h.next(at("2026-03-27 18:00")).UTC().Hour(); got != 7 {
		t.Errorf("after the spring change Monday opens at %d:00 UTC, want 7:00", got)
	}
	if got, want := h.String(), "Mon–Fri 9:00–17:00 Europe/Berlin"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}
