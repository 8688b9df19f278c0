package messenger

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
)

func TestCoalesceActions(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	act := func(page, user string, kind store.ActionKind, sec int) store.WindowAction {
		return store.WindowAction{Page: page, User: user, Action: store.Action{Kind: kind, At: t0.Add(time.Duration(sec) * time.Second)}}
	}
	msg, ad, pb := store.ActionMessage, store.ActionAdClick, store.ActionPostback
	for _, tc := range []struct {
		name string
		in   []store.WindowAction
		want []store.WindowAction
	}{
		{"none", nil, nil},
		{"one", []store.WindowAction{act("p", "a", msg, 1)}, []store.WindowAction{act("p", "a", msg, 1)}},
		{
			"many messages of one person keep the latest",
			[]store.WindowAction{act("p", "a", msg, 1), act("p", "a", msg, 3), act("p", "a", msg, 2)},
			[]store.WindowAction{act("p", "a", msg, 3)},
		},
		{
			"equal times keep the first",
			[]store.WindowAction{act("p", "a", msg, 1), act("p", "a", msg, 1)},
			[]store.WindowAction{act("p", "a", msg, 1)},
		},
		{
			"kinds, people and Pages are kept apart, in order",
			[]store.WindowAction{
				act("p", "a", msg, 1), act("p", "a", ad, 1), act("p", "b", msg, 2), act("q", "a", msg, 0),
				act("p", "a", pb, 5), act("p", "a", msg, 4), act("p", "b", msg, 1),
			},
			[]store.WindowAction{
				act("p", "a", ad, 1), act("p", "b", msg, 2), act("q", "a", msg, 0), act("p", "a", pb, 5), act("p", "a", msg, 4),
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := coalesceActions(append([]store.WindowAction(nil), tc.in...))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("coalesceActions (-want +got):\n%s", diff)
			}
		})
	}
}

// Applying the coalesced actions gives the window applying them all gives, whatever
// their order and times.
func TestCoalesceActionsKeepsTheWindow(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	kinds := []store.ActionKind{store.ActionMessage, store.ActionAdClick, store.ActionPostback}
	for seed := range 500 {
		n := 1 + seed%9
		as := make([]store.WindowAction, n)
		for i := range as {
			// A small deterministic spread of kinds and times, with ties.
			v := (seed*31 + i*17) % 97
			as[i] = store.WindowAction{Page: "p", User: "u", Action: store.Action{Kind: kinds[v%3], At: t0.Add(time.Duration(v%4) * time.Second)}}
		}
		apply := func(as []store.WindowAction) store.Window {
			var w store.Window
			for _, a := range as {
				w, _ = w.Apply(a.Action)
			}
			return w
		}
		want := apply(as)
		got := apply(coalesceActions(append([]store.WindowAction(nil), as...)))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("seed %d: window from coalesced actions (-all +coalesced):\n%s", seed, diff)
		}
	}
}
