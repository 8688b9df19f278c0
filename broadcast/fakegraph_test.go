package broadcast_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
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
	"github.com/gomessenger/messenger/messengertest"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/store/storetest"
)

// These tests run the broadcast against messengertest, the SDK's fake Graph
// server, whose own rules (windows, single-use tokens, 613 faults) judge every
// send. The server is started outside the synctest bubble and served in process
// from inside it, so the bubble's fake time drives the pacer and nothing sleeps.

// onFake is a mixed audience of n people on a messengertest server and a store
// that knows what its webhook would have recorded: the groups of mixed.
func onFake(t *testing.T, n int) (*messengertest.Server, *memstore.Store, []string, map[string]string) {
	t.Helper()
	srv := messengertest.NewServer(t, messengertest.WithNow(testNow), messengertest.WithPageID(testPage))
	st := storetest.NewMemory(t, memstore.WithClock(srv.Now))
	ctx := context.Background()
	says := func(id string, ago time.Duration) {
		srv.SetNow(testNow.Add(-ago))
		if _, err := srv.User(id).Says("hi"); err != nil && err != messengertest.ErrNoWebhook {
			t.Fatal(err)
		}
		require.NoError(t, st.RecordAction(ctx, testPage, id, store.Action{Kind: store.ActionMessage, At: testNow.Add(-ago)}))
		srv.SetNow(testNow)
	}
	optsIn := func(id, topic string) {
		tok, err := srv.User(id).OptsIn(topic)
		if tok == "" {
			t.Fatal(err)
		}
		require.NoError(t, st.PutToken(ctx, store.Token{Value: tok, Kind: store.OneTimeKind, Page: testPage, User: id,
			Topic: topic, IssuedAt: testNow, ExpiresAt: testNow.AddDate(1, 0, 0), State: store.TokenLive}))
	}
	var ids []string
	want := map[string]string{}
	for i := range n {
		id := fmt.Sprintf("%d", 2000000000000000+i)
		ids = append(ids, id)
		switch i % 10 {
		case 0, 1, 2, 3:
			says(id, time.Hour)
			want[id] = wayUpdate
		case 4:
			says(id, 23*time.Hour)
			want[id] = wayUpdate
		case 5:
			says(id, 30*time.Hour)
			optsIn(id, topic)
			want[id] = wayToken
		case 6:
			says(id, 30*time.Hour)
			optsIn(id, "other")
			want[id] = ""
		case 7:
			optsIn(id, topic)
			want[id] = wayToken
		case 8:
			want[id] = ""
		case 9:
			says(id, time.Hour)
			optsIn(id, topic)
			want[id] = wayUpdate
		}
	}
	return srv, st, ids, want
}

// served is a client for srv that reaches it in process. before, when set, runs
// before each call; onAccepted, when set, after each send the fake accepted.
func served(t *testing.T, srv *messengertest.Server, before func(), onAccepted func(n int)) *messenger.Client {
	var mu sync.Mutex
	accepted := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if before != nil {
			before()
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		if rec.Code == http.StatusOK && strings.HasSuffix(r.URL.Path, "/messages") && onAccepted != nil {
			mu.Lock()
			accepted++
			n := accepted
			mu.Unlock()
			onAccepted(n)
		}
	})
	return srv.Client(messenger.WithHTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Result(), nil
	})}))
}

// checkFakeSends asserts that the fake accepted one message per person want
// reaches, by the planned way, and none for anyone else.
func checkFakeSends(t *testing.T, srv *messengertest.Server, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, s := range srv.Sent() {
		if s.Message == nil {
			continue
		}
		if prev, dup := got[s.RecipientID]; dup {
			t.Fatalf("%s got a second message (first via %s)", s.RecipientID, prev)
		}
		if s.Recipient.OneTimeNotifToken != "" {
			got[s.RecipientID] = wayToken
		} else {
			got[s.RecipientID] = s.MessagingType
		}
	}
	wantSent := map[string]string{}
	for id, way := range want {
		if way != "" {
			wantSent[id] = way
		}
	}
	if diff := cmp.Diff(wantSent, got); diff != "" {
		t.Fatalf("sends the fake accepted, per PSID (-want +got):\n%s", diff)
	}
}

