package filestore

import (
	"errors"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/gomessenger/messenger/store"
)

// groupCommit runs the writes of concurrent goroutines in shared transactions, so
// one fsync covers many of them: a webhook handling many deliveries at once pays
// for one disk sync per batch, not per call. A lone caller pays nothing extra: it
// commits at once, as db.Update would. (bbolt's own DB.Batch waits up to a delay
// for company, which a lone caller would pay on every write.)
//
// The first caller becomes the leader and runs every queued write in one
// transaction. Callers that queue meanwhile wait; when the leader's batch is
// committed it wakes them, and hands leadership to the first of any that queued
// during the commit, so no caller works for others for long.
type groupCommit struct {
	mu      sync.Mutex
	queue   []*commitCall
	leading bool
}

type commitCall struct {
	fn       func(*bolt.Tx) error
	err      error
	finished bool
	wake     chan struct{} // closed when finished, or when promoted to leader
}

// benign errors come from writes that decided to write nothing; the rest of the
// batch may commit around them.
func benign(err error) bool {
	return errors.Is(err, errUnchanged) || errors.Is(err, store.ErrNoToken)
}

// do runs fn in a write transaction of db, possibly shared with other calls, and
// returns fn's error or the transaction's.
func (g *groupCommit) do(db *bolt.DB, fn func(*bolt.Tx) error) error {
	c := &commitCall{fn: fn, wake: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if !lead {
		<-c.wake
	}
	if !c.finished { // first in, or promoted by the previous leader
		g.lead(db, c)
	}
	return c.err
}

// lead commits everything queued, then passes leadership on.
func (g *groupCommit) lead(db *bolt.DB, own *commitCall) {
	g.mu.Lock()
	batch := g.queue
	g.queue = nil
	g.mu.Unlock()

	run(db, batch)
	for _, c := range batch {
		c.finished = true
		if c != own {
			close(c.wake)
		}
	}

	g.mu.Lock()
	if len(g.queue) == 0 {
		g.leading = false
		g.mu.Unlock()
		return
	}
	next := g.queue[0]
	g.mu.Unlock()
	close(next.wake) // not finished: it wakes as the leader
}

// run commits batch in one transaction. If a write fails (not benignly) or the
// commit does, nothing of the batch was written; each write then runs on its own,
// so one failing call cannot fail the others.
func run(db *bolt.DB, batch []*commitCall) {
	err := db.Update(func(tx *bolt.Tx) error {
		wrote := false
		for _, c := range batch {
			c.err = c.fn(tx)
			if c.err != nil && !benign(c.err) {
				return c.err
			}
			wrote = wrote || c.err == nil
		}
		if !wrote {
			return errUnchanged // roll back: a commit would sync the disk for nothing
		}
		return nil
	})
	if err == nil || errors.Is(err, errUnchanged) {
		return
	}
	if len(batch) == 1 {
		batch[0].err = err
		return
	}
	for _, c := range batch {
		c.err = db.Update(c.fn)
	}
}
