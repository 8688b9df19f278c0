package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gomessenger/messenger/messengertest"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/filestore"
)

const broadcastAudience = `psid,first_name,last_message,optin
1254459154682901,Ada,1h,
1254459154682902,Grace,30h,restock
1254459154682903,Linus,,restock
1254459154682904,Ken,50h,
1254459154682905,Barbara,2h,restock
`

func writeAudience(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBroadcastDryRunPrintsThePlan(t *testing.T) {
	t.Parallel()
	aud := writeAudience(t, "people.csv", broadcastAudience)
	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	code, out, errOut := runArgs("broadcast", "--audience", aud, "--text", "Hi {first_name}, the kettle is back",
		"--topic", "restock", "--dry-run", "--audit", audit)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"plan: 5 recipients, 4 sendable, 1 skipped",
		"2  UPDATE",
		"2  one_time_notif_token/restock",
		"1  UPDATE: window.standard; one_time_notif_token/restock: token.none",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "in-process fake Graph server") || !strings.Contains(errOut, "5/5") {
		t.Errorf("stderr should say where it sends and show progress: %q", errOut)
	}
	f, err := os.Open(audit)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	states := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e struct{ State string }
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		states[e.State]++
	}
	if states["sendable"] != 4 || states["skipped"] != 1 {
		t.Errorf("audit states %v", states)
	}
}

func TestBroadcastSendsAndResumes(t *testing.T) {
	t.Parallel()
	aud := writeAudience(t, "people.jsonl", `{"psid":"1254459154682901","first_name":"Ada","last_message":"1h"}
{"psid":"1254459154682902","first_name":"Grace","last_message":"30h","optin":"restock"}
{"psid":"1254459154682902","first_name":"Grace again"}
{"psid":"1254459154682904","first_name":"Ken","last_message":"50h"}
`)
	journal := filepath.Join(t.TempDir(), "journal.jsonl")
	args := []string{"broadcast", "--audience", aud, "--text", "Hi {first_name}", "--topic", "restock", "--journal", journal}
	code, out, errOut := runArgs(args...)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"broadcast: 4 recipients, 2 sent, 1 skipped, 1 duplicate", "accepted 2 messages"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	// Running again resumes from the journal: nobody is sent to twice.
	code, out, errOut = runArgs(args...)
	if code != 0 {
		t.Fatalf("second run: exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"2 sent, 1 skipped, 1 duplicate (3 from earlier runs)", "accepted 0 messages"} {
		if !strings.Contains(out, want) {
			t.Errorf("second run: stdout lacks %q:\n%s", want, out)
		}
	}
}

func TestBroadcastMistakes(t *testing.T) {
	t.Parallel()
	csv := writeAudience(t, "a.csv", "psid\n1\n")
	txt := writeAudience(t, "a.txt", "1\n")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--text", "hi"}, 2, "--audience and --text are required"},
		{[]string{"--audience", csv}, 2, "--audience and --text are required"},
		{[]string{"--audience", txt, "--text", "hi"}, 2, "want a .csv or .jsonl file"},
		{[]string{"--audience", filepath.Join(t.TempDir(), "none.csv"), "--text", "hi"}, 2, "no such file"},
		{[]string{"--audience", csv, "--text", "hi", "--tag", "NOPE"}, 2, "--tag"},
		{[]string{"--audience", csv, "--text", "hi", "--tag", "HUMAN_AGENT", "--dry-run"}, 1, "HUMAN_AGENT is for replies a person writes"},
	}
	for _, tt := range tests {
		code, _, errOut := runArgs(append([]string{"broadcast"}, tt.args...)...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d mentioning %q", tt.args, code, errOut, tt.code, tt.want)
		}
	}
}

// TestBroadcastWithCredentials sends "for real" to a fake Graph server reached over
// the network, reading windows from a file store as a bot's webhook would leave it.
// It sets environment variables, so it does not run in parallel.
func TestBroadcastWithCredentials(t *testing.T) {
	srv := messengertest.NewServer(t)
	storePath := filepath.Join(t.TempDir(), "bot.db")
	st, err := filestore.Open(storePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"1254459154682901", "1254459154682902"} {
		if _, err := srv.User(id).Says("hi"); err != nil && !errors.Is(err, messengertest.ErrNoWebhook) {
			t.Fatal(err)
		}
		if err := st.RecordAction(context.Background(), srv.PageID(), id, store.Action{Kind: store.ActionMessage, At: srv.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	aud := writeAudience(t, "a.csv", "psid\n1254459154682901\n1254459154682902\n1254459154682903\n")

	t.Setenv(envPageToken, srv.PageToken())
	code, _, errOut := runArgs("broadcast", "--audience", aud, "--text", "hi")
	if code != 2 || !strings.Contains(errOut, envPageID) {
		t.Fatalf("without a Page id: exit %d, stderr %q", code, errOut)
	}
	t.Setenv(envPageID, srv.PageID())
	code, _, errOut = runArgs("broadcast", "--audience", aud, "--text", "hi")
	if code != 2 || !strings.Contains(errOut, "--store is required") {
		t.Fatalf("without a store: exit %d, stderr %q", code, errOut)
	}
	t.Setenv(envBaseURL, srv.URL)
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	code, out, errOut := runArgs("broadcast", "--audience", aud, "--text", "hi", "--store", storePath, "--journal", journal)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "broadcast: 3 recipients, 2 sent, 1 skipped") || strings.Contains(errOut, "fake") {
		t.Fatalf("stdout %q, stderr %q", out, errOut)
	}
	if n := len(srv.Sent()); n != 2 {
		t.Fatalf("the server accepted %d sends, want 2", n)
	}
}

// In fake mode the clock is the real time unless --now is given.
func TestBroadcastFakeClock(t *testing.T) {
	t.Parallel()
	aud := writeAudience(t, "a.csv", "psid,last_message\n1254459154682901,1h\n")
	for _, tt := range []struct {
		now    []string
		prefix func() string
	}{
		{nil, func() string { return time.Now().UTC().Format(time.DateOnly) }},
		{[]string{"--now", "2026-07-01"}, func() string { return "2026-07-01" }},
	} {
		audit := filepath.Join(t.TempDir(), "audit.jsonl")
		before := tt.prefix()
		code, _, errOut := runArgs(append([]string{"broadcast", "--audience", aud, "--text", "hi", "--audit", audit}, tt.now...)...)
		after := tt.prefix()
		if code != 0 {
			t.Fatalf("%q: exit %d, stderr %q", tt.now, code, errOut)
		}
		b, err := os.ReadFile(audit)
		if err != nil {
			t.Fatal(err)
		}
		var line struct{ At string }
		if err := json.Unmarshal(bytes.TrimSpace(b), &line); err != nil {
			t.Fatalf("audit %s: %v", b, err)
		}
		if !strings.HasPrefix(line.At, before) && !strings.HasPrefix(line.At, after) {
			t.Errorf("%q: the fake sent at %s, want the day %s", tt.now, line.At, before)
		}
	}
}