func fakeBroadcast(srv *messengertest.Server, st *memstore.Store, ids []string) *broadcast.Broadcast {
	return &broadcast.Broadcast{Page: testPage, Audience: broadcast.PSIDs(ids...), Message: messenger.Text("It is back in stock"),
		Ways: broadcast.Auto(topic), Windows: st, Tokens: st, Rate: broadcast.MaxRate}
}

func TestFakeGraphTenThousand(t *testing.T) {
	t.Parallel()
	srv, st, ids, want := onFake(t, 10000)
	synctest.Test(t, func(t *testing.T) {
		client := served(t, srv, nil, nil)
		b := fakeBroadcast(srv, st, ids)
		b.Now = srv.Now
		plan, err := b.Plan(t.Context(), client)
		require.NoError(t, err)
		if diff := cmp.Diff(handCount(want, true), *plan, ignoreRun); diff != "" {
			t.Fatalf("plan (-want +got):\n%s", diff)
		}
		before := len(srv.Sent())
		sum, err := b.Send(t.Context(), client)
		require.NoError(t, err)
		if diff := cmp.Diff(handCount(want, false), *sum, ignoreRun); diff != "" {
			t.Fatalf("summary (-want +got):\n%s", diff)
		}
		require.Equal(t, 8000, len(srv.Sent())-before)
	})
	checkFakeSends(t, srv, want)
}

func TestFakeGraphKillAndResume(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{7, 8} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			srv, st, ids, want := onFake(t, 2000)
			killAt := 1 + rand.New(rand.NewPCG(seed, seed)).IntN(1599)
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				j := broadcast.NewMemoryJournal()
				b := fakeBroadcast(srv, st, ids)
				b.Journal = j
				_, err := b.Send(ctx, served(t, srv, nil, func(n int) {
					if n == killAt {
						cancel()
					}
				}))
				require.ErrorIs(t, err, context.Canceled)
				sum, err := b.Send(t.Context(), served(t, srv, nil, nil))
				require.NoError(t, err)
				require.Equal(t, 1600, sum.Count(broadcast.StateSent))
			})
			checkFakeSends(t, srv, want)
		})
	}
}

// TestFakeGraphThrottlesForAWhile: the fake answers 613 (with an
// estimated_time_to_regain_access of a minute) for 90 seconds; the broadcast
// pauses as asked, slows down, loses nobody and finishes.
func TestFakeGraphThrottlesForAWhile(t *testing.T) {
	t.Parallel()
	srv, st, ids, want := onFake(t, 2000)
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		faultFrom, faultUntil := start.Add(2*time.Second), start.Add(92*time.Second)
		var mu sync.Mutex
		state := "before"
		var firstFault time.Time
		before := func() {
			mu.Lock()
			defer mu.Unlock()
			switch now := time.Now(); {
			case state == "before" && !now.Before(faultFrom):
				require.NoError(t, srv.InjectFault(messengertest.Fault{Endpoint: messengertest.EndpointMessages, Code: 613}))
				state, firstFault = "throttling", now
			case state == "throttling" && !now.Before(faultUntil):
				srv.ClearFaults()
				state = "after"
			}
		}
		var limits []float64
		var accepted []time.Time
		b := fakeBroadcast(srv, st, ids)
		b.Progress = func(p broadcast.Progress) { limits = append(limits, p.Limit) }
		sum, err := b.Send(t.Context(), served(t, srv, before, func(int) {
			mu.Lock()
			accepted = append(accepted, time.Now())
			mu.Unlock()
		}))
		require.NoError(t, err)
		if diff := cmp.Diff(handCount(want, false), *sum, ignoreRun, cmpopts.IgnoreFields(broadcast.Summary{}, "Throttled")); diff != "" {
			t.Fatalf("summary (-want +got):\n%s", diff)
		}
		require.Positive(t, sum.Throttled)
		require.LessOrEqual(t, slices.Min(limits), float64(broadcast.MaxRate)/2, "the broadcast slowed down")
		require.Greater(t, limits[len(limits)-1], slices.Min(limits), "and climbed back")
		for _, at := range accepted {
			if at.After(firstFault) && at.Before(firstFault.Add(time.Minute)) {
				t.Fatalf("a send accepted %v after the first 613, inside the minute the fake asked to wait", at.Sub(firstFault))
			}
		}
		// Unthrottled, 1600 messages take 5.3 s at 300/s; the pauses come on top.
		require.Greater(t, sum.Elapsed, faultUntil.Sub(start))
	})
	checkFakeSends(t, srv, want)
}
