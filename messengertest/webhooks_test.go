package messengertest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gomessenger/messenger"
	"github.com/google/go-cmp/cmp"
)

// hookRecorder is a webhook target that checks both signatures and keeps bodies.
type hookRecorder struct {
	t      *testing.T
	secret string
	status int
	mu     sync.Mutex
	bodies []string
}

func (h *hookRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := messenger.VerifySignature(body, r.Header.Get("X-Hub-Signature-256"), h.secret); err != nil {
		h.t.Errorf("X-Hub-Signature-256: %v", err)
	}
	if err := messenger.VerifySignatureSHA1(body, r.Header.Get("X-Hub-Signature"), h.secret); err != nil {
		h.t.Errorf("X-Hub-Signature: %v", err)
	}
	h.mu.Lock()
	h.bodies = append(h.bodies, string(body))
	status := h.status
	h.mu.Unlock()
	if status != 0 {
		w.WriteHeader(status)
	}
}

func (h *hookRecorder) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.bodies...)
}

// items flattens the bodies into "key:value" summaries of each messaging item.
func items(t *testing.T, bodies []string) []string {
	t.Helper()
	var out []string
	for _, b := range bodies {
		var env struct {
			Object string
			Entry  []struct {
				ID        string
				Messaging []map[string]json.RawMessage
				Standby   []map[string]json.RawMessage
				Changes   []struct{ Field string }
			}
		}
		if err := json.Unmarshal([]byte(b), &env); err != nil || env.Object != "page" {
			t.Fatalf("bad envelope %s: %v", b, err)
		}
		for _, e := range env.Entry {
			for _, group := range []struct {
				name  string
				items []map[string]json.RawMessage
			}{{"", e.Messaging}, {"standby:", e.Standby}} {
				for _, it := range group.items {
					for k := range it {
						switch k {
						case "sender", "recipient", "timestamp":
						default:
							out = append(out, group.name+k)
						}
					}
				}
			}
			for _, c := range e.Changes {
				out = append(out, "changes:"+c.Field)
			}
		}
	}
	return out
}

