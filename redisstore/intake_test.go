package redisstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gomessenger/messenger/redisstore"
	"github.com/gomessenger/messenger/store"
)

// Admit removes the finished entries it is given in its own script up to 256 of
// them; more are removed first by Complete's scripts (256 per script), so no
// script's work grows with the list. Either way all are removed.
func TestAdmitBoundsTheRemovalsPerScript(t *testing.T) {
	c := client(t)
	for _, tc := range []struct{ done, trips int }{
		{256, 1},
		{257, 1 + 2},
	} {
		t.Run(fmt.Sprint(tc.done), func(t *testing.T) {
			st := newStore(t, c, redisstore.WithPrefix(freshPrefix(t, c)))
			now := time.Now()
			lease := store.Lease{Owner: "a", Until: now.Add(time.Minute)}
			ids := make([]string, tc.done)
			for i := range ids {
				id, err := st.Append(t.Context(), []byte("b"), now, lease)
				if err != nil {
					t.Fatal(err)
				}
				ids[i] = id
			}
			// Redis learns both scripts first, so that each call below is one trip.
			warm, err := st.Admit(t.Context(), store.Delivery{Body: []byte("warm"), Received: now, Lease: lease,
				Keys: []string{"warm"}, TTL: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Complete(t.Context(), []string{warm.ID}); err != nil {
				t.Fatal(err)
			}
			trips := &tripCounter{}
			st.Client().AddHook(trips)
			got, err := st.Admit(t.Context(), store.Delivery{Body: []byte("new"), Received: now, Lease: lease,
				Keys: []string{"k"}, TTL: time.Hour, Done: ids})
			if err != nil {
				t.Fatal(err)
			}
			if n := trips.n.Load(); n != int64(tc.trips) {
				t.Errorf("Admit with %d finished entries made %d round trips, want %d", tc.done, n, tc.trips)
			}
			es, err := st.Entries(t.Context(), store.InboxPending)
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != 1 || es[0].ID != got.ID {
				t.Errorf("pending after Admit: %d entries, want only the new one %q", len(es), got.ID)
			}
		})
	}
}
