package messengertest

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/responsiveness"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestEchoes(t *testing.T) {
	t.Parallel()
	hook := &hookRecorder{t: t, secret: DefaultAppSecret}
	srv := NewServer(t, WithNow(testNow), WithWebhook(hook), WithEchoes())
	u := srv.User(testPSID)
	if _, err := u.Says("hello"); err != nil {
		t.Fatal(err)
	}
	if err := u.ChecksBox("ref-1"); err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	ctx := context.Background()
	res, err := c.Send(ctx, messenger.SendRequest{To: messenger.PSID(testPSID), Type: messenger.Response,
		Message: messenger.Text("Hi Ada").WithMetadata("bot-v2")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendAction(ctx, messenger.PSID(testPSID), messenger.TypingOn, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(ctx, messenger.SendRequest{To: messenger.UserRef("ref-1"), Type: messenger.Response, Message: messenger.Text("by ref")}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Flush(); err != nil {
		t.Fatal(err)
	}
	var echoes []*messenger.EchoEvent
	for _, ev := range parseHooks(t, hook.got()) {
		if e, ok := ev.(*messenger.EchoEvent); ok {
			echoes = append(echoes, e)
		}
	}
	want := []*messenger.EchoEvent{{
		EventInfo: messenger.EventInfo{PageID: srv.PageID(), Sender: messenger.Party{ID: srv.PageID()}, Recipient: messenger.Party{ID: testPSID}, Time: testNow},
		Message:   messenger.ReceivedMessage{MID: res.MessageID, Text: "Hi Ada", IsEcho: true, AppID: srv.AppID(), Metadata: "bot-v2"},
	}}
	// Only the message to the PSID is echoed: not the sender action, not the user_ref send.
	if diff := cmp.Diff(want, echoes, cmpopts.EquateEmpty(), cmpopts.IgnoreUnexported(messenger.EventInfo{})); diff != "" {
		t.Errorf("echoes (-want +got):\n%s", diff)
	}
}

func TestEchoesOffByDefaultAndWithoutTarget(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts func(h http.Handler) []Option
	}{
		{"default off", func(h http.Handler) []Option { return []Option{WithWebhook(h)} }},
		{"no target", func(http.Handler) []Option { return []Option{WithEchoes()} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hook := &hookRecorder{t: t, secret: DefaultAppSecret}
			srv := NewServer(t, append([]Option{WithNow(testNow)}, tt.opts(hook)...)...)
			if _, err := srv.User(testPSID).Says("hello"); err != nil {
				t.Fatal(err)
			}
			n := len(srv.Webhooks())
			if _, err := srv.Client().Send(context.Background(), messenger.SendRequest{To: messenger.PSID(testPSID), Type: messenger.Response, Message: messenger.Text("hi")}); err != nil {
				t.Fatal(err)
			}
			if err := srv.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := len(srv.Webhooks()); got != n {
				t.Errorf("webhooks after the send: %d, want %d (no echo)", got, n)
			}
		})
	}
}

// sendingHook is a webhook handler that answers each message from inside its own
// delivery, before writing its HTTP answer: the pattern that would deadlock if the
// fake delivered the echo before answering the send.
type sendingHook struct {
	t      *testing.T
	client *messenger.Client
	agg    *responsiveness.Aggregator
}

func (h *sendingHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	evs, err := messenger.ParseEvents(body)
	if err != nil {
		h.t.Errorf("ParseEvents: %v", err)
		return
	}
	for _, ev := range evs {
		h.agg.Observe(ev)
		if m, ok := ev.(*messenger.MessageEvent); ok {
			_, err := h.client.Send(r.Context(), messenger.SendRequest{To: messenger.PSID(m.Sender.ID), Type: messenger.Response, Message: messenger.Text("got: " + m.Message.Text)})
			if err != nil {
				h.t.Errorf("Send from the webhook: %v", err)
			}
		}
	}
}

// TestEchoesFromInsideWebhookAndResponsiveness sends from inside a synchronous
// webhook delivery with echoes on (it must not deadlock) and computes the Page's
// responsiveness from the events the fake delivered, echoes included.
func TestEchoesFromInsideWebhookAndResponsiveness(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithNow(testNow), WithEchoes())
	h := &sendingHook{t: t, client: srv.Client(), agg: responsiveness.NewAggregator(0)}
	srv.SetWebhook(h)
	done := make(chan error, 1)
	go func() {
		_, err := srv.User(testPSID).Says("where is my order?")
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second): // a failure bound, not a wait
		t.Fatal("Says did not return: the echo delivery deadlocked")
	}
	if err := srv.Flush(); err != nil {
		t.Fatal(err)
	}
	reports := h.agg.Report(testNow.Add(-time.Hour), testNow.Add(time.Hour), responsiveness.Options{})
	if len(reports) != 1 {
		t.Fatalf("reports = %+v, want one for the Page", reports)
	}
	r := reports[0]
	if r.Page != srv.PageID() || r.Inquiries != 1 || r.Answered != 1 || r.ResponseRate != 1 || len(r.Unanswered) != 0 {
		t.Errorf("report = %+v, want Page %s with 1 inquiry answered", r, srv.PageID())
	}
}

func TestControlDeliveryEchoes(t *testing.T) {
	t.Parallel()
	hook := &hookRecorder{t: t, secret: DefaultAppSecret}
	srv := NewServer(t, WithNow(testNow), WithWebhook(hook))
	if st, body := rawCall(t, "POST", srv.URL+"/_fake/delivery", "application/json", `{"echoes":true}`); st != 200 {
		t.Fatalf("delivery: %d %s", st, body)
	}
	if _, err := srv.User(testPSID).Says("hi"); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Client().Send(context.Background(), messenger.SendRequest{To: messenger.PSID(testPSID), Type: messenger.Response, Message: messenger.Text("hello")}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Flush(); err != nil {
		t.Fatal(err)
	}
	evs := parseHooks(t, hook.got())
	if len(evs) != 2 {
		t.Fatalf("got %d events, want a message and its echo", len(evs))
	}
	if e, ok := evs[1].(*messenger.EchoEvent); !ok || e.Message.Text != "hello" || !e.Message.IsEcho {
		t.Errorf("second event = %#v, want the echo of \"hello\"", evs[1])
	}
}
