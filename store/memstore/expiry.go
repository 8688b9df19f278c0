package memstore

import (
	"container/heap"
	"time"
)

// expirySet maps keys to expiry times and finds the soonest one in O(log n), so the
// memory store can evict expired keys as it goes, without a goroutine.
type expirySet[K comparable] struct {
	items []*expiryItem[K]
	index map[K]*expiryItem[K]
}

type expiryItem[K comparable] struct {
	key K
	at  time.Time
	pos int
}

func newExpirySet[K comparable]() *expirySet[K] {
	return &expirySet[K]{index: make(map[K]*expiryItem[K])}
}

// get returns the expiry of key.
func (s *expirySet[K]) get(key K) (time.Time, bool) {
	it, ok := s.index[key]
	if !ok {
		return time.Time{}, false
	}
	return it.at, true
}

// set records or moves the expiry of key.
func (s *expirySet[K]) set(key K, at time.Time) {
	if it, ok := s.index[key]; ok {
		it.at = at
		heap.Fix((*expiryHeap[K])(s), it.pos)
		return
	}
	it := &expiryItem[K]{key: key, at: at}
	s.index[key] = it
	heap.Push((*expiryHeap[K])(s), it)
}

// delete forgets key.
func (s *expirySet[K]) delete(key K) {
	if it, ok := s.index[key]; ok {
		heap.Remove((*expiryHeap[K])(s), it.pos)
	}
}

func (s *expirySet[K]) len() int { return len(s.items) }

// popExpired removes every key that expired at or before now and calls drop for each.
func (s *expirySet[K]) popExpired(now time.Time, drop func(K)) {
	for len(s.items) > 0 && !s.items[0].at.After(now) {
		it := heap.Pop((*expiryHeap[K])(s)).(*expiryItem[K])
		drop(it.key)
	}
}

// expiryHeap is the container/heap view of an expirySet.
type expiryHeap[K comparable] expirySet[K]

func (h *expiryHeap[K]) Len() int           { return len(h.items) }
func (h *expiryHeap[K]) Less(i, j int) bool { return h.items[i].at.Before(h.items[j].at) }
func (h *expiryHeap[K]) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].pos = i
	h.items[j].pos = j
}

func (h *expiryHeap[K]) Push(x any) {
	it := x.(*expiryItem[K])
	it.pos = len(h.items)
	h.items = append(h.items, it)
}

func (h *expiryHeap[K]) Pop() any {
	n := len(h.items) - 1
	it := h.items[n]
	h.items[n] = nil
	h.items = h.items[:n]
	delete(h.index, it.key)
	return it
}