func TestUserActionsDeliverSignedWebhooks(t *testing.T) {
	t.Parallel()
	hook := &hookRecorder{t: t, secret: "shh"}
	srv := NewServer(t, WithNow(testNow), WithAppSecret("shh"), WithWebhook(hook))
	u := srv.User("42")
	if err := u.OpensLink("summer"); err != nil { // new person, no Get Started: nothing
		t.Fatal(err)
	}
	if len(hook.got()) != 0 {
		t.Fatalf("a new person without get_started produced %v", hook.got())
	}
	if err := post(t, srv.Client(), "me/messenger_profile", obj{"get_started": obj{"payload": "START"}}, nil); err != nil {
		t.Fatal(err)
	}
	steps := []func() error{
		func() error { return u.OpensLink("summer") }, // Get Started postback with referral
		func() error { return u.OpensLink("again") },  // referral into the existing thread
		func() error { _, err := u.Says("Grüße 👋"); return err },
		func() error { _, err := u.TapsQuickReply("Red", "RED"); return err },
		func() error { _, err := u.TapsPostback("Buy", "BUY"); return err },
		func() error { return u.ArrivesFromAd("6001", "ad-ref") },
		func() error { _, err := u.OptsIn("restock"); return err },
		func() error { return u.Reacts("m_1", "love") },
		u.Reads,
		func() error { _, err := u.Comments("nice hat"); return err },
		func() error { return u.HandOver(PageInboxAppID, "human") },
		func() error { _, err := u.Says("still there?"); return err },
		func() error { return u.HandOver(DefaultAppID, "") },
		func() error { return u.RequestsThread(PageInboxAppID, "") },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	want := []string{"postback", "referral", "message", "message", "postback", "referral", "optin", "reaction", "read",
		"changes:feed", "take_thread_control", "standby:message", "pass_thread_control", "request_thread_control"}
	bodies := hook.got()
	if diff := cmp.Diff(want, items(t, bodies)); diff != "" {
		t.Errorf("delivered items (-want +got):\n%s", diff)
	}
	// The SDK's parser reads every delivery back into the event the action meant.
	var kinds []string
	for _, b := range bodies {
		evs, err := messenger.ParseEvents([]byte(b))
		if err != nil || len(evs) != 1 {
			t.Fatalf("ParseEvents(%s) = %v, %v", b, evs, err)
		}
		kinds = append(kinds, evs[0].Kind())
		if evs[0].Info().PageID != srv.PageID() || (evs[0].Kind() != "feed" && evs[0].Info().Time.UnixMilli() != testNow.UnixMilli()) {
			t.Errorf("event info = %+v", evs[0].Info())
		}
	}
	wantKinds := []string{"postback", "referral", "message", "message", "postback", "referral", "optin", "reaction", "read",
		"feed", "take_thread_control", "message", "pass_thread_control", "request_thread_control"}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("parsed kinds (-want +got):\n%s", diff)
	}
	first, _ := messenger.ParseEvents([]byte(bodies[0]))
	pb, ok := first[0].(*messenger.PostbackEvent)
	if !ok || pb.Payload != "START" || pb.Referral == nil || pb.Referral.Ref != "summer" || pb.Referral.Source != "SHORTLINK" {
		t.Errorf("Get Started postback = %+v", first[0])
	}
	standby, _ := messenger.ParseEvents([]byte(bodies[11]))
	if !standby[0].Info().Standby {
		t.Errorf("message during another app's control not on standby: %s", bodies[11])
	}
	if !strings.Contains(bodies[2], `Gr\u00fc\u00dfe \ud83d\udc4b`) {
		t.Errorf("non-ASCII not escaped as Meta does: %s", bodies[2])
	}
	qr, _ := messenger.ParseEvents([]byte(bodies[3]))
	if m, ok := qr[0].(*messenger.MessageEvent); !ok || m.Message.QuickReply == nil || m.Message.QuickReply.Payload != "RED" || m.Message.Text != "Red" {
		t.Errorf("quick reply = %s", bodies[3])
	}
	if !strings.Contains(bodies[9], `"item":"comment"`) || !strings.Contains(bodies[9], `"created_time":`+itoa(testNow.Unix())) {
		t.Errorf("feed change = %s", bodies[9])
	}
	if got := srv.Webhooks(); len(got) != len(bodies) || got[0].Status != 200 {
		t.Errorf("Webhooks() = %d records, first status %d", len(got), got[0].Status)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestDeliveryModes(t *testing.T) {
	t.Parallel()
	hook := &hookRecorder{t: t, secret: DefaultAppSecret}
	srv := NewServer(t, WithWebhook(hook), WithDelivery(Delivery{Duplicates: 1}))
	u := srv.User("1")
	if _, err := u.Says("a"); err != nil {
		t.Fatal(err)
	}
	if got := hook.got(); len(got) != 2 || got[0] != got[1] {
		t.Fatalf("duplicates: got %d bodies", len(got))
	}

	// Batching: three events, two per POST, newest first.
	hook.bodies = nil
	if err := srv.SetDelivery(Delivery{BatchSize: 2, Hold: true, OutOfOrder: true}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"one", "two", "three"} {
		if _, err := u.Says(s); err != nil {
			t.Fatal(err)
		}
	}
	if len(hook.got()) != 0 {
		t.Fatal("held events were delivered before Flush")
	}
	if err := srv.Flush(); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, b := range hook.got() {
		var env struct {
			Entry []struct {
				Messaging []struct{ Message struct{ Text string } }
			}
		}
		_ = json.Unmarshal([]byte(b), &env)
		var texts []string
		for _, e := range env.Entry {
			texts = append(texts, e.Messaging[0].Message.Text)
		}
		order = append(order, strings.Join(texts, "+"))
	}
	if diff := cmp.Diff([]string{"three", "two+one"}, order); diff != "" {
		t.Errorf("POSTs (-want +got):\n%s", diff)
	}

	// Auto-flush at BatchSize without Hold.
	hook.bodies = nil
	_ = srv.SetDelivery(Delivery{BatchSize: 2})
	u.Says("x")
	if len(hook.got()) != 0 {
		t.Fatal("delivered before the batch filled")
	}
	u.Says("y")
	if len(hook.got()) != 1 {
		t.Fatalf("batch of 2 gave %d POSTs", len(hook.got()))
	}

	// Retries on failure, then the error.
	hook.bodies = nil
	hook.status = 500
	_ = srv.SetDelivery(Delivery{Retries: 2})
	if _, err := u.Says("z"); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("failing webhook: err = %v", err)
	}
	if n := len(hook.got()); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
}

func TestWebhookURLAndNoTarget(t *testing.T) {
	t.Parallel()
	hook := &hookRecorder{t: t, secret: DefaultAppSecret}
	ts := httptest.NewServer(hook)
	t.Cleanup(ts.Close)
	srv := NewServer(t)
	if _, err := srv.User("1").Says("nobody listens"); err != nil {
		t.Fatal(err)
	}
	if w := srv.Webhooks(); len(w) != 1 || w[0].Err != ErrNoWebhook {
		t.Errorf("without a target: %+v", w)
	}
	if err := srv.SetWebhookURL(ts.URL + "/webhook"); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.User("1").Says("over HTTP"); err != nil {
		t.Fatal(err)
	}
	if len(hook.got()) != 1 {
		t.Errorf("URL target got %d bodies", len(hook.got()))
	}
	if err := srv.SetWebhookURL("nope"); err == nil {
		t.Error("SetWebhookURL accepted a bad URL")
	}
	if err := srv.User("1").Reacts("m", "meh"); err == nil {
		t.Error("Reacts accepted an unknown reaction")
	}
}
