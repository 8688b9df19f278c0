package reliability

import (
	"runtime"
	"testing"
	"time"
)

// waitUntil polls cond (without sleeping: it yields and re-checks) until it holds
// or the deadline passes, and reports whether it held. Conditions here depend on
// other goroutines finishing (connection readers, handler workers), which no
// channel of ours can announce.
func waitUntil(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		runtime.Gosched()
	}
	return true
}

// checkNoGoroutineLeak fails t unless the goroutine count comes back to at most
// before (plus slack for runtime helpers) within ten seconds.
func checkNoGoroutineLeak(t *testing.T, before, slack int) {
	t.Helper()
	if !waitUntil(10*time.Second, func() bool { return runtime.NumGoroutine() <= before+slack }) {
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		t.Errorf("goroutines: %d before, %d after (slack %d); stacks:\n%s", before, runtime.NumGoroutine(), slack, buf[:n])
	}
}

// heapAlloc returns the live heap after a full collection.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
