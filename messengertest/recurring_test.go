package messengertest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/google/go-cmp/cmp"
)

func TestOptsInRecurring(t *testing.T) {
	t.Parallel()
	hook := &hookRecorder{t: t, secret: DefaultAppSecret}
	srv := NewServer(t, WithNow(testNow), WithWebhook(hook), WithRecurringExemptRegion())
	u := srv.User(testPSID)
	if _, err := u.Says("hi"); err != nil {
		t.Fatal(err)
	}
	tok, err := u.OptsInRecurring("deals", "daily")
	if err != nil {
		t.Fatal(err)
	}
	evs := parseHooks(t, hook.got())
	opt, ok := evs[len(evs)-1].(*messenger.OptinEvent)
	if !ok {
		t.Fatalf("last event is %T, want *messenger.OptinEvent", evs[len(evs)-1])
	}
	got := struct {
		Type, Payload, Token, Frequency, Status string
		Expiry                                  time.Time
	}{opt.Type, opt.Payload, opt.NotificationMessagesToken, opt.Frequency, opt.TokenStatus, opt.TokenExpiry}
	want := got
	want.Type, want.Payload, want.Token, want.Frequency, want.Status, want.Expiry = "notification_messages", "deals", tok, "DAILY", "NOT_REFRESHED", testNow.AddDate(0, 6, 0)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("optin (-want +got):\n%s", diff)
	}

	c := srv.Client(messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1}))
	send := func() error {
		_, err := c.Send(context.Background(), messenger.SendRequest{To: messenger.RecurringToken(tok), Message: messenger.Text("Today's deal")})
		return err
	}
	steps := []struct {
		name     string
		advance  time.Duration
		wantCode int
		wantSub  int
	}{
		{"first send", 0, 0, 0},
		{"again the same day", time.Hour, 4, 2018354},
		{"a day later", 23 * time.Hour, 0, 0},
		{"after expiry", 200 * 24 * time.Hour, 100, 0},
	}
	for _, st := range steps {
		srv.Advance(st.advance)
		err := send()
		if st.wantCode == 0 {
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			continue
		}
		var ge *messenger.GraphError
		if !asGraphError(err, &ge) || ge.Code != st.wantCode || ge.Subcode != st.wantSub {
			t.Fatalf("%s: error = %v, want %d/%d", st.name, err, st.wantCode, st.wantSub)
		}
	}
	if n := len(srv.Sent()); n != 2 {
		t.Errorf("accepted %d sends, want 2", n)
	}
}

func TestRecurringDiscontinuedOutsideExemptRegions(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithNow(testNow))
	tok, err := srv.User(testPSID).OptsInRecurring("deals", "WEEKLY")
	if err != nil {
		t.Fatal(err)
	}
	_, err = srv.Client(messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1})).Send(context.Background(),
		messenger.SendRequest{To: messenger.RecurringToken(tok), Message: messenger.Text("deal")})
	var ge *messenger.GraphError
	if !asGraphError(err, &ge) || ge.Code != 100 {
		t.Fatalf("send after 2026-02-10 outside exempt regions: error = %v, want code 100", err)
	}
	if _, err := srv.User(testPSID).OptsInRecurring("x", "HOURLY"); err == nil || !strings.Contains(err.Error(), "HOURLY") {
		t.Errorf("bad frequency: error = %v, want one naming the value", err)
	}
}

func TestControlRecurringOptin(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithNow(testNow), WithRecurringExemptRegion())
	status, body := rawCall(t, "POST", srv.URL+"/_fake/users/42/optin", "application/json", `{"type":"notification_messages","payload":"deals","frequency":"MONTHLY"}`)
	var out map[string]string
	if err := json.Unmarshal([]byte(body), &out); status != 200 || err != nil || !strings.HasPrefix(out["notification_messages_token"], "nmt_") {
		t.Fatalf("optin: %d %s", status, body)
	}
	send := `{"recipient":{"notification_messages_token":"` + out["notification_messages_token"] + `"},"message":{"text":"deal"}}`
	if st, b := rawCall(t, "POST", srv.URL+"/v25.0/me/messages?access_token="+srv.PageToken(), "application/json", send); st != 200 {
		t.Fatalf("send with the token: %d %s", st, b)
	}
	if st, b := rawCall(t, "POST", srv.URL+"/_fake/users/42/optin", "application/json", `{"type":"notification_messages","frequency":"YEARLY"}`); st != 400 {
		t.Errorf("bad frequency: %d %s, want 400", st, b)
	}
}

func asGraphError(err error, ge **messenger.GraphError) bool { return errors.As(err, ge) }
