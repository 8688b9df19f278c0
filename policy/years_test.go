package policy

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestAddYearsIsAddDate compares addYears with AddDate, exactly (same instant, same
// location), on leap days, century years, both ends of the fast range and random
// instants in every zone the tests use.
func TestAddYearsIsAddDate(t *testing.T) {
	t.Parallel()
	ns := time.Nanosecond
	at := []time.Time{
		day(2024, 2, 29), day(2024, 2, 29).Add(-ns), day(2024, 3, 1).Add(-ns), day(2024, 2, 28),
		day(2000, 2, 29).Add(23*time.Hour + 59*time.Minute), day(1900, 2, 28), day(2100, 3, 1),
		day(1969, 12, 31).Add(23*time.Hour + ns), day(1970, 1, 1), day(1600, 2, 29), day(1, 1, 1),
		day(9999, 12, 31).Add(24*time.Hour - ns), day(10000, 1, 1), day(1, 1, 1).Add(-ns), {},
		T0, T0.In(jst), T0.In(est), day(2024, 2, 29).In(est),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	zones := []*time.Location{time.UTC, jst, est}
	for range 20000 {
		sec := minFastUnix - 86400 + rng.Int64N(maxFastUnix-minFastUnix+2*86400)
		at = append(at, time.Unix(sec, rng.Int64N(1e9)).In(zones[rng.IntN(len(zones))]))
	}
	for _, a := range at {
		for _, years := range []int{0, 1, 2, 3, 4, 100, 400, 9999, 10000, 10001, -1} {
			if got, want := addYears(a, years), a.UTC().AddDate(years, 0, 0); got != want {
				t.Fatalf("addYears(%v, %d) = %v, want %v", a, years, got, want)
			}
		}
	}
}
