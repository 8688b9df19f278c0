package broadcast_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/require"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/broadcast"
	"github.com/gomessenger/messenger/store"
)

// faultFor answers calls that include psid with e, times times (0: always).
func faultFor(faults map[string]*fakeError, times map[string]int) func(int, []string) *fakeError {
	var mu sync.Mutex
	seen := map[string]int{}
	return func(_ int, psids []string) *fakeError {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range psids {
			if e, ok := faults[p]; ok {
				seen[p]++
				if n := times[p]; n == 0 || seen[p] <= n {
					return e
				}
			}
		}
		return nil
	}
}

func TestSendOutcomes(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f, st := newFakeGraph(testNow), newStore(t, testNow)
		for _, id := range []string{"1", "2", "3", "4", "5", "7"} {
			f.says(st, id, time.Hour)
		}
		f.says(st, "6", time.Hour)
		f.mu.Lock()
		f.windows["6"] = testNow.Add(-30 * time.Hour) // the store missed that; Graph knows the window closed
		f.mu.Unlock()
		tok := f.optsIn(st, "8", topic)
		f.mu.Lock()
		delete(f.tokens, tok) // Graph no longer knows the token
		f.mu.Unlock()
		f.fault = faultFor(map[string]*fakeError{
			"2": {code: 551},
			"3": {status: 500, code: 1, subcode: 1357046},
			"4": {status: 400, code: 368}, // a refusal (nothing sent): 1 and 2 on a send are ambiguous
			"5": {code: 10, subcode: 2018108},
		}, map[string]int{"4": 2}) // more than the client's own two attempts
		var audit bytes.Buffer
		b := newBroadcast(f, st, nil)
		b.Audience = func(yield func(broadcast.Recipient, error) bool) {
			for _, id := range []string{"1", "2", "3", "4", "5", "6", "7", "1", "8", "9"} {
				if !yield(broadcast.Recipient{PSID: id}, nil) {
					return
				}
			}
			yield(broadcast.Recipient{}, &broadcast.RowError{Line: 11, Err: fmt.Errorf("psid is empty")})
		}
		b.Audit = &audit
		j := broadcast.NewMemoryJournal()
		b.Journal = j
		sum, err := b.Send(t.Context(), inProcessClient(t, f, f.Now))
		require.NoError(t, err)

		want := broadcast.Summary{
			Recipients: 11,
			States: map[broadcast.State]int{broadcast.StateSent: 3, broadcast.StateFailed: 4, broadcast.StateUnknown: 1,
				broadcast.StateSkipped: 1, broadcast.StateDuplicate: 1, broadcast.StateInvalid: 1},
			Ways:   map[string]int{"UPDATE": 3},
			Skips:  map[string]int{skipNone: 1},
			Errors: map[string]int{"551": 1, "1/1357046": 1, "10/2018108": 1, "10/2018278": 1, "100": 1},
		}
		if diff := cmp.Diff(want, *sum, ignoreRun); diff != "" {
			t.Fatalf("summary (-want +got):\n%s", diff)
		}
		byPSID := map[string]broadcast.Entry{}
		for _, e := range j.Entries() {
			byPSID[e.PSID] = e
		}
		require.Equal(t, 2, byPSID["4"].Attempts, "a temporary failure the client's retries did not overcome is tried again later")
		require.Equal(t, broadcast.StateSent, byPSID["4"].State)
		require.Equal(t, 1, byPSID["3"].Attempts, "an ambiguous answer is never repeated")
		require.Equal(t, "FAKE", byPSID["2"].FBTraceID)
		require.Equal(t, store.TokenDead, tokenState(st, "8", tok), "Graph refused the token with 100")
		if diff := cmp.Diff(map[string]int{"1": 1, "4": 1, "7": 1}, f.sentTo()); diff != "" {
			t.Fatalf("f.sentTo() (-want +got):\n%s", diff)
		}

		lines := decodeAudit(t, audit.Bytes())
		require.Len(t, lines, 11, "one audit line per audience row")
		states := map[broadcast.State]int{}
		for _, e := range lines {
			states[e.State]++
		}
		require.Equal(t, sum.States, states)
	})
}

