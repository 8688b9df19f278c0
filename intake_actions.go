package messenger

import "github.com/gomessenger/messenger/store"

// coalesceActions drops the window actions of a delivery that cannot change the
// window: of the actions of one person towards one Page of one kind, only the
// latest (the first of equal times) can, since a window keeps the latest action of
// any kind, the latest message and the latest ad click (store.Window.Apply). The
// kept actions stay in their order, so applying them gives the window applying all
// would. A batch of many messages from one person then records one action, not one
// per message. It reuses as's array.
func coalesceActions(as []store.WindowAction) []store.WindowAction {
	if len(as) < 2 {
		return as
	}
	type who struct {
		page, user string
		kind       store.ActionKind
	}
	// best[k] is the index of the action kept for k so far.
	best := make(map[who]int, len(as))
	keep := make([]bool, len(as))
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
	out := as[:0]
	for i, a := range as {
		if keep[i] {
			out = append(out, a)
		}
	}
	return out
}
