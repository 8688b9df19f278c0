package filestore

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gomessenger/messenger/store"
)

// crashChildEnv, when set to a file path, turns TestCrashChild into the writer
// that TestKill9KeepsAcknowledgedWrites kills.
const crashChildEnv = "FILESTORE_CRASH_CHILD_PATH"

const (
	crashTokens     = 400  // more than the child can claim before it is killed
	crashKillAfter  = 150  // acknowledged inbox entries before the parent kills
	crashChildLimit = 5000 // the child stops by itself if nobody kills it
)

var crashNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// TestCrashChild is not a test on its own: run as a child process, it appends
// inbox entries and claims one-time tokens in a loop, and prints each write only
// after the store acknowledged it, until it is killed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("helper process of TestKill9KeepsAcknowledgedWrites")
	}
	s, err := Open(path, WithLockTimeout(10*time.Second))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	ctx := context.Background()
	for i := range crashChildLimit {
		id, err := s.Append(ctx, fmt.Appendf(nil, "entry-%d", i), crashNow)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		fmt.Printf("inbox %s entry-%d\n", id, i)
		tok, err := s.ClaimToken(ctx, store.TokenQuery{Page: "page", User: "user", Topic: "topic", Kind: store.OneTimeKind}, crashNow)
		if err == nil {
			fmt.Printf("token %s\n", tok.Value)
		}
	}
	os.Exit(0)
}

func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error { // one transaction: quicker than one PutToken each
		for i := range crashTokens {
			tok := store.Token{Value: fmt.Sprintf("tok-%04d", i), Kind: store.OneTimeKind, Page: "page", User: "user",
				Topic: "topic", IssuedAt: crashNow, ExpiresAt: crashNow.Add(time.Hour), State: store.TokenLive}
			if err := putToken(tx.Bucket(bucketTokens), &tokenRecord{Token: tok}); err != nil {
				return err
			}
			if err := tx.Bucket(bucketTokenIdx).Put(tokenIndexKey(tok), []byte(tok.Value)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ackedInbox := map[string]string{} // id → body
	ackedTokens := map[string]int{}
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 3 && f[0] == "inbox":
			if prev, dup := ackedInbox[f[1]]; dup {
				t.Errorf("inbox id %s acknowledged for %s and %s", f[1], prev, f[2])
			}
			ackedInbox[f[1]] = f[2]
		case len(f) == 2 && f[0] == "token":
			ackedTokens[f[1]]++
		case len(f) > 0 && f[0] == "error":
			t.Errorf("child: %s", sc.Text())
		}
		if !killed && len(ackedInbox) == crashKillAfter {
			// SIGKILL in the middle of the writes; keep reading what the child
			// printed before it died: those writes were acknowledged too.
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	werr := cmd.Wait()
	if !killed {
		t.Fatalf("child ended after %d writes before it could be killed: %v", len(ackedInbox), werr)
	}
	if werr == nil {
		t.Fatal("child exited cleanly; it should have been killed")
	}

	s, err = Open(path)
	if err != nil {
		t.Fatalf("reopen after kill -9: %v", err)
	}
	defer s.Close()
	err = s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("bbolt consistency check: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	ctx := t.Context()
	pending, err := s.Pending(ctx, crashNow.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]string{}
	bodies := map[string]bool{}
	for _, e := range pending {
		if bodies[string(e.Body)] {
			t.Errorf("body %s stored twice", e.Body)
		}
		bodies[string(e.Body)] = true
		stored[e.ID] = string(e.Body)
	}
	for id, body := range ackedInbox {
		if got, ok := stored[id]; !ok || got != body {
			t.Errorf("acknowledged inbox entry %s (%s) after reopen: %q, %v", id, body, got, ok)
		}
	}
	// At most the write in flight when the kill came is there unacknowledged.
	if extra := len(stored) - len(ackedInbox); extra < 0 || extra > 1 {
		t.Errorf("%d entries stored, %d acknowledged: want the same, or one more in flight", len(stored), len(ackedInbox))
	}

	toks, err := s.ListTokens(ctx, "page", "user")
	if err != nil {
		t.Fatal(err)
	}
	claimed := map[string]bool{}
	for _, tok := range toks {
		if tok.State == store.TokenClaimed {
			claimed[tok.Value] = true
			if tok.Uses != 1 {
				t.Errorf("token %s claimed with Uses %d, want 1", tok.Value, tok.Uses)
			}
		}
	}
	for v, n := range ackedTokens {
		if n != 1 {
			t.Errorf("token %s handed out %d times", v, n)
		}
		if !claimed[v] {
			t.Errorf("acknowledged claim of %s lost: the token is live again after the crash", v)
		}
	}
	if extra := len(claimed) - len(ackedTokens); extra < 0 || extra > 1 {
		t.Errorf("%d tokens claimed on disk, %d claims acknowledged: want the same, or one more in flight", len(claimed), len(ackedTokens))
	}
	t.Logf("killed after %d acknowledged entries and %d claims", len(ackedInbox), len(ackedTokens))
}