func TestSendStopsWhenGraphRefusesThePage(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f, st := newFakeGraph(testNow), newStore(t, testNow)
		var ids []string
		for i := range 50 {
			id := fmt.Sprint(100 + i)
			ids = append(ids, id)
			f.says(st, id, time.Hour)
		}
		var mu sync.Mutex
		refuse := true
		f.fault = func(n int, _ []string) *fakeError {
			mu.Lock()
			defer mu.Unlock()
			if n >= 10 && refuse {
				return &fakeError{code: 190, subcode: 463}
			}
			return nil
		}
		j := broadcast.NewMemoryJournal()
		b := newBroadcast(f, st, ids)
		b.Journal, b.Workers = j, 1
		sum, err := b.Send(t.Context(), inProcessClient(t, f, f.Now))
		var ge *messenger.GraphError
		require.ErrorAs(t, err, &ge)
		require.Equal(t, 190, ge.Code)
		require.True(t, sum.Interrupted)
		require.Equal(t, 9, sum.Count(broadcast.StateSent))
		require.Equal(t, 1, sum.Count(broadcast.StateFailed))
		require.Less(t, sum.Recipients, 50, "the run stopped instead of failing everyone")

		// The token is fixed: resuming with RetryFailed sends the refused one and the rest.
		mu.Lock()
		refuse = false
		mu.Unlock()
		b.RetryFailed = true
		sum, err = b.Send(t.Context(), inProcessClient(t, f, f.Now))
		require.NoError(t, err)
		require.Equal(t, 50, sum.Count(broadcast.StateSent))
		require.Equal(t, 9, sum.Resumed)
		sent := f.sentTo()
		require.Len(t, sent, 50)
		for id, n := range sent {
			require.Equal(t, 1, n, id)
		}
	})
}

// TestCancelDuringThrottleReleasesClaims: a recipient Graph throttled and that is
// waiting for the pause when the run is cancelled was not sent: its claim is
// released and the next run sends to it.
func TestCancelDuringThrottleReleasesClaims(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f, st := newFakeGraph(testNow), newStore(t, testNow)
		f.says(st, "1", time.Hour)
		f.says(st, "2", time.Hour)
		ctx, cancel := context.WithCancel(t.Context())
		f.fault = func(_ int, psids []string) *fakeError {
			if psids[0] == "2" {
				cancel()
				return throttled(5)
			}
			return nil
		}
		j := broadcast.NewMemoryJournal()
		b := newBroadcast(f, st, []string{"1", "2"})
		b.Journal = j
		sum, err := b.Send(ctx, inProcessClient(t, f, f.Now))
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, 1, sum.Throttled)
		e, _, _ := j.Get(t.Context(), "2")
		require.Equal(t, broadcast.StateReleased, e.State)

		f.fault = nil
		sum, err = b.Send(t.Context(), inProcessClient(t, f, f.Now))
		require.NoError(t, err)
		require.Equal(t, 2, sum.Count(broadcast.StateSent))
		if diff := cmp.Diff(map[string]int{"1": 1, "2": 1}, f.sentTo()); diff != "" {
			t.Fatalf("f.sentTo() (-want +got):\n%s", diff)
		}
	})
}

// TestUsageHeadersSlowTheBroadcast: usage above the threshold on successful answers
// cuts the rate without a pause.
func TestUsageHeadersSlowTheBroadcast(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f, st := newFakeGraph(testNow), newStore(t, testNow)
		var ids []string
		for i := range 300 {
			id := fmt.Sprint(1000 + i)
			ids = append(ids, id)
			f.says(st, id, time.Hour)
		}
		busy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-App-Usage", `{"call_count":91,"total_cputime":10,"total_time":12}`)
			f.ServeHTTP(w, r)
		})
		var limits []float64
		b := newBroadcast(f, st, ids)
		b.Rate = 100
		b.ProgressEvery = 500 * time.Millisecond
		b.Progress = func(p broadcast.Progress) { limits = append(limits, p.Limit) }
		sum, err := b.Send(t.Context(), inProcessClient(t, busy, f.Now))
		require.NoError(t, err)
		require.Equal(t, 300, sum.Count(broadcast.StateSent))
		require.Less(t, slices.Min(limits), 100.0)
		require.Zero(t, sum.Throttled, "usage is not throttling")
		require.Greater(t, sum.Elapsed, 3*time.Second, "slower than 300 at 100/s")
	})
}

func TestAudioAndVideoHaveTheirOwnRate(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f, st := newFakeGraph(testNow), newStore(t, testNow)
		var ids []string
		for i := range 21 {
			id := fmt.Sprint(1000 + i)
			ids = append(ids, id)
			f.says(st, id, time.Hour)
		}
		b := newBroadcast(f, st, ids)
		b.Message = messenger.MediaURL(messenger.AttachmentVideo, "https://example.com/launch.mp4")
		sum, err := b.Send(t.Context(), inProcessClient(t, f, f.Now))
		require.NoError(t, err)
		require.Equal(t, 21, sum.Count(broadcast.StateSent))
		require.Equal(t, 2*time.Second, sum.Elapsed.Round(10*time.Millisecond), "21 videos at 10 per second")
	})
}

