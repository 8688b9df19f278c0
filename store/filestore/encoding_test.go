package filestore

import (
	"bytes"
	"testing"
	"time"
)

func TestTimeKeyOrderAndRoundTrip(t *testing.T) {
	times := []time.Time{
		{},
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Unix(0, 0),
		time.Date(2026, 3, 1, 12, 0, 0, 1, time.UTC),
		time.Date(2026, 3, 1, 12, 0, 0, 2, time.FixedZone("x", 3600)).Add(time.Hour),
		time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for i, tm := range times {
		if got := parseTimeKey(timeKey(tm)); !got.Equal(tm) {
			t.Errorf("round trip of %v = %v", tm, got)
		}
		if i > 0 && bytes.Compare(timeKey(times[i-1]), timeKey(tm)) >= 0 {
			t.Errorf("timeKey(%v) does not sort before timeKey(%v)", times[i-1], tm)
		}
	}
	if !parseTimeKey(timeKey(time.Time{})).IsZero() {
		t.Error("the zero time does not come back as zero")
	}
}

func TestPageUserKeyIsUnambiguous(t *testing.T) {
	if bytes.Equal(pageUserKey("ab", "c"), pageUserKey("a", "bc")) {
		t.Error(`("ab","c") and ("a","bc") share a key`)
	}
	if bytes.HasPrefix(pageUserKey("p", "u1"), pageUserKey("p", "u")) {
		t.Error(`the key of ("p","u") is a prefix of ("p","u1"): a prefix scan would mix them`)
	}
}
