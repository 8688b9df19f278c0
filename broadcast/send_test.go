package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/require"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/broadcast"
	"github.com/gomessenger/messenger/store/memstore"
)

var testNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

const topic = "restock"

var (
	wayUpdate = broadcast.InWindow().String()
	wayToken  = broadcast.ByOneTimeToken(topic).String()
	skipNone  = wayUpdate + ": window.standard; " + wayToken + ": token.none"
)

// mixed builds an audience of n people in ten groups and returns their PSIDs and
// the way each one should be reached ("" for nobody), computed by hand:
//
//	0-3  messaged an hour ago                 → UPDATE
//	4    messaged 23 hours ago                → UPDATE (the window closes in an hour)
//	5    messaged 30 hours ago, token         → one-time token
//	6    messaged 30 hours ago, other topic   → skipped
//	7    never messaged, token                → one-time token
//	8    never messaged, no token             → skipped
//	9    messaged an hour ago and a token     → UPDATE (the token is kept)
func mixed(f *fakeGraph, st *memstore.Store, n int) (ids []string, want map[string]string) {
	want = map[string]string{}
	for i := range n {
		id := fmt.Sprintf("%d", 2000000000000000+i)
		ids = append(ids, id)
		switch i % 10 {
		case 0, 1, 2, 3:
			f.says(st, id, time.Hour)
			want[id] = wayUpdate
		case 4:
			f.says(st, id, 23*time.Hour)
			want[id] = wayUpdate
		case 5:
			f.says(st, id, 30*time.Hour)
			f.optsIn(st, id, topic)
			want[id] = wayToken
		case 6:
			f.says(st, id, 30*time.Hour)
			f.optsIn(st, id, "other")
			want[id] = ""
		case 7:
			f.optsIn(st, id, topic)
			want[id] = wayToken
		case 8:
			want[id] = ""
		case 9:
			f.says(st, id, time.Hour)
			f.optsIn(st, id, topic)
			want[id] = wayUpdate
		}
	}
	return ids, want
}

// handCount is the Summary a plan of want should give.
func handCount(want map[string]string, dry bool) broadcast.Summary {
	s := broadcast.Summary{DryRun: dry, States: map[broadcast.State]int{}, Ways: map[string]int{}, Skips: map[string]int{}}
	st := broadcast.StateSent
	if dry {
		st = broadcast.StateSendable
	}
	for _, way := range want {
		s.Recipients++
		if way == "" {
			s.States[broadcast.StateSkipped]++
			s.Skips[skipNone]++
			continue
		}
		s.States[st]++
		s.Ways[way]++
	}
	return s
}

var ignoreRun = cmpopts.IgnoreFields(broadcast.Summary{}, "Run", "Elapsed")

func newBroadcast(f *fakeGraph, st *memstore.Store, ids []string) *broadcast.Broadcast {
	return &broadcast.Broadcast{
		Page:     testPage,
		Audience: broadcast.PSIDs(ids...),
		Message:  messenger.Text("It is back in stock"),
		Ways:     broadcast.Auto(topic),
		Windows:  st,
		Tokens:   st,
		Now:      f.Now,
		Rate:     broadcast.MaxRate,
	}
}

// checkSends asserts that the fake accepted exactly one message for each person
// want reaches, by the planned way, and none for the others.
func checkSends(t *testing.T, f *fakeGraph, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, s := range f.allSends() {
		if prev, dup := got[s.PSID]; dup {
			t.Fatalf("%s got a second message (first via %s)", s.PSID, prev)
		}
		if s.Token != "" {
			got[s.PSID] = wayToken
		} else {
			got[s.PSID] = s.Type
		}
	}
	wantSent := map[string]string{}
	for id, way := range want {
		if way != "" {
			wantSent[id] = way
		}
	}
	if diff := cmp.Diff(wantSent, got); diff != "" {
		t.Fatalf("sends per PSID (-want +got):\n%s", diff)
	}
}

