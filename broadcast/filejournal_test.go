package broadcast_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gomessenger/messenger/broadcast"
)

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
