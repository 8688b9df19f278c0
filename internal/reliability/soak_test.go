package reliability

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/messengertest"
)

// soakFaults are the rates at which the fake misbehaves during the soak. Rules
// are tried in order and the first that fires applies, so the effective rates
// are a little lower for the later ones.
var soakFaults = []messengertest.Fault{
	{Endpoint: "messages", DropConnection: true, Probability: 0.01, Seed: 1},
	{Endpoint: "messages", Code: 613, Probability: 0.02, Seed: 2},                                       // throttled, hint of a minute: not retried
	{Endpoint: "messages", Code: 2, Status: http.StatusInternalServerError, Probability: 0.05, Seed: 3}, // transient: retried
	{Endpoint: "messages", Code: 1, Subcode: 1357046, Probability: 0.01, Seed: 5},                       // "may have been sent": never retried
	{Endpoint: "messages", Latency: 2 * time.Millisecond, Probability: 0.03, Seed: 4},
}

// soakOutcome is what the client said about one message.
type soakOutcome struct {
	err error
	mid string
}

// TestSoakSendUnderFaults sends -soak.n messages (2,000 by default; 50,000 for
// the full run) from 16 goroutines through Client.Send into messengertest while
// it drops connections, throttles, fails transiently and delays at the rates of
// soakFaults, logging every call at Debug level into a sink that fails on a
// credential. Then, for every message: a success was delivered exactly once; a
// failure is a *GraphError (or a transport error marked ErrAmbiguous) and, unless
// ambiguous, was not delivered at all; an ambiguous one at most once. No
// goroutine outlives the run and the heap comes back near where it started.
func TestSoakSendUnderFaults(t *testing.T) {
	n := *soakN
	if testing.Short() {
		n = min(n, 500)
	}
	srv := messengertest.NewServer(t)
	const people = 20
	psids := make([]string, people)
	for i := range psids {
		psids[i] = strconv.Itoa(7000000000000000 + i)
		if _, err := srv.User(psids[i]).Says("hello"); err != nil {
			t.Fatal(err)
		}
	}
	goroutinesBefore := runtime.NumGoroutine()
	heapBefore := heapAlloc()

	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	// Every call logged at Debug level into a sink that fails on a credential.
	sink := newSecretSink(t, messengertest.DefaultPageToken, messengertest.DefaultAppSecret,
		messenger.AppSecretProof(messengertest.DefaultPageToken, messengertest.DefaultAppSecret))
	client := srv.Client(messenger.WithHTTPClient(&http.Client{Transport: tr}), messenger.WithLogger(sink.logger()))
	for _, f := range soakFaults {
		if err := srv.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}

	outcomes := make([]soakOutcome, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res, err := client.Send(context.Background(), messenger.SendRequest{
					To:      messenger.PSID(psids[i%people]),
					Type:    messenger.Response,
					Message: messenger.Text(soakText(i)),
				})
				outcomes[i].err = err
				if err == nil {
					outcomes[i].mid = res.MessageID
				}
			}
		}()
	}
	start := time.Now()
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(start)

	delivered := map[string]int{}
	for _, rec := range srv.Sent() {
		if rec.Message != nil {
			delivered[rec.Message.Text]++
		}
	}
	var ok, graphFailed, ambiguous, ambiguousDelivered int
	failures := map[string]int{}
	for i, o := range outcomes {
		sink.checkErr(o.err)
		got := delivered[soakText(i)]
		var ge *messenger.GraphError
		switch {
		case o.err == nil:
			ok++
			if got != 1 {
				t.Errorf("message %d succeeded (mid %s) but was delivered %d times", i, o.mid, got)
			}
		case errors.Is(o.err, messenger.ErrAmbiguous):
			ambiguous++
			ambiguousDelivered += got
			if got > 1 {
				t.Errorf("message %d failed ambiguously (%v) and was delivered %d times", i, o.err, got)
			}
		case errors.As(o.err, &ge):
			graphFailed++
			failures[fmt.Sprintf("%d/%d", ge.Code, ge.Subcode)]++
			if got != 0 {
				t.Errorf("message %d failed with %v, not ambiguous, but was delivered %d times", i, o.err, got)
			}
		default:
			t.Errorf("message %d failed with %T %v: neither a Graph error nor marked ambiguous", i, o.err, o.err)
		}
	}
	t.Logf("%d messages in %v: %d delivered, %d failed with Graph errors %v, %d ambiguous (%d of them delivered)",
		n, elapsed.Round(time.Millisecond), ok, graphFailed, failures, ambiguous, ambiguousDelivered)
	if ok == 0 || graphFailed == 0 || ambiguous == 0 {
		t.Errorf("the faults did not all show: %d ok, %d Graph failures, %d ambiguous", ok, graphFailed, ambiguous)
	}

	// Nothing may outlive the run once the connections are closed.
	outcomes, delivered = nil, nil
	srv.ClearFaults()
	tr.CloseIdleConnections()
	checkNoGoroutineLeak(t, goroutinesBefore, 2)

	// The fake keeps every send it accepted; forget them before weighing the heap.
	srv.Reset()
	heapAfter := heapAlloc()
	slack := max(uint64(8<<20), heapBefore/2)
	if heapAfter > heapBefore+slack {
		t.Errorf("heap %d KiB after the soak, %d KiB before (slack %d KiB)", heapAfter>>10, heapBefore>>10, slack>>10)
	}
	t.Logf("heap %d KiB before, %d KiB after", heapBefore>>10, heapAfter>>10)
	runtime.KeepAlive(client)
}

func soakText(i int) string { return "soak message " + strconv.Itoa(i) }
