package dedupe

// index finds records by the hash of their key: an open-addressing table with
// linear probing, kept at most half full. A slot holds the high 32 bits of the
// hash and the record's position plus one (0: empty), so probing compares hashes
// without touching the records, and deletion shifts later slots back instead of
// leaving tombstones.
type index struct {
	slots   []uint64
	mask    int
	touched uint64 // the last slot touch read, kept so that the read is made
}

func slotOf(h uint64, p int) uint64 { return h&^0xffffffff | uint64(p+1) }

func (x *index) home(h uint64) int { return int(h>>32) & x.mask }

// reset empties the table and sizes it for up to n/2 records (n rounded up to a
// power of two).
func (x *index) reset(n int) {
	size := 16
	for size < n {
		size *= 2
	}
	x.slots, x.mask = make([]uint64, size), size-1
}

// find returns the position of the record with hash h for which match is true,
// or -1.
func (x *index) find(h uint64, match func(p int) bool) int {
	if x.slots == nil {
		return -1
	}
	for i := x.home(h); ; i = (i + 1) & x.mask {
		s := x.slots[i]
		if s == 0 {
			return -1
		}
		if s>>32 == h>>32 && match(int(s&0xffffffff)-1) {
			return int(s&0xffffffff) - 1
		}
	}
}

// touch reads the home slot of hash h, to bring it into the cache ahead of use.
func (x *index) touch(h uint64) {
	if x.slots != nil {
		x.touched = x.slots[x.home(h)]
	}
}

// insert adds the record at position p with hash h.
func (x *index) insert(h uint64, p int) {
	i := x.home(h)
	for x.slots[i] != 0 {
		i = (i + 1) & x.mask
	}
	x.slots[i] = slotOf(h, p)
}

// remove deletes the record at position p with hash h, moving back the slots that
// probed past it so that every record stays reachable from its home.
func (x *index) remove(h uint64, p int) {
	want := slotOf(h, p)
	i := x.home(h)
	for x.slots[i] != want {
		if x.slots[i] == 0 {
			return
		}
		i = (i + 1) & x.mask
	}
	for j := (i + 1) & x.mask; x.slots[j] != 0; j = (j + 1) & x.mask {
		k := x.home(x.slots[j])
		// The slot at j may move to the hole at i when its home is not in (i, j].
		if (j > i && (k <= i || k > j)) || (j < i && k <= i && k > j) {
			x.slots[i] = x.slots[j]
			i = j
		}
	}
	x.slots[i] = 0
}
