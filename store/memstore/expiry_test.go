package memstore

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestExpirySet(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := newExpirySet[string]()
	for i, k := range []string{"c", "a", "d", "b"} {
		s.set(k, t0.Add(time.Duration(i)*time.Second))
	}
	s.set("c", t0.Add(10*time.Second)) // moved last
	s.delete("d")
	s.delete("missing")
	if at, ok := s.get("c"); !ok || !at.Equal(t0.Add(10*time.Second)) {
		t.Errorf("get(c) = %v, %v", at, ok)
	}
	var dropped []string
	s.popExpired(t0.Add(3*time.Second), func(k string) { dropped = append(dropped, k) })
	if diff := cmp.Diff([]string{"a", "b"}, dropped); diff != "" {
		t.Errorf("popExpired (-want +got):\n%s", diff)
	}
	s.popExpired(t0.Add(10*time.Second), func(k string) { dropped = append(dropped, k) })
	if diff := cmp.Diff([]string{"a", "b", "c"}, dropped); diff != "" || s.len() != 0 {
		t.Errorf("popExpired at c's expiry (-want +got):\n%s; len %d", diff, s.len())
	}
}