// TestSendMixedAudience is TestFakeGraphTenThousand on the small stand-in fake,
// which checks windows and tokens independently of messengertest.
func TestSendMixedAudience(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f, st := newFakeGraph(testNow), newStore(t, testNow)
		ids, want := mixed(f, st, 3000)
		b := newBroadcast(f, st, ids)
		client := inProcessClient(t, f, f.Now)

		plan, err := b.Plan(t.Context(), client)
		require.NoError(t, err)
		if diff := cmp.Diff(handCount(want, true), *plan, ignoreRun); diff != "" {
			t.Fatalf("plan (-want +got):\n%s", diff)
		}
		require.Empty(t, f.allSends(), "a plan sends nothing")

		sum, err := b.Send(t.Context(), client)
		require.NoError(t, err)
		if diff := cmp.Diff(handCount(want, false), *sum, ignoreRun); diff != "" {
			t.Fatalf("summary (-want +got):\n%s", diff)
		}
		checkSends(t, f, want)
		// 2400 messages at 300 per second, evenly spaced.
		require.InDelta(t, 2400.0/300, sum.Elapsed.Seconds(), 0.1)
	})
}

func TestSendBatchesMixedAudience(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f, st := newFakeGraph(testNow), newStore(t, testNow)
		ids, want := mixed(f, st, 1000)
		b := newBroadcast(f, st, ids)
		b.BatchSize = 50
		sum, err := b.Send(t.Context(), inProcessClient(t, f, f.Now))
		require.NoError(t, err)
		if diff := cmp.Diff(handCount(want, false), *sum, ignoreRun); diff != "" {
			t.Fatalf("summary (-want +got):\n%s", diff)
		}
		checkSends(t, f, want)
		f.mu.Lock()
		calls := f.calls
		f.mu.Unlock()
		require.Less(t, calls, 100, "800 messages in batches of up to 50")
	})
}

// TestKillAndResume cancels a broadcast at a random send, resumes it with the same
// journal, and checks that the two runs together sent the plan, once each.
func TestKillAndResume(t *testing.T) {
	t.Parallel()
	// Each claim in a file is an fsync, which a synctest bubble cannot overlap with
	// anything: the file runs get a smaller audience.
	sizes := map[string]int{"memory": 2000, "file": 500}
	journals := map[string]func(t *testing.T) (broadcast.Journal, func() broadcast.Journal){
		"memory": func(t *testing.T) (broadcast.Journal, func() broadcast.Journal) {
			j := broadcast.NewMemoryJournal()
			return j, func() broadcast.Journal { return j }
		},
		"file": func(t *testing.T) (broadcast.Journal, func() broadcast.Journal) {
			path := filepath.Join(t.TempDir(), "journal.jsonl")
			j, err := broadcast.OpenFileJournal(path)
			require.NoError(t, err)
			reopen := func() broadcast.Journal { // as a new process would
				require.NoError(t, j.Close())
				j2, err := broadcast.OpenFileJournal(path)
				require.NoError(t, err)
				t.Cleanup(func() { j2.Close() })
				return j2
			}
			return j, reopen
		},
	}
	for name, open := range journals {
		for _, seed := range []uint64{1, 2} {
			t.Run(fmt.Sprintf("%s/seed%d", name, seed), func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					f, st := newFakeGraph(testNow), newStore(t, testNow)
					ids, want := mixed(f, st, sizes[name])
					sendable := 0
					for _, w := range want {
						if w != "" {
							sendable++
						}
					}
					rng := rand.New(rand.NewPCG(seed, seed))
					killAt := 1 + rng.IntN(sendable-1)
					ctx, cancel := context.WithCancel(t.Context())
					f.onSend = func(n int) {
						if n == killAt {
							cancel()
						}
					}
					j, reopen := open(t)
					b := newBroadcast(f, st, ids)
					b.Journal = j
					first, err := b.Send(ctx, inProcessClient(t, f, f.Now))
					require.ErrorIs(t, err, context.Canceled)
					require.True(t, first.Interrupted)
					require.GreaterOrEqual(t, first.Count(broadcast.StateSent), killAt)
					require.Less(t, first.Recipients, len(ids), "the first run stopped early")

					f.onSend = nil
					b.Journal = reopen()
					second, err := b.Send(t.Context(), inProcessClient(t, f, f.Now))
					require.NoError(t, err)
					if diff := cmp.Diff(handCount(want, false), *second, ignoreRun,
						cmpopts.IgnoreFields(broadcast.Summary{}, "Resumed")); diff != "" {
						t.Fatalf("summary of the resumed run (-want +got):\n%s", diff)
					}
					require.Equal(t, first.Count(broadcast.StateSent)+first.Count(broadcast.StateSkipped), second.Resumed)
					checkSends(t, f, want)
				})
			})
		}
	}
}

