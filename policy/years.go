package policy

import "time"

// The instants addYears computes itself: years 1 to 9999 UTC.
const (
	minFastUnix = -62135596800 // 0001-01-01T00:00:00Z
	maxFastUnix = 253402300799 // 9999-12-31T23:59:59Z
	maxFastAdd  = 10000
)

// addYears returns t.UTC().AddDate(years, 0, 0), the same instant and location,
// with the calendar arithmetic done on day numbers: AddDate normalises through
// time.Date and costs more than the rest of a one-time token's Check. Like AddDate,
// February 29 moved to a common year becomes March 1. Instants outside years
// 1–9999 and year counts outside 0–10000 take AddDate.
func addYears(t time.Time, years int) time.Time {
	sec := t.Unix()
	if years < 0 || years > maxFastAdd || sec < minFastUnix || sec > maxFastUnix {
		return t.UTC().AddDate(years, 0, 0)
	}
	days := sec / 86400 // floored, for instants before 1970
	if sec%86400 < 0 {
		days--
	}
	y, m, d := civilFromDays(days)
	// February 29 of a common year is numbered as the day after the 28th: March 1.
	return time.Unix(daysFromCivil(y+uint64(years), m, d)*86400+(sec-days*86400), int64(t.Nanosecond())).UTC()
}

// civilFromDays returns the proleptic Gregorian date of the day numbered days
// from 1970-01-01, for days from year 1 on (H. Hinnant's algorithm, with eras of
// 400 years starting on March 1). Unsigned, so the divisions by constants are
// cheap multiplications.
func civilFromDays(days int64) (y, m, d uint64) {
	z := uint64(days + 719468)
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

// daysFromCivil is the inverse of civilFromDays, for years from 1 on. A day past
// the end of its month counts on into the next.
func daysFromCivil(y, m, d uint64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := m - 3
	if m <= 2 {
		mp = m + 9
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097+doe) - 719468
}
