// Package dedupe holds the in-memory dedupe store: the webhook's default and the
// dedupe part of store/memstore's Store are both this one implementation.
package dedupe

import (
	"context"
	"errors"
	"hash/maphash"
	"math"
	"sync"
	"time"
)

// dead marks a record whose key was forgotten or recorded again after it expired.
// It is below every clock reading, so dead records leave the queue like expired ones.
const dead = math.MinInt64

// maxKeyBytes bounds the buffer of key bytes: offsets into it are 32 bits.
const maxKeyBytes = math.MaxUint32

// Memory remembers keys for a time, at most a fixed number of them, in process
// memory. It is safe for concurrent use; of concurrent FirstSeen calls with one key,
// exactly one reports true.
//
// Records form a queue in the order they were made. Eviction has one rule: a record
// leaves from the front of the queue, when it has expired (or its key was forgotten)
// or when the store holds its maximum and room is needed, so the oldest record goes
// first. Expired records are dropped as calls come, without a goroutine; a record
// that expired behind a younger one with a longer TTL is no longer seen but keeps its
// place (and its room) until it reaches the front.
//
// Each record costs its key's bytes plus about 40 bytes, in memory the garbage
// collector does not scan: keys are copied into one byte buffer used as a ring in
// queue order, records live in a ring of fixed-size entries (each with the half of
// its key's hash the index keeps), and an open-addressing table of 64-bit slots
// (half full at most) finds a key by a seeded hash. Recording a new key is O(1)
// amortised; at the limit it reads two slots at random places of the table, the
// new key's and the evicted one's, and loads them together.
type Memory struct {
	clock func() time.Time
	max   int
	seed  maphash.Seed

	// colliding gives every key the same hash in the index, for tests.
	colliding bool

	mu   sync.Mutex
	ents []entry // the queue, a ring: ents[head] is the oldest record
	// hashes holds, beside each entry, the high half of its key's hash: what the
	// index compares. Evicting a record needs it to find the record's slot, and
	// reading it here is cheaper than hashing the key again.
	hashes []uint32
	head   int
	n      int
	index  index  // key hash → position in ents, for records that are not dead
	keys   []byte // key bytes, a ring in queue order
	tail   int    // where the next key's bytes go in keys
}

// entry is one record.
type entry struct {
	exp int64  // unix nanoseconds when the key expires; dead when forgotten
	off uint32 // the key is keys[off : off+len]
	len uint32
}

// New returns an empty store that reads clock for expiry and holds at most limit
// records (at least 1). Memory is taken as records come, not up front.
func New(clock func() time.Time, limit int) *Memory {
	return &Memory{clock: clock, max: max(1, limit), seed: maphash.MakeSeed()}
}

var errEmptyKey = errors.New("dedupe: key is empty")

// FirstSeen records key until ttl from the clock's now and reports true, unless key
// is already recorded and unexpired, when it reports false and changes nothing.
func (m *Memory) FirstSeen(_ context.Context, key string, ttl time.Duration) (bool, error) {
	if key == "" {
		return false, errEmptyKey
	}
	now := m.clock().UnixNano()
	exp := now + int64(ttl)
	if ttl > 0 && exp < now {
		exp = math.MaxInt64
	}
	h := m.hash(key)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.n == m.max {
		// The front record will most likely make room. Loading its slot now, before
		// the lookup of key, lets the two cache misses at random places of the
		// index overlap instead of following one another.
		m.index.touch(m.hashOf(m.head))
	}
	m.dropExpired(now)
	if p := m.find(h, key); p >= 0 {
		if m.ents[p].exp > now {
			return false, nil
		}
		m.kill(h, p)
	}
	if m.n == m.max {
		m.pop()
	}
	m.push(h, key, exp)
	return true, nil
}

// Forget removes key; a key not recorded is not an error.
func (m *Memory) Forget(_ context.Context, key string) error {
	h := m.hash(key)
	m.mu.Lock()
	defer m.mu.Unlock()
	if p := m.find(h, key); p >= 0 {
		m.kill(h, p)
	}
	return nil
}

// hash is key's seeded hash.
func (m *Memory) hash(key string) uint64 {
	if m.colliding {
		return 0
	}
	return maphash.String(m.seed, key)
}

// hashOf is the hash, as far as the index keeps it, of the record at p.
func (m *Memory) hashOf(p int) uint64 { return uint64(m.hashes[p]) << 32 }

