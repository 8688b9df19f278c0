package policy

import "github.com/gomessenger/messenger/tags"

// tagTable gives each tag that rules name its row of Rules.tagged. It is an
// open-addressing table, at most half full, probed from a hash of the tag's length
// and three of its bytes; a hit is confirmed by comparing the whole tag, so tags
// that share a hash only cost a longer probe. Every tagged Check looks its tag up
// here, for a fraction of what a map lookup costs.
type tagTable struct {
	slots []tagSlot // a power of two long
}

type tagSlot struct {
	tag tags.Tag
	row int // the row plus one; 0: empty
}

// tagHash mixes the length and the first, middle and last bytes of a non-empty tag.
func tagHash(t tags.Tag) uint {
	n := len(t)
	h := uint64(n)*0x9e3779b97f4a7c15 ^ uint64(t[0])<<8 ^ uint64(t[n/2])<<16 ^ uint64(t[n-1])<<24
	h *= 0xff51afd7ed558ccd
	return uint(h >> 32)
}

// newTagTable numbers named: named[i] gets row i. The tags are distinct and
// non-empty.
func newTagTable(named []tags.Tag) tagTable {
	if len(named) == 0 {
		return tagTable{}
	}
	size := 8
	for size < 2*len(named) {
		size *= 2
	}
	x := tagTable{slots: make([]tagSlot, size)}
	mask := uint(size - 1)
	for row, t := range named {
		i := tagHash(t) & mask
		for x.slots[i].row != 0 {
			i = (i + 1) & mask
		}
		x.slots[i] = tagSlot{tag: t, row: row + 1}
	}
	return x
}

// row returns the row of tag t; ok is false when no rule names t.
func (x *tagTable) row(t tags.Tag) (row int, ok bool) {
	if len(x.slots) == 0 || t == "" {
		return 0, false
	}
	mask := uint(len(x.slots) - 1)
	for i := tagHash(t) & mask; ; i = (i + 1) & mask {
		s := &x.slots[i]
		if s.row == 0 {
			return 0, false
		}
		if s.tag == t {
			return s.row - 1, true
		}
	}
}
