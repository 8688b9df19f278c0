package messenger

import (
	"fmt"
	"math/rand/v2"
	"slices"
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

// Applying the coalesced actions gives, for every person and Page, the window
// applying them all gives, whatever their order and times, and lists short enough
// to be compared pairwise keep exactly the actions the map keeps.
func TestCoalesceActionsKeepsTheWindow(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	kinds := []store.ActionKind{store.ActionMessage, store.ActionAdClick, store.ActionPostback}
	type who struct{ page, user string }
	windows := func(as []store.WindowAction) map[who]store.Window {
		ws := map[who]store.Window{}
		for _, a := range as {
			k := who{a.Page, a.User}
			ws[k], _ = ws[k].Apply(a.Action)
		}
		return ws
	}
	rng := rand.New(rand.NewPCG(1, 2))
	lengths := map[bool]int{} // lists by whether they were compared pairwise
	for seed := range 2000 {
		// Lengths on both sides of coalesceScanMax; few people, Pages, kinds and
		// times, so that many actions share them.
		n := 1 + seed%(3*coalesceScanMax)
		as := make([]store.WindowAction, n)
		for i := range as {
			as[i] = store.WindowAction{
				Page: []string{"p", "q"}[rng.IntN(2)], User: []string{"u", "v", "w"}[rng.IntN(3)],
				Action: store.Action{Kind: kinds[rng.IntN(len(kinds))], At: t0.Add(time.Duration(rng.IntN(4)) * time.Second)},
			}
		}
		lengths[n > 1 && n <= coalesceScanMax]++
		got := coalesceActions(slices.Clone(as))
		if diff := cmp.Diff(windows(as), windows(got)); diff != "" {
			t.Fatalf("seed %d, %d actions: windows from coalesced actions (-all +coalesced):\n%s", seed, n, diff)
		}
		if byMap := keepActions(slices.Clone(as), coalesceByMap(as, make([]bool, len(as)))); !cmp.Equal(byMap, got) {
			t.Fatalf("seed %d, %d actions: coalesced (-by map +got):\n%s", seed, n, cmp.Diff(byMap, got))
		}
	}
	if lengths[true] == 0 || lengths[false] == 0 {
		t.Fatalf("lists compared pairwise and not: %v; want both", lengths)
	}
}

// BenchmarkCoalesceActions is the window actions of one delivery: n different
// people, each with one message (nothing to drop), or one person with n messages.
// Every action has strings of its own, as those parsed from a body do.
func BenchmarkCoalesceActions(b *testing.B) {
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for _, n := range []int{2, 8, 16, 17, 32} {
		for _, people := range []string{"distinct", "one-person"} {
			in := make([]store.WindowAction, n)
			for i := range in {
				user := 0
				if people == "distinct" {
					user = i
				}
				in[i] = store.WindowAction{
					Page: fmt.Sprint(106548437516743), User: fmt.Sprintf("74123456789%05d", user),
					Action: store.Action{Kind: store.ActionMessage, At: t0.Add(time.Duration(i) * time.Second)},
				}
			}
			buf := make([]store.WindowAction, n)
			b.Run(fmt.Sprintf("%s/%d", people, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					copy(buf, in)
					coalesceActions(buf)
				}
			})
		}
	}
}