// crashingJournal fails every Put once the given number of sends were recorded,
// from the recording of the next send on, as a process killed between a send and
// its record would.
type crashingJournal struct {
	broadcast.Journal
	mu       sync.Mutex
	outcomes int // sends recorded
	after    int
}

var errCrashed = errors.New("crashed")

func (j *crashingJournal) Put(ctx context.Context, e broadcast.Entry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.outcomes > j.after {
		return errCrashed
	}
	if e.State == broadcast.StateSent {
		j.outcomes++
		if j.outcomes > j.after {
			return errCrashed
		}
	}
	return j.Journal.Put(ctx, e)
}

// TestResumeAfterCrashMidSend: recipients claimed and sent whose outcome was never
// recorded are reported unknown and not sent again.
func TestResumeAfterCrashMidSend(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f, st := newFakeGraph(testNow), newStore(t, testNow)
		ids, want := mixed(f, st, 2000)
		mem := broadcast.NewMemoryJournal()
		b := newBroadcast(f, st, ids)
		b.Journal = &crashingJournal{Journal: mem, after: 700}
		_, err := b.Send(t.Context(), inProcessClient(t, f, f.Now))
		require.ErrorIs(t, err, errCrashed)

		claimed := 0
		for _, e := range mem.Entries() {
			if e.State == broadcast.StateClaimed {
				claimed++
			}
		}
		require.Positive(t, claimed, "the crash left claims without outcomes")

		b.Journal = mem
		sum, err := b.Send(t.Context(), inProcessClient(t, f, f.Now))
		require.NoError(t, err)
		require.Equal(t, claimed, sum.Count(broadcast.StateUnknown))
		if diff := cmp.Diff(map[string]int{"outcome_unknown": claimed}, sum.Errors); diff != "" {
			t.Fatalf("sum.Errors (-want +got):\n%s", diff)
		}
		wantSummary := handCount(want, false)
		require.Equal(t, wantSummary.Count(broadcast.StateSent), sum.Count(broadcast.StateSent)+claimed)
		// The unknown ones were in fact sent once, by the first run; nobody twice.
		checkSends(t, f, want)
		for _, e := range mem.Entries() {
			require.True(t, e.State.Final(), "%s ends %s", e.PSID, e.State)
		}
	})
}

