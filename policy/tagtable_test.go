package policy

import (
	"fmt"
	"testing"

	"github.com/gomessenger/messenger/tags"
	"github.com/google/go-cmp/cmp"
)

func TestTagTable(t *testing.T) {
	t.Parallel()
	// Same length, first, middle and last bytes: one hash, told apart by their bytes.
	var colliding []tags.Tag
	for c := 'A'; c <= 'L'; c++ {
		colliding = append(colliding, tags.Tag(fmt.Sprintf("X%cM%cX", c, 'Z'-(c-'A'))))
	}
	if tagHash(colliding[0]) != tagHash(colliding[1]) {
		t.Fatalf("%s and %s do not collide; the test needs them to", colliding[0], colliding[1])
	}
	var catalogue []tags.Tag
	for _, info := range tags.All() {
		catalogue = append(catalogue, info.Tag)
	}
	for name, named := range map[string][]tags.Tag{
		"none":      nil,
		"one":       {tags.HumanAgent},
		"catalogue": catalogue,
		"colliding": colliding,
		"mixed":     append(append([]tags.Tag{"B"}, colliding[:5]...), catalogue...),
	} {
		x := newTagTable(named)
		got, want := map[tags.Tag]int{}, map[tags.Tag]int{}
		for i, tag := range named {
			want[tag] = i
			if row, ok := x.row(tag); ok {
				got[tag] = row
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: rows (-want +got):\n%s", name, diff)
		}
		for _, tag := range []tags.Tag{"", "XAMZY", "XAMZ", "C", "HUMAN_AGENt", colliding[len(colliding)-1] + "X"} {
			if _, named := want[tag]; named {
				continue
			}
			if row, ok := x.row(tag); ok {
				t.Errorf("%s: row(%q) = %d, but no rule names it", name, tag, row)
			}
		}
	}
}
