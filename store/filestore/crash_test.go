package filestore

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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

// crashLease is the lease the child appends under; crashRelease is what it does
// next with entry i: every third entry fails once, every third goes to the dead
// letters, the rest stay as appended.
var crashLease = store.Lease{Owner: "child", Until: crashNow.Add(time.Minute)}

func crashRelease(i int) (store.Release, bool) {
	switch i % 3 {
	case 1:
		return store.Release{Failed: true, Reason: fmt.Sprintf("fail-%d", i), RetryAt: crashNow.Add(time.Second)}, true
	case 2:
		return store.Release{Failed: true, Reason: fmt.Sprintf("dead-%d", i), Dead: true}, true
	}
	return store.Release{}, false
}

// crashAppend appends entry i: by Append when i is even, by Admit, with a dedupe
// key and a window of its own, when i is odd.
func crashAppend(ctx context.Context, s *Store, i int) (string, error) {
	body := fmt.Appendf(nil, "entry-%d", i)
	if i%2 == 0 {
		return s.Append(ctx, body, crashNow, crashLease)
	}
	a, err := s.Admit(ctx, store.Delivery{Body: body, Received: crashNow, Lease: crashLease,
		Keys: []string{crashKey(i)}, TTL: time.Hour,
		Actions: []store.WindowAction{{Page: "page", User: crashUser(i), Action: store.Action{Kind: store.ActionMessage, At: crashNow}}},
	})
	if err == nil && a.ID == "" {
		err = fmt.Errorf("Admit of a new key appended nothing: %+v", a)
	}
	return a.ID, err
}

func crashKey(i int) string  { return fmt.Sprintf("mid-%d", i) }
func crashUser(i int) string { return fmt.Sprintf("user-%d", i) }

// TestCrashChild is not a test on its own: run as a child process, it appends
// inbox entries (half of them by Admit), releases some of them as failed or dead, and claims one-time
// tokens in a loop, and prints each write only after the store acknowledged it,
// until it is killed.
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
		id, err := crashAppend(ctx, s, i)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		fmt.Printf("inbox %s %d\n", id, i)
		if r, ok := crashRelease(i); ok {
			if err := s.Release(ctx, id, crashLease.Owner, r); err != nil {
				fmt.Println("error", err)
				os.Exit(2)
			}
			fmt.Printf("release %s\n", id)
		}
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
	ackedInbox := map[string]int{} // id → i of the child's loop
	ackedRelease := map[string]bool{}
	ackedTokens := map[string]int{}
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 3 && f[0] == "inbox":
			if prev, dup := ackedInbox[f[1]]; dup {
				t.Errorf("inbox id %s acknowledged for entries %d and %s", f[1], prev, f[2])
			}
			ackedInbox[f[1]], _ = strconv.Atoi(f[2])
		case len(f) == 2 && f[0] == "release":
			ackedRelease[f[1]] = true
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
	stored := map[string]store.InboxEntry{}
	latest := uint64(0)
	for _, state := range []store.InboxState{store.InboxPending, store.InboxDead} {
		es, err := s.Entries(ctx, state)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			stored[e.ID] = e
			seq, _ := strconv.ParseUint(e.ID, 10, 64)
			latest = max(latest, seq)
		}
	}
	// Each entry is as the child's acknowledged writes left it, except the latest,
	// which the write in flight when the kill came (its Append or its Release) may
	// have changed too, unacknowledged.
	for id, e := range stored {
		isLatest := id == strconv.FormatUint(latest, 10)
		i, acked := ackedInbox[id]
		if !acked {
			i = int(latest) - 1 // IDs count from 1, the child's loop from 0
		}
		appended := store.InboxEntry{ID: id, Body: fmt.Appendf(nil, "entry-%d", i), Received: crashNow,
			State: store.InboxPending, Owner: crashLease.Owner, LeaseUntil: crashLease.Until}
		released := appended
		r, releases := crashRelease(i)
		if releases {
			released.ApplyRelease(r)
		}
		var allowed []store.InboxEntry
		switch {
		case !acked && isLatest:
			allowed = []store.InboxEntry{appended}
		case acked && ackedRelease[id]:
			allowed = []store.InboxEntry{released}
		case acked:
			allowed = []store.InboxEntry{appended}
			if releases && isLatest {
				allowed = append(allowed, released)
			}
		}
		if !slices.ContainsFunc(allowed, func(w store.InboxEntry) bool { return cmp.Equal(w, e) }) {
			t.Errorf("inbox entry %s after reopen: %+v, want one of %+v", id, e, allowed)
		}
	}
	for id, i := range ackedInbox {
		if _, ok := stored[id]; !ok {
			t.Errorf("acknowledged inbox entry %s (entry-%d) lost after reopen", id, i)
		}
	}
	checkCrashAdmits(t, s, stored)

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

// checkCrashAdmits checks that every Admit of the child is on disk whole or not at
// all, acknowledged or not: an entry it appended has its key and its window, and a
// key it remembered has its entry (the child completes none).
func checkCrashAdmits(t *testing.T, s *Store, stored map[string]store.InboxEntry) {
	t.Helper()
	keys := map[string]bool{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDedupe).ForEach(func(k, _ []byte) error { keys[string(k)] = true; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	for id := range stored {
		n, _ := strconv.Atoi(id)
		i := n - 1 // IDs count from 1, the child's loop from 0
		if i%2 == 0 {
			continue // appended by Append
		}
		if !keys[crashKey(i)] {
			t.Errorf("inbox entry %s was admitted without its key %s", id, crashKey(i))
		}
		w, err := s.Window(t.Context(), "page", crashUser(i))
		if err != nil || !w.LastMessage.Equal(crashNow) {
			t.Errorf("inbox entry %s was admitted without its window: %+v, %v", id, w, err)
		}
		delete(keys, crashKey(i))
	}
	for k := range keys {
		t.Errorf("dedupe key %s was admitted without its inbox entry", k)
	}
}