// TestThrottledForAWhile: Graph answers 613 for a while; the broadcast pauses as
// asked, slows down, loses nobody and finishes.
func TestThrottledForAWhile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		regain   int // minutes in the usage header; 0: no header
		faultFor time.Duration
	}{
		{"with estimated_time_to_regain_access", 1, 30 * time.Second},
		{"without a hint", 0, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f, st := newFakeGraph(testNow), newStore(t, testNow)
				ids, want := mixed(f, st, 3000)
				start := time.Now()
				faultFrom, faultUntil := start.Add(2*time.Second), start.Add(2*time.Second+tt.faultFor)
				var mu sync.Mutex
				var faulted []time.Time
				f.fault = func(int, []string) *fakeError {
					if now := time.Now(); now.Before(faultFrom) || !now.Before(faultUntil) {
						return nil
					}
					mu.Lock()
					faulted = append(faulted, time.Now())
					mu.Unlock()
					if tt.regain > 0 {
						return throttled(tt.regain)
					}
					return &fakeError{code: 613, subcode: 2534040}
				}
				var limits []float64
				b := newBroadcast(f, st, ids)
				b.MaxAttempts = 20
				b.Progress = func(p broadcast.Progress) {
					mu.Lock()
					limits = append(limits, p.Limit)
					mu.Unlock()
				}
				sum, err := b.Send(t.Context(), inProcessClient(t, f, f.Now))
				require.NoError(t, err)
				if diff := cmp.Diff(handCount(want, false), *sum, ignoreRun,
					cmpopts.IgnoreFields(broadcast.Summary{}, "Throttled")); diff != "" {
					t.Fatalf("summary (-want +got):\n%s", diff)
				}
				checkSends(t, f, want)
				require.NotEmpty(t, faulted)
				require.Positive(t, sum.Throttled)
				require.LessOrEqual(t, slices.Min(limits), float64(broadcast.MaxRate)/2, "the rate was cut")
				require.Greater(t, limits[len(limits)-1], slices.Min(limits), "and climbed back")

				// No send was accepted inside a pause Graph asked for.
				if tt.regain > 0 {
					for _, s := range f.allSends() {
						if s.At.After(faulted[0]) && s.At.Before(faulted[0].Add(time.Duration(tt.regain)*time.Minute)) {
							t.Fatalf("a send at %v, inside the pause after the 613 at %v", s.At.Sub(start), faulted[0].Sub(start))
						}
					}
				}
				// Without throttling 2400 messages take 8 s at 300/s; the broadcast slowed down.
				require.Greater(t, sum.Elapsed, 8*time.Second+tt.faultFor)
			})
		})
	}
}

// TestNamedBroadcastResumes: Name names the broadcast, not a run. A second Send
// with the same Name and Journal is a new run of it: the first run's outcomes
// count as resumed (not as duplicates), and RetryFailed sends to the one Graph
// refused.
func TestNamedBroadcastResumes(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f, st := newFakeGraph(testNow), newStore(t, testNow)
		ids := []string{"1", "2", "3"}
		for _, id := range ids {
			f.says(st, id, time.Hour)
		}
		f.fault = faultFor(map[string]*fakeError{"2": {status: 400, code: 551, subcode: 1545041}}, map[string]int{"2": 1})
		j := broadcast.NewMemoryJournal()
		b := newBroadcast(f, st, ids)
		b.Name, b.Journal = "spring-sale", j
		client := inProcessClient(t, f, f.Now)

		first, err := b.Send(t.Context(), client)
		require.NoError(t, err)
		if diff := cmp.Diff(map[broadcast.State]int{broadcast.StateSent: 2, broadcast.StateFailed: 1}, first.States); diff != "" {
			t.Fatalf("first.States (-want +got):\n%s", diff)
		}
		require.True(t, strings.HasPrefix(first.Run, "spring-sale/"), first.Run)

		b.RetryFailed = true
		second, err := b.Send(t.Context(), client)
		require.NoError(t, err)
		require.NotEqual(t, first.Run, second.Run, "each Send is a run of its own")
		want := map[broadcast.State]int{broadcast.StateSent: 3}
		if diff := cmp.Diff(want, second.States); diff != "" {
			t.Errorf("second run's states (-want +got):\n%s", diff)
		}
		require.Equal(t, 2, second.Resumed)
		if diff := cmp.Diff(map[string]int{"1": 1, "2": 1, "3": 1}, f.sentTo()); diff != "" {
			t.Errorf("sends per PSID (-want +got):\n%s", diff)
		}
		e, _, _ := j.Get(t.Context(), "2")
		require.Equal(t, second.Run, e.Run)
	})
}