func TestProgressReports(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f, st := newFakeGraph(testNow), newStore(t, testNow)
		ids, want := mixed(f, st, 1000)
		var reports []broadcast.Progress
		b := newBroadcast(f, st, ids)
		b.Rate, b.Expected = 100, len(ids)
		b.Progress = func(p broadcast.Progress) { reports = append(reports, p) }
		sum, err := b.Send(t.Context(), inProcessClient(t, f, f.Now))
		require.NoError(t, err)
		require.Equal(t, handCount(want, false).States, sum.States)

		last := reports[len(reports)-1]
		require.True(t, last.Done)
		require.Equal(t, 800, last.Sent)
		require.Equal(t, 1000, last.Processed)
		require.Equal(t, 100.0, last.Percent())
		require.Len(t, reports, 8, "one report a second while sending 800 at 100/s, and the last")
		mid := reports[3]
		require.InDelta(t, 100, mid.Rate, 2, "sends per second")
		require.InDelta(t, 4*time.Second, mid.Elapsed, float64(10*time.Millisecond))
		// Rows go 1.25 times faster than sends (a fifth are skipped at once).
		require.InDelta(t, 4*time.Second, mid.ETA, float64(300*time.Millisecond))
		if diff := cmp.Diff(broadcast.Progress{Expected: 1000, Limit: 100}, reports[0],
			cmpopts.IgnoreFields(broadcast.Progress{}, "Processed", "Sent", "Skipped", "Rate", "Elapsed", "ETA")); diff != "" {
			t.Fatalf("first report (-want +got):\n%s", diff)
		}
	})
}

// TestResumeCountsRepeatedRowsOnce: a row repeating a PSID that an earlier run
// finished is a duplicate, not a second outcome.
func TestResumeCountsRepeatedRowsOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f, st := newFakeGraph(testNow), newStore(t, testNow)
		f.says(st, "1", time.Hour)
		f.says(st, "2", time.Hour)
		b := newBroadcast(f, st, []string{"1", "2", "1"})
		b.Journal = broadcast.NewMemoryJournal()
		for run := range 2 {
			sum, err := b.Send(t.Context(), inProcessClient(t, f, f.Now))
			require.NoError(t, err)
			want := broadcast.Summary{Recipients: 3, Resumed: 2 * run, Ways: map[string]int{"UPDATE": 2},
				States: map[broadcast.State]int{broadcast.StateSent: 2, broadcast.StateDuplicate: 1}}
			if diff := cmp.Diff(want, *sum, ignoreRun); diff != "" {
				t.Fatalf("run %d (-want +got):\n%s", run+1, diff)
			}
		}
		if diff := cmp.Diff(map[string]int{"1": 1, "2": 1}, f.sentTo()); diff != "" {
			t.Fatalf("f.sentTo() (-want +got):\n%s", diff)
		}
	})
}

// TestEndlessThrottlingEnds: a recipient Graph keeps throttling fails after ten
// times MaxAttempts throttling answers; the others are sent.
func TestEndlessThrottlingEnds(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f, st := newFakeGraph(testNow), newStore(t, testNow)
		f.says(st, "1", time.Hour)
		f.says(st, "2", time.Hour)
		f.fault = faultFor(map[string]*fakeError{"1": {code: 613, subcode: 2534040}}, nil)
		j := broadcast.NewMemoryJournal()
		b := newBroadcast(f, st, []string{"1", "2"})
		b.Journal, b.MaxAttempts = j, 2
		sum, err := b.Send(t.Context(), inProcessClient(t, f, f.Now))
		require.NoError(t, err)
		require.Equal(t, 20, sum.Throttled)
		if diff := cmp.Diff(map[string]int{"613/2534040": 1}, sum.Errors); diff != "" {
			t.Fatalf("sum.Errors (-want +got):\n%s", diff)
		}
		e, _, _ := j.Get(t.Context(), "1")
		require.Equal(t, 20, e.Attempts)
		if diff := cmp.Diff(map[string]int{"2": 1}, f.sentTo()); diff != "" {
			t.Fatalf("f.sentTo() (-want +got):\n%s", diff)
		}
	})
}
