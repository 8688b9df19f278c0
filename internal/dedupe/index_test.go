package dedupe

import "testing"

// TestIndexRemoveKeepsProbeChains fills one run of slots that wraps the end of the
// table, removes records from it in every order of interest, and checks that the
// rest are still found from their homes.
func TestIndexRemoveKeepsProbeChains(t *testing.T) {
	home := func(slot int) uint64 { return uint64(slot) << 32 }
	// Records 0..5: three want slot 14, two want slot 15, one wants slot 0, in a
	// table of 16, so the run is 14, 15, 0, 1, 2, 3.
	hashes := []uint64{home(14), home(14), home(15), home(0), home(14), home(15)}
	for remove := range hashes {
		var x index
		x.reset(16)
		for p, h := range hashes {
			x.insert(h, p)
		}
		x.remove(hashes[remove], remove)
		x.remove(home(3), 99) // not there: a no-op
		for p, h := range hashes {
			got := x.find(h, func(q int) bool { return q == p })
			want := p
			if p == remove {
				want = -1
			}
			if got != want {
				t.Errorf("after removing %d: find(%d) = %d, want %d", remove, p, got, want)
			}
		}
	}
}
