package tags

import (
	"slices"
	"time"
)

// Lookup returns the catalogue entry of t. The entry is a copy: changing it changes
// nothing in the catalogue.
func Lookup(t Tag) (Info, bool) {
	i, ok := index[t]
	if !ok {
		return Info{}, false
	}
	return catalogue[i].clone(), true
}

// All returns every tag ever valid, with its entry: today's tags first, then
// NON_PROMOTIONAL_SUBSCRIPTION, then the tags retired on 2020-03-04 in alphabetical
// order. The entries are copies.
func All() []Info {
	out := make([]Info, len(catalogue))
	for i, info := range catalogue {
		out[i] = info.clone()
	}
	return out
}

// ValidAt returns the tags the platform accepts at the instant at, in alphabetical
// order.
func ValidAt(at time.Time) []Tag {
	var out []Tag
	for _, info := range catalogue {
		if info.ValidAt(at) {
			out = append(out, info.Tag)
		}
	}
	slices.Sort(out)
	return out
}

// ReplacementsAt returns the tags to use instead of t at the instant at: t itself if
// it is valid then, else its replacements that are valid then, following the chain
// of replacements (SHIPPING_UPDATE → POST_PURCHASE_UPDATE → …). The result is empty
// when nothing in the catalogue replaces t at that time; [Info.ReplacementNote] then
// says what does.
func ReplacementsAt(t Tag, at time.Time) []Tag {
	var out []Tag
	seen := map[Tag]bool{}
	var walk func(Tag)
	walk = func(t Tag) {
		if seen[t] {
			return
		}
		seen[t] = true
		i, ok := index[t]
		if !ok {
			return
		}
		if catalogue[i].ValidAt(at) {
			out = append(out, t)
			return
		}
		for _, r := range catalogue[i].Replacements {
			walk(r)
		}
	}
	walk(t)
	return out
}
