package redisstore_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger/redisstore"
	"github.com/gomessenger/messenger/store"
)

// twoProcEnv, when set to a key prefix, turns TestTwoProcessChild into one of the
// two instances TestTwoProcessesOneWinner starts.
const twoProcEnv = "REDISSTORE_TWO_PROCESS_PREFIX"

const twoProcItems = 200

var twoProcNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// TestTwoProcessChild is not a test on its own: as a child process it waits for
// the parent's start signal, then for each item claims the item's one-time token and
// checks the item's webhook key, printing what it won.
func TestTwoProcessChild(t *testing.T) {
	prefix := os.Getenv(twoProcEnv)
	if prefix == "" {
		t.Skip("helper process of TestTwoProcessesOneWinner")
	}
	c := client(t)
	ctx := context.Background()
	s := newStore(t, c, redisstore.WithPrefix(prefix))
	awaitStart(t, c, prefix)
	for i := range twoProcItems {
		tok, err := s.ClaimToken(ctx, store.TokenQuery{Page: "page", User: fmt.Sprintf("user-%d", i), Topic: "topic", Kind: store.OneTimeKind}, twoProcNow)
		switch {
		case err == nil:
			fmt.Printf("token %d %s\n", i, tok.Value)
		case !errors.Is(err, store.ErrNoToken):
			t.Fatalf("ClaimToken: %v", err)
		}
		first, err := s.FirstSeen(ctx, fmt.Sprintf("mid.%d", i), time.Hour)
		if err != nil {
			t.Fatalf("FirstSeen: %v", err)
		}
		if first {
			fmt.Printf("dedupe %d\n", i)
		}
	}
}

// Two instances of a bot share one Redis: each item's token is sent by one of
// them only, and each webhook delivery is handled by one of them only.
func TestTwoProcessesOneWinner(t *testing.T) {
	c := client(t)
	prefix := freshPrefix(t, c)
	ctx := t.Context()
	s := newStore(t, c, redisstore.WithPrefix(prefix))
	for i := range twoProcItems {
		err := s.PutToken(ctx, store.Token{Value: fmt.Sprintf("tok-%d", i), Kind: store.OneTimeKind, Page: "page",
			User: fmt.Sprintf("user-%d", i), Topic: "topic", IssuedAt: twoProcNow, ExpiresAt: twoProcNow.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
	}
	outs := raceInstances(t, c, prefix, "TestTwoProcessChild", twoProcEnv+"="+prefix)
	tokenWins := map[string][]int{}
	dedupeWins := map[string][]int{}
	wonBy := [2]int{}
	for child := range outs {
		sc := bufio.NewScanner(&outs[child])
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) == 3 && f[0] == "token":
				if want := "tok-" + f[1]; f[2] != want {
					t.Errorf("item %s: claimed %s, want %s", f[1], f[2], want)
				}
				tokenWins[f[1]] = append(tokenWins[f[1]], child)
				wonBy[child]++
			case len(f) == 2 && f[0] == "dedupe":
				dedupeWins[f[1]] = append(dedupeWins[f[1]], child)
				wonBy[child]++
			}
		}
	}
	for i := range twoProcItems {
		k := fmt.Sprint(i)
		if n := len(tokenWins[k]); n != 1 {
			t.Errorf("token of item %d claimed by %d instances (%v), want exactly 1", i, n, tokenWins[k])
		}
		if n := len(dedupeWins[k]); n != 1 {
			t.Errorf("webhook key of item %d seen first by %d instances (%v), want exactly 1", i, n, dedupeWins[k])
		}
	}
	t.Logf("wins per instance: %v (both should win some when they really raced)", wonBy)
}

// raceInstances runs two copies of this test binary, each running only the test
// named child with env added, releases them together (see awaitStart) so they
// really race, waits for both and returns what each printed.
func raceInstances(t *testing.T, c *redis.Client, prefix, child string, env ...string) [2]bytes.Buffer {
	t.Helper()
	ctx := t.Context()
	var outs [2]bytes.Buffer
	var cmds [2]*exec.Cmd
	for i := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run=^"+child+"$", "-test.count=1")
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdout, cmd.Stderr = &outs[i], os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	for range cmds {
		if err := c.BLPop(ctx, 30*time.Second, prefix+":ready").Err(); err != nil {
			t.Fatalf("waiting for the instances: %v", err)
		}
	}
	if err := c.RPush(ctx, prefix+":start", "go", "go").Err(); err != nil {
		t.Fatal(err)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("instance %d: %v\n%s", i, err, outs[i].String())
		}
	}
	return outs
}

// awaitStart is an instance's half of raceInstances' barrier: announce, then wait
// for "go".
func awaitStart(t *testing.T, c *redis.Client, prefix string) {
	t.Helper()
	ctx := context.Background()
	if err := c.RPush(ctx, prefix+":ready", os.Getpid()).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.BLPop(ctx, 30*time.Second, prefix+":start").Err(); err != nil {
		t.Fatal(err)
	}
}
