package messengertest

import (
	"net"
	"net/http"
	"sync"
)

// connTracker follows the server's connections through http.Server.ConnState so
// Close can drop the ones that carry no call. Shutdown treats a connection that was
// dialed but has not sent a request yet (StateNew) as busy for five seconds; clients
// that send concurrently routinely leave such connections behind, which made Close
// hang. Once closing, every connection that is or becomes new or idle is closed.
type connTracker struct {
	mu      sync.Mutex
	conns   map[net.Conn]http.ConnState
	closing bool
}

// track is the http.Server's ConnState hook.
func (t *connTracker) track(c net.Conn, st http.ConnState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch st {
	case http.StateClosed, http.StateHijacked:
		delete(t.conns, c)
		return
	}
	if t.closing && (st == http.StateNew || st == http.StateIdle) {
		delete(t.conns, c)
		_ = c.Close()
		return
	}
	if t.conns == nil {
		t.conns = map[net.Conn]http.ConnState{}
	}
	t.conns[c] = st
}

// closeQuiet starts closing: it closes the new and idle connections now and makes
// track close the others as soon as they become idle.
func (t *connTracker) closeQuiet() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closing = true
	for c, st := range t.conns {
		if st == http.StateNew || st == http.StateIdle {
			delete(t.conns, c)
			_ = c.Close()
		}
	}
}
