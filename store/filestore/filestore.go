// Package filestore is the durable embedded [store.Store]: one file on local disk,
// no server, safe across crashes. It is the default when a bot is given a data
// directory.
//
// It is built on go.etcd.io/bbolt, chosen over the alternatives because it is pure
// Go (no cgo, unlike SQLite's C library), keeps everything in a single file that is
// a copy-on-write B+tree with checksummed meta pages (a crash at any instant leaves
// the last committed transaction, never a torn one), runs no background goroutines or
// compactions (unlike LSM stores such as Badger or Pebble, which also spread over a
// directory of files), serialises writers so a token claim is trivially atomic, and
// is small, mature and maintained as the storage of etcd.
//
// Every change is committed in a bbolt transaction synced to disk before the method
// returns: a claimed token stays claimed and an appended inbox entry stays appended
// through kill -9 or a power cut. Changes from concurrent goroutines share
// transactions (group commit), so the price is one fsync per batch rather than per
// call; reads, refused claims and duplicate dedupe keys do not write at all.
//
// One process opens a file at a time (bbolt takes an exclusive lock); a second
// Open of the same file waits up to the lock timeout and fails. For many processes
// sharing state, use the Redis store (module github.com/gomessenger/messenger/redisstore).
package filestore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/gomessenger/messenger/store"
)

// Store is a [store.Store] in one bbolt file. It is safe for concurrent use by many
// goroutines of one process.
type Store struct {
	db      *bolt.DB
	commits groupCommit
	path    string
	now     func() time.Time
	closed  atomic.Bool
}

var (
	_ store.Store       = (*Store)(nil)
	_ store.TopicTokens = (*Store)(nil)
)

// Option configures [Open]. Options check their argument: Open fails with an error
// naming the option instead of opening a store that misbehaves later.
type Option func(*config) error

type config struct {
	now         func() time.Time
	lockTimeout time.Duration
	mode        os.FileMode
}

// WithClock sets the clock the store reads to expire dedupe keys and windows
// (default time.Now). Tests pass a fake clock to move time instead of sleeping.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("filestore: WithClock: clock must not be nil")
		}
		c.now = now
		return nil
	}
}

// WithLockTimeout sets how long Open waits for another process to release the file
// (default 1 s) before it fails. Zero fails at once; a negative wait is an error.
func WithLockTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("filestore: WithLockTimeout: timeout must be at least 0, got %v", d)
		}
		c.lockTimeout = d
		return nil
	}
}

// WithFileMode sets the permissions of a file Open creates (default 0600: the file
// holds notification tokens and message bodies). The mode must be permission bits
// only (within 0777) and let the owner read and write.
func WithFileMode(mode os.FileMode) Option {
	return func(c *config) error {
		if mode&^os.ModePerm != 0 || mode&0o600 != 0o600 {
			return fmt.Errorf("filestore: WithFileMode: mode must be permission bits within 0777 with owner read and write, got %#o", uint32(mode))
		}
		c.mode = mode
		return nil
	}
}

// Open opens the store in the file at path, creating it if needed. Everything a
// previous Store wrote to the file, before Close or before a crash, is there.
func Open(path string, opts ...Option) (*Store, error) {
	cfg := config{now: time.Now, lockTimeout: time.Second, mode: 0o600}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("filestore: Open: nil Option")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if path == "" {
		return nil, &store.InputError{Op: "Open", Field: "path", Limit: "must not be empty", Value: `""`}
	}
	timeout := cfg.lockTimeout
	if timeout <= 0 {
		timeout = time.Nanosecond // bbolt treats zero as "wait forever"
	}
	db, err := bolt.Open(path, cfg.mode, &bolt.Options{Timeout: timeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("filestore: open %s: the file is locked by another process (waited %v)", path, cfg.lockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("filestore: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		switch v := meta.Get(keyVersion); {
		case v == nil:
			if err := meta.Put(keyVersion, []byte(formatVersion)); err != nil {
				return err
			}
		case string(v) != formatVersion:
			return fmt.Errorf("file format %q, this version reads %q", v, formatVersion)
		}
		if err := ensureTopicIndex(tx); err != nil {
			return err
		}
		return ensureInboxState(tx)
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("filestore: open %s: %w", path, err)
	}
	return &Store{db: db, path: path, now: cfg.now}, nil
}

// Path returns the file the store was opened on.
func (s *Store) Path() string { return s.path }

// Close waits for running calls and closes the file; every later call returns
// [store.ErrClosed]. Closing twice is harmless.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("filestore: close %s: %w", s.path, err)
	}
	return nil
}

// errUnchanged makes an Update roll back instead of committing (and syncing) when
// there is nothing to write.
var errUnchanged = errors.New("filestore: unchanged")

// update runs fn in a write transaction, grouped with the writes of other
// goroutines (see groupcommit.go); fn returning errUnchanged or store.ErrNoToken
// must have written nothing, and counts as success or that error.
func (s *Store) update(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	err := s.commits.do(s.db, fn)
	if errors.Is(err, errUnchanged) {
		return nil
	}
	return s.wrap(err)
}

func (s *Store) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.wrap(s.db.View(fn))
}

func (s *Store) check(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return ctx.Err()
}

// wrap maps bbolt's closed error to the store's and leaves the store's own errors
// as they are.
func (s *Store) wrap(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return store.ErrClosed
	case errors.Is(err, store.ErrNoToken), errors.Is(err, store.ErrInvalidInput):
		return err
	}
	return fmt.Errorf("filestore: %s: %w", s.path, err)
}
