package messenger

import "github.com/gomessenger/messenger/store"

// coalesceScanMax is the longest list of actions coalesceActions compares pairwise;
// longer lists go through a map. A delivery usually holds a few events, and up to
// about this many the pairwise comparisons cost less than hashing every action
// into a map (BenchmarkCoalesceActions), which above 8 entries also allocates.
const coalesceScanMax = 16

// coalesceActions drops the window actions of a delivery that cannot change the
// window: of the actions of one person towards one Page of one kind, only the
// latest (the first of equal times) can, since a window keeps the latest action of
// any kind, the latest message and the latest ad click (store.Window.Apply). The
// kept actions stay in their order, so applying them gives the window applying all
// would. A batch of many messages from one person then records one action, not one
// per message. It reuses as's array.
func coalesceActions(as []store.WindowAction) []store.WindowAction {
	switch {
	case len(as) < 2:
		return as
	case len(as) <= coalesceScanMax:
		var keep [coalesceScanMax]bool
		return keepActions(as, coalesceByScan(as, keep[:len(as)]))
	default:
		return keepActions(as, coalesceByMap(as, make([]bool, len(as))))
	}
}

// coalesceByScan sets keep[i] for the actions of as that no other beats: none of
// the same person, Page and kind is later, and none before it is as late. keep
// has as's length.
func coalesceByScan(as []store.WindowAction, keep []bool) []bool {
	for i := range keep {
		keep[i] = true
	}
	for i := range as {
		a := &as[i]
		for j := i + 1; j < len(as); j++ {
			b := &as[j]
			// The person first: it is what tells the actions of a delivery apart.
			if a.User != b.User || a.Action.Kind != b.Action.Kind || a.Page != b.Page {
				continue
			}
			if b.Action.At.After(a.Action.At) {
				keep[i] = false
			} else {
				keep[j] = false
			}
		}
	}
	return keep
}

// coalesceByMap is coalesceByScan in one pass, with a map from person, Page and
// kind to the action kept for them so far.
func coalesceByMap(as []store.WindowAction, keep []bool) []bool {
	type who struct {
		page, user string
		kind       store.ActionKind
	}
	best := make(map[who]int, len(as))
	for i, a := range as {
		k := who{a.Page, a.User, a.Action.Kind}
		j, seen := best[k]
		if !seen || a.Action.At.After(as[j].Action.At) {
			if seen {
				keep[j] = false
			}
			best[k] = i
			keep[i] = true
		}
	}
	return keep
}

// keepActions moves the actions of as marked in keep to its front, in order, and
// returns them.
func keepActions(as []store.WindowAction, keep []bool) []store.WindowAction {
	out := as[:0]
	for i, a := range as {
		if keep[i] {
			out = append(out, a)
		}
	}
	return out
}
