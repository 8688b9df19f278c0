package broadcast_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/gomessenger/messenger/broadcast"
)

// journalContract runs the behaviour every Journal must have.
func journalContract(t *testing.T, j broadcast.Journal) {
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	_, ok, err := j.Get(ctx, "1")
	require.NoError(t, err)
	require.False(t, ok)

	claim := broadcast.Entry{PSID: "1", State: broadcast.StateClaimed, Run: "r1", At: at, Way: "UPDATE"}
	require.NoError(t, j.Put(ctx, claim))
	got, ok, err := j.Get(ctx, "1")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, claim, got)

	sent := broadcast.Entry{PSID: "1", State: broadcast.StateSent, Run: "r1", At: at.Add(time.Second), Way: "UPDATE", MessageID: "m_1", Attempts: 1}
	require.NoError(t, j.Put(ctx, sent))
	got, _, err = j.Get(ctx, "1")
	require.NoError(t, err)
	if diff := cmp.Diff(sent, got); diff != "" {
		t.Fatalf("newest entry (-want +got):\n%s", diff)
	}

	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 50 {
				id := fmt.Sprintf("%d%03d", w+2, i)
				if err := j.Put(ctx, broadcast.Entry{PSID: id, State: broadcast.StateClaimed, Run: "r1", At: at}); err != nil {
					panic(err)
				}
				if err := j.Put(ctx, broadcast.Entry{PSID: id, State: broadcast.StateFailed, Run: "r1", At: at, Code: 551, Reason: "unavailable"}); err != nil {
					panic(err)
				}
			}
		})
	}
	wg.Wait()
	got, ok, err = j.Get(ctx, "9049")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, broadcast.StateFailed, got.State)
	require.Equal(t, 551, got.Code)
}

func TestMemoryJournal(t *testing.T) {
	t.Parallel()
	j := broadcast.NewMemoryJournal()
	journalContract(t, j)
	require.Len(t, j.Entries(), 401)
	require.Equal(t, "1", j.Entries()[0].PSID)
}
