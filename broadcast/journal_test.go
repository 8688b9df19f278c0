package broadcast_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
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

func TestFileJournal(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, err := broadcast.OpenFileJournal(path)
	require.NoError(t, err)
	journalContract(t, j)
	require.NoError(t, j.Close())

	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the journal holds who was messaged: owner only")

	j, err = broadcast.OpenFileJournal(path)
	require.NoError(t, err)
	defer j.Close()
	require.Equal(t, 401, j.Len())
	got, ok, err := j.Get(context.Background(), "1")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "m_1", got.MessageID)
}

func TestFileJournalCutsTornLastLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "j.jsonl")
	good := `{"psid":"1","state":"sent","run":"r1","message_id":"m_1"}` + "\n"
	torn := `{"psid":"2","state":"clai`
	require.NoError(t, os.WriteFile(path, []byte(good+torn), 0o600))
	j, err := broadcast.OpenFileJournal(path)
	require.NoError(t, err)
	_, ok, err := j.Get(context.Background(), "2")
	require.NoError(t, err)
	require.False(t, ok, "a torn claim never returned from Put, so its send never started")
	require.NoError(t, j.Put(context.Background(), broadcast.Entry{PSID: "3", State: broadcast.StateSkipped, Run: "r2"}))
	require.NoError(t, j.Close())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, good+`{"psid":"3","state":"skipped","run":"r2"}`+"\n", string(b))
}

func TestFileJournalRefusesCorruption(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "j.jsonl")
	require.NoError(t, os.WriteFile(path, []byte("{\"psid\":\"1\",\"state\":\"sent\"}\nnot json\n{\"psid\":\"2\",\"state\":\"sent\"}\n"), 0o600))
	_, err := broadcast.OpenFileJournal(path)
	require.ErrorContains(t, err, "line 2 is not an entry")
}

func TestFileJournalLongLines(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, err := broadcast.OpenFileJournal(path)
	require.NoError(t, err)
	// Longer than the reader's buffer.
	long := broadcast.Entry{PSID: "1", State: broadcast.StateSkipped, Reason: fmt.Sprintf("%0*d", 600<<10, 7)}
	require.NoError(t, j.Put(context.Background(), long))
	require.NoError(t, j.Put(context.Background(), broadcast.Entry{PSID: "2", State: broadcast.StateSent}))
	require.NoError(t, j.Close())
	j, err = broadcast.OpenFileJournal(path)
	require.NoError(t, err)
	defer j.Close()
	got, ok, err := j.Get(context.Background(), "1")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, long.Reason, got.Reason)
	require.Equal(t, 2, j.Len())
}

func TestFileJournalIsExclusive(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("flock is Unix")
	}
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, err := broadcast.OpenFileJournal(path)
	require.NoError(t, err)
	_, err = broadcast.OpenFileJournal(path)
	require.ErrorContains(t, err, "in use by another process")
	require.NoError(t, j.Close())
	j, err = broadcast.OpenFileJournal(path)
	require.NoError(t, err, "closing releases the lock")
	require.NoError(t, j.Close())
}