// Len counts the keys recorded and unexpired now, after dropping expired records
// from the front; it reads every record.
func (m *Memory) Len() int {
	now := m.clock().UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dropExpired(now)
	live := 0
	for i := range m.n {
		if m.ents[m.at(i)].exp > now {
			live++
		}
	}
	return live
}

// at is the position in ents of the i-th record from the front.
func (m *Memory) at(i int) int {
	p := m.head + i
	if p >= len(m.ents) {
		p -= len(m.ents)
	}
	return p
}

func (m *Memory) key(e entry) []byte { return m.keys[e.off : e.off+e.len] }

func (m *Memory) find(h uint64, key string) int {
	return m.index.find(h, func(p int) bool { return string(m.key(m.ents[p])) == key })
}

// kill takes the record at p out of the index; it stays in the queue until it
// reaches the front.
func (m *Memory) kill(h uint64, p int) {
	m.index.remove(h, p)
	m.ents[p].exp = dead
}

// dropExpired pops records from the front while they are expired or dead.
func (m *Memory) dropExpired(now int64) {
	for m.n > 0 && m.ents[m.head].exp <= now {
		m.pop()
	}
}

// pop drops the record at the front of the queue.
func (m *Memory) pop() {
	if m.ents[m.head].exp != dead {
		m.index.remove(m.hashOf(m.head), m.head)
	}
	m.ents[m.head] = entry{}
	m.head = m.at(1)
	m.n--
	if m.n == 0 {
		m.head, m.tail = 0, 0
	}
}

// push records key at the back of the queue. The caller has made sure the queue
// is below its maximum.
func (m *Memory) push(h uint64, key string, exp int64) {
	if m.n == len(m.ents) {
		m.growEntries()
	}
	off := m.place(len(key))
	copy(m.keys[off:], key)
	p := m.at(m.n)
	m.ents[p] = entry{exp: exp, off: uint32(off), len: uint32(len(key))}
	m.hashes[p] = uint32(h >> 32)
	m.n++
	m.index.insert(h, p)
}

// growEntries doubles the ring of records (up to max) and rebuilds the index for
// the new positions.
func (m *Memory) growEntries() {
	size := min(m.max, max(16, 2*len(m.ents)))
	ents, hashes := make([]entry, size), make([]uint32, size)
	for i := range m.n {
		ents[i], hashes[i] = m.ents[m.at(i)], m.hashes[m.at(i)]
	}
	m.ents, m.hashes, m.head = ents, hashes, 0
	m.index.reset(2 * size)
	for p := range m.n {
		if m.ents[p].exp != dead {
			m.index.insert(m.hashOf(p), p)
		}
	}
}

// place returns where n bytes of a new key go in the ring of key bytes, making room
// when there is none: by growing the buffer, or past maxKeyBytes by dropping the
// oldest records.
func (m *Memory) place(n int) int {
	for {
		if m.n == 0 {
			m.tail = 0
		}
		if off, ok := m.fit(n); ok {
			m.tail = off + n
			return off
		}
		if m.n > 0 && len(m.keys)+len(m.keys)/4 > maxKeyBytes {
			m.pop()
			continue
		}
		m.growKeys(n)
	}
}

// fit finds room for n bytes at the tail of the ring of key bytes. The bytes in use
// run from the front record's offset to the tail, wrapping once; keys are never
// split, so a key that does not fit before the end of the buffer starts again at 0.
func (m *Memory) fit(n int) (int, bool) {
	if m.n == 0 {
		return 0, n <= len(m.keys)
	}
	front := int(m.ents[m.head].off)
	if m.tail > front { // not wrapped: free at the end and before the front
		if len(m.keys)-m.tail >= n {
			return m.tail, true
		}
		return 0, n <= front
	}
	return m.tail, front-m.tail >= n // wrapped: free between tail and front
}

// growKeys moves the key bytes, in queue order, into a buffer a quarter larger
// (at least 4 KiB, and room for n more bytes).
func (m *Memory) growKeys(n int) {
	used := 0
	for i := range m.n {
		used += int(m.ents[m.at(i)].len)
	}
	size := max(4096, len(m.keys)+len(m.keys)/4, used+n)
	keys := make([]byte, size)
	w := 0
	for i := range m.n {
		p := m.at(i)
		e := m.ents[p]
		copy(keys[w:], m.key(e))
		m.ents[p].off = uint32(w)
		w += int(e.len)
	}
	m.keys, m.tail = keys, w
}
