package messengertest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	send := func() error { return post(t, c, "me/messages", text(testPSID, "hi"), nil) }

	if err := srv.InjectFault(Fault{Endpoint: EndpointMessages, Count: 2, Code: 613}); err != nil {
		t.Fatal(err)
	}
	ge := wantGraphError(t, send(), 613, 0)
	if ge.Usage.Empty() && ge.RetryAfter == 0 {
		t.Errorf("throttling error without usage header: %+v", ge)
	}
	wantGraphError(t, send(), 613, 0)
	if err := send(); err != nil {
		t.Fatalf("fault not spent after Count: %v", err)
	}

	// Recipient and endpoint must both match.
	_ = srv.InjectFault(Fault{Recipient: "someone-else", Code: 2})
	_ = srv.InjectFault(Fault{Endpoint: EndpointPersonas, Code: 2})
	if err := send(); err != nil {
		t.Fatalf("non-matching fault fired: %v", err)
	}
	srv.ClearFaults()

	// A bare HTTP status with a text body.
	_ = srv.InjectFault(Fault{Recipient: testPSID, Status: 502, Count: 1})
	err := send()
	var ge2 *messenger.GraphError
	if err == nil || (errors.As(err, &ge2) && ge2.HTTPStatus != 502) {
		t.Errorf("status fault: %v", err)
	}

	// A Graph error with a chosen status and message.
	_ = srv.InjectFault(Fault{Code: 10, Subcode: 2018278, Status: 403, Message: "custom", Count: 1})
	ge = wantGraphError(t, send(), 10, 2018278)
	if ge.HTTPStatus != 403 || !strings.Contains(ge.Message, "custom") {
		t.Errorf("custom fault = %+v", ge)
	}

	// Dropped connection: the client cannot know whether the send happened.
	_ = srv.InjectFault(Fault{DropConnection: true, Count: 1})
	if err := send(); err == nil {
		t.Error("dropped connection gave no error")
	}

	// Latency: a client deadline shorter than the delay fails.
	_ = srv.InjectFault(Fault{Latency: 200 * time.Millisecond, Count: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := c.Do(ctx, "POST", "me/messages", text(testPSID, "slow"), nil); err == nil {
		t.Error("latency fault did not delay past the deadline")
	}

	for _, bad := range []Fault{{}, {Code: 1, Probability: 2}, {Code: 1, Count: -1}, {Endpoint: "nope", Code: 1}, {Status: 42}} {
		if err := srv.InjectFault(bad); err == nil {
			t.Errorf("InjectFault accepted %+v", bad)
		}
	}
}

// TestFaultProbabilityRepeats: the same seed fails the same calls.
func TestFaultProbabilityRepeats(t *testing.T) {
	t.Parallel()
	pattern := func() string {
		srv, c := newFake(t)
		_ = srv.InjectFault(Fault{Probability: 0.5, Seed: 7, Code: 2})
		var b strings.Builder
		for range 20 {
			if post(t, c, "me/messages", text(testPSID, "hi"), nil) != nil {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	a, b := pattern(), pattern()
	if a != b || !strings.Contains(a, "x") || !strings.Contains(a, ".") {
		t.Errorf("patterns %q and %q: want equal and mixed", a, b)
	}
}

func TestWaitForSentAndReset(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	done := make(chan []SendRecord)
	go func() {
		recs, err := srv.WaitForSent(context.Background(), 3)
		if err != nil {
			t.Error(err)
		}
		done <- recs
	}()
	for i := range 3 {
		if err := post(t, c, "me/messages", text(testPSID, string(rune('a'+i))), nil); err != nil {
			t.Fatal(err)
		}
	}
	if recs := <-done; len(recs) != 3 || recs[2].Message.Text != "c" {
		t.Errorf("WaitForSent = %+v", recs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := srv.WaitForSent(ctx, 10); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait: %v", err)
	}
	srv.Reset()
	if len(srv.Sent()) != 0 || len(srv.Webhooks()) != 0 {
		t.Error("Reset kept records")
	}
	wantGraphError(t, post(t, c, "me/messages", text(testPSID, "who?"), nil), 100, 2018001)
	if !srv.Now().Equal(testNow) {
		t.Error("Reset moved the clock")
	}
	go func() { _ = srv.Close() }()
	if _, err := srv.WaitForSent(context.Background(), 1); !errors.Is(err, ErrClosed) {
		t.Errorf("wait across Close: %v", err)
	}
}

func TestControlAPI(t *testing.T) {
	t.Parallel()
	hook := &hookRecorder{t: t, secret: DefaultAppSecret}
	srv := NewServer(t, WithNow(testNow), WithWebhook(hook))
	ctl := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		status, out := rawCall(t, method, srv.URL+"/_fake/"+path, "application/json", body)
		var m map[string]any
		_ = json.Unmarshal([]byte(out), &m)
		return status, m
	}
	if st, out := ctl("POST", "users/42/message", `{"text":"hi"}`); st != 200 || out["mid"] == "" {
		t.Fatalf("message: %d %v", st, out)
	}
	if st, out := ctl("POST", "users/42/optin", `{"payload":"restock"}`); st != 200 || !strings.HasPrefix(out["one_time_notif_token"].(string), "otn_") {
		t.Fatalf("optin: %d %v", st, out)
	}
	if st, out := ctl("POST", "users/42/comment", `{"message":"nice"}`); st != 200 || out["comment_id"] == "" || out["post_id"] != srv.DefaultPostID() {
		t.Fatalf("comment: %d %v", st, out)
	}
	for _, p := range []struct{ path, body string }{
		{"users/42/postback", `{"title":"Buy","payload":"BUY"}`},
		{"users/42/referral", `{"ref":"x"}`},
		{"users/42/referral", `{"source":"ADS","ad_id":"1"}`},
		{"users/42/reaction", `{"mid":"m_1"}`},
		{"users/42/read", ``},
		{"users/42/post", `{"message":"hello page"}`},
		{"users/42/name", `{"first_name":"Ada","last_name":"L"}`},
		{"users/42/handover", `{"app_id":"263902037430900"}`},
		{"users/42/handover", `{"app_id":"` + DefaultAppID + `"}`},
		{"users/42/block", `{"blocked":false}`},
		{"delivery", `{"duplicates":0}`},
		{"flush", ``},
		{"faults", `{"endpoint":"personas","code":2,"latency":"1ms"}`},
	} {
		if st, out := ctl("POST", p.path, p.body); st != 200 || out["webhook_error"] != nil {
			t.Errorf("%s: %d %v", p.path, st, out)
		}
	}
	if st, out := ctl("POST", "clock", `{"advance":"25h"}`); st != 200 || out["now"] != testNow.Add(25*time.Hour).Format(time.RFC3339Nano) {
		t.Errorf("clock: %d %v", st, out)
	}
	c := srv.Client()
	wantGraphError(t, post(t, c, "me/messages", text("42", "late"), nil), 10, 2018278)
	ctl("POST", "clock", `{"now":"`+testNow.Format(time.RFC3339)+`"}`)
	if err := post(t, c, "me/messages", text("42", "on time"), nil); err != nil {
		t.Fatal(err)
	}
	status, sent := rawCall(t, "GET", srv.URL+"/_fake/sent", "", "")
	var list []map[string]any
	if err := json.Unmarshal([]byte(sent), &list); status != 200 || err != nil || len(list) != 1 || list[0]["time"] == nil || list[0]["message"] == nil {
		t.Fatalf("sent: %d %s", status, sent)
	}
	if st, _ := rawCall(t, "GET", srv.URL+"/_fake/webhooks", "", ""); st != 200 {
		t.Errorf("webhooks: %d", st)
	}
	for _, bad := range []struct{ method, path, body string }{
		{"POST", "users/42/dance", `{}`},
		{"GET", "users/42/message", ``},
		{"POST", "users/42/message", `{}`},
		{"POST", "users/42/message", `{`},
		{"POST", "clock", `{"advance":"-1h"}`},
		{"POST", "clock", `{"now":"yesterday"}`},
		{"POST", "faults", `{}`},
		{"POST", "nothing", ``},
		{"GET", "reset", ``},
	} {
		if st, out := ctl(bad.method, bad.path, bad.body); st < 400 || out["error"] == nil {
			t.Errorf("%s %s %s: %d %v, want a 4xx with an error", bad.method, bad.path, bad.body, st, out)
		}
	}
	if st, _ := ctl("DELETE", "faults", ""); st != 200 {
		t.Error("DELETE faults")
	}
	if st, _ := ctl("POST", "reset", ""); st != 200 || len(srv.Sent()) != 0 {
		t.Error("reset")
	}
}
