package messenger

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// dedupeKey names an event so that a redelivery of it gets the same name: the message
// id for messages, echoes, postbacks and edits; the message id, action, person and time
// for reactions (so reacting again after an unreact counts); the Page, person and
// watermark for deliveries and reads; otherwise a hash of the Page and the item's exact
// bytes. Standby copies are keyed apart from messaging ones.
func dedupeKey(ev Event) string {
	in := ev.Info()
	sb := ""
	if in.Standby {
		sb = "s"
	}
	switch e := ev.(type) {
	case *MessageEvent:
		if e.Message.MID != "" {
			return sb + "message:" + e.Message.MID
		}
	case *EchoEvent:
		if e.Message.MID != "" {
			return sb + "echo:" + e.Message.MID
		}
	case *PostbackEvent:
		if e.MID != "" {
			return sb + "postback:" + e.MID
		}
	case *MessageEditEvent:
		if e.MID != "" {
			return sb + "edit:" + e.MID + ":" + strconv.FormatInt(e.NumEdit, 10)
		}
	case *ReactionEvent:
		if e.MID != "" {
			return sb + "reaction:" + e.MID + ":" + e.Action + ":" + e.Sender.key() + ":" + strconv.FormatInt(toMillis(e.Time), 10)
		}
	case *DeliveryEvent:
		return sb + "delivery:" + in.PageID + ":" + e.Sender.key() + ":" + strconv.FormatInt(toMillis(e.Watermark), 10)
	case *ReadEvent:
		return sb + "read:" + in.PageID + ":" + e.Sender.key() + ":" + strconv.FormatInt(toMillis(e.Watermark), 10)
	}
	h := fnv64a(fnvOffset, in.PageID)
	h = fnv64a(h, "\x00")
	if in.raw != "" {
		h = fnv64a(h, in.raw)
	} else if b, err := ev.MarshalJSON(); err == nil {
		h = fnv64a(h, string(b))
	}
	var buf [32]byte
	return string(strconv.AppendUint(append(append(buf[:0], sb...), "hash:"...), h, 16))
}

// FNV-1a, written out: hash/fnv's constructor returns an interface and allocates.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv64a(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// memoryDedupe is the default dedupe store: keys in a map with an expiry, bounded in
// size. Keys are evicted in insertion order once expired, or the oldest first when the
// bound is reached, so memory stays flat under any load. It does not survive a
// restart; use a durable store.Dedupe (with an inbox) for that.
type memoryDedupe struct {
	clock func() time.Time
	max   int

	mu      sync.Mutex
	seen    map[string]int64 // key → expiry, unix nanoseconds
	ring    []dedupeEntry    // insertion order
	head, n int
}

type dedupeEntry struct {
	key string
	exp int64
}

func newMemoryDedupe(clock func() time.Time, max int) *memoryDedupe {
	return &memoryDedupe{clock: clock, max: max, seen: make(map[string]int64)}
}

// FirstSeen implements store.Dedupe.
func (m *memoryDedupe) FirstSeen(_ context.Context, key string, ttl time.Duration) (bool, error) {
	now := m.clock().UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	if exp, ok := m.seen[key]; ok && exp > now {
		return false, nil
	}
	m.evict(now)
	exp := now + int64(ttl)
	m.seen[key] = exp
	m.push(dedupeEntry{key: key, exp: exp})
	return true, nil
}

// Forget implements store.Dedupe.
func (m *memoryDedupe) Forget(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.seen, key)
	m.mu.Unlock()
	return nil
}

// evict drops expired entries from the front, and the oldest one when full.
func (m *memoryDedupe) evict(now int64) {
	for m.n > 0 {
		e := m.ring[m.head]
		if e.exp > now && m.n < m.max {
			return
		}
		m.ring[m.head] = dedupeEntry{}
		m.head = (m.head + 1) % len(m.ring)
		m.n--
		if exp, ok := m.seen[e.key]; ok && exp == e.exp {
			delete(m.seen, e.key)
		}
	}
}

func (m *memoryDedupe) push(e dedupeEntry) {
	if m.n == len(m.ring) {
		nb := make([]dedupeEntry, max(1, min(m.max, max(64, 2*len(m.ring)))))
		for i := range m.n {
			nb[i] = m.ring[(m.head+i)%len(m.ring)]
		}
		m.ring, m.head = nb, 0
	}
	m.ring[(m.head+m.n)%len(m.ring)] = e
	m.n++
}
