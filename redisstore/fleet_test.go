package redisstore_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/otn"
	"github.com/gomessenger/messenger/redisstore"
	"github.com/gomessenger/messenger/store"
)

// The environment that turns TestFleetInstance into one bot instance of TestFleet.
const (
	fleetPrefixEnv = "REDISSTORE_FLEET_PREFIX"
	fleetGraphEnv  = "REDISSTORE_FLEET_GRAPH"
	fleetSecret    = "fleet-app-secret"
	fleetPage      = "1001"
	fleetUser      = "2002"
)

var fleetBody = []byte(`{"object":"page","entry":[{"id":"1001","time":1772366400000,"messaging":[{"sender":{"id":"2002"},"recipient":{"id":"1001"},"timestamp":1772366400000,"message":{"mid":"m_fleet_1","text":"is it back in stock?"}}]}]}`)

// TestFleetInstance is not a test on its own: as a child process it is one bot
// instance sharing Redis with another. It receives the same signed webhook body the
// other instance receives, then tries to notify the same person with the same
// one-time token, and prints what it did.
func TestFleetInstance(t *testing.T) {
	prefix := os.Getenv(fleetPrefixEnv)
	if prefix == "" {
		t.Skip("helper process of TestFleet")
	}
	c := client(t)
	ctx := context.Background()
	st := newStore(t, c, redisstore.WithPrefix(prefix))

	var dispatched atomic.Int32
	wh, err := messenger.NewWebhook(fleetSecret, "verify", messenger.WithDedupe(st), messenger.WithWindows(st))
	if err != nil {
		t.Fatal(err)
	}
	messenger.On(wh, func(ctx context.Context, ev *messenger.MessageEvent) error {
		dispatched.Add(1)
		return nil
	})
	graph, err := messenger.New("fleet-token", messenger.WithBaseURL(os.Getenv(fleetGraphEnv)), messenger.WithPageID(fleetPage))
	if err != nil {
		t.Fatal(err)
	}
	notifier, err := otn.New(graph, st)
	if err != nil {
		t.Fatal(err)
	}

	awaitStart(t, c, prefix) // both instances start together, so they really race

	postOK(t, wh, fleetBody)
	if err := wh.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("dispatched %d\n", dispatched.Load())

	_, err = notifier.Notify(ctx, fleetPage, fleetUser, "restock", messenger.Text("It's back!"))
	switch {
	case err == nil:
		fmt.Println("notify sent")
	case errors.Is(err, otn.ErrNoToken):
		fmt.Println("notify no-token")
	default:
		t.Fatalf("Notify: %v", err)
	}
	if err := wh.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// Two bot instances behind a load balancer share one Redis. Meta delivers the same
// webhook body to both (a redelivery landing on the other instance): it is handled
// once. Both try to spend the person's one notification token: one message goes out.
func TestFleet(t *testing.T) {
	c := client(t)
	prefix := freshPrefix(t, c)
	ctx := t.Context()

	var sends atomic.Int32
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), `"one_time_notif_token":"otn-1"`) {
			http.Error(w, `{"error":{"message":"unexpected request","code":100}}`, http.StatusBadRequest)
			return
		}
		n := sends.Add(1)
		fmt.Fprintf(w, `{"recipient_id":%q,"message_id":"m_%d"}`, fleetUser, n)
	}))
	t.Cleanup(graph.Close)

	st := newStore(t, c, redisstore.WithPrefix(prefix))
	issued := time.Now().Add(-time.Hour)
	if err := st.PutToken(ctx, store.Token{Value: "otn-1", Kind: store.OneTimeKind, Page: fleetPage, User: fleetUser,
		Topic: "restock", IssuedAt: issued, ExpiresAt: issued.AddDate(1, 0, 0)}); err != nil {
		t.Fatal(err)
	}

	outs := raceInstances(t, c, prefix, "TestFleetInstance", fleetPrefixEnv+"="+prefix, fleetGraphEnv+"="+graph.URL)
	dispatched, notified, refused := 0, 0, 0
	for i := range outs {
		sc := bufio.NewScanner(&outs[i])
		for sc.Scan() {
			var n int
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "dispatched "):
				fmt.Sscan(strings.TrimPrefix(line, "dispatched "), &n)
				dispatched += n
			case line == "notify sent":
				notified++
			case line == "notify no-token":
				refused++
			}
		}
	}
	if dispatched != 1 {
		t.Errorf("the event was dispatched %d times across the fleet, want 1", dispatched)
	}
	if notified != 1 || refused != 1 {
		t.Errorf("Notify: %d sent and %d refused, want 1 and 1", notified, refused)
	}
	if n := sends.Load(); n != 1 {
		t.Errorf("Graph received %d sends with the token, want 1", n)
	}
	w, err := st.Window(ctx, fleetPage, fleetUser)
	if err != nil {
		t.Fatal(err)
	}
	if w.LastMessage.IsZero() {
		t.Error("the message did not open the window in the shared store")
	}
}

// postOK gives wh body signed with fleetSecret, as Meta would, and fails t unless
// it answers 200.
func postOK(t *testing.T, wh *messenger.Webhook, body []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	req.Header.Set(messenger.SignatureHeader, messenger.SignPayload(body, fleetSecret))
	rec := httptest.NewRecorder()
	wh.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("webhook answered %d: %s", rec.Code, rec.Body)
	}
}
