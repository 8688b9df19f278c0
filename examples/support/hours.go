package main

import (
	"fmt"
	"time"
)

// hours are when the support team answers: from one whole hour to another on
// some weekdays, in the team's time zone. Times are compared on the local
// clock, so opening stays at 9:00 across daylight-saving changes.
type hours struct {
	loc      *time.Location
	from, to int // hours of the day, local: open from `from`:00 until `to`:00
	days     [7]bool
}

// weekdays9to5 is Monday to Friday, 9:00 to 17:00 in loc.
func weekdays9to5(loc *time.Location) hours {
	h := hours{loc: loc, from: 9, to: 17}
	for d := time.Monday; d <= time.Friday; d++ {
		h.days[d] = true
	}
	return h
}

// open reports whether someone is at work at t.
func (h hours) open(t time.Time) bool {
	t = t.In(h.loc)
	return h.days[t.Weekday()] && t.Hour() >= h.from && t.Hour() < h.to
}

// next returns when the team is next at work: t itself while it is open.
func (h hours) next(t time.Time) time.Time {
	if h.open(t) {
		return t
	}
	t = t.In(h.loc)
	// Eight days reach the same weekday a week on, so any schedule with a working
	// day is found; time.Date normalises the day overflow and applies each day's
	// own UTC offset.
	for d := range 8 {
		start := time.Date(t.Year(), t.Month(), t.Day()+d, h.from, 0, 0, 0, h.loc)
		if h.days[start.Weekday()] && start.After(t) {
			return start
		}
	}
	return time.Time{} // no working day at all
}

// String describes the hours for people, e.g. "Mon–Fri 9:00–17:00 Europe/Berlin".
func (h hours) String() string {
	first, last := -1, -1
	for d, on := range h.days {
		if on {
			if first < 0 {
				first = d
			}
			last = d
		}
	}
	if first < 0 {
		return "never"
	}
	day := func(d int) string { return time.Weekday(d).String()[:3] }
	return fmt.Sprintf("%s–%s %d:00–%d:00 %s", day(first), day(last), h.from, h.to, h.loc)
}
