package messenger

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestThreadControlCalls(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"success":true}`))
	ctx := context.Background()
	if err := c.PassThreadControl(ctx, "1254", PageInboxAppID, "needs a human"); err != nil {
		t.Fatal(err)
	}
	if err := c.PassThreadControl(ctx, "1254", "", ""); err != nil {
		t.Fatal(err)
	}
	if err := c.RequestThreadControl(ctx, "1254", "please"); err != nil {
		t.Fatal(err)
	}
	if err := c.ReleaseThreadControl(ctx, "1254", ""); err != nil {
		t.Fatal(err)
	}
	own, err := c.TakeThreadControl(ctx, "1254", "taking over")
	if err != nil || own != nil {
		t.Fatalf("take (old answer) = %+v, %v; want nil, nil", own, err)
	}
	want := []struct{ path, body string }{
		{"/v25.0/me/pass_thread_control", `{"recipient":{"id":"1254"},"target_app_id":263902037430900,"metadata":"needs a human"}`},
		{"/v25.0/me/pass_thread_control", `{"recipient":{"id":"1254"}}`},
		{"/v25.0/me/request_thread_control", `{"recipient":{"id":"1254"},"metadata":"please"}`},
		{"/v25.0/me/release_thread_control", `{"recipient":{"id":"1254"}}`},
		{"/v25.0/me/take_thread_control", `{"recipient":{"id":"1254"},"metadata":"taking over"}`},
	}
	got := calls()
	if len(got) != len(want) {
		t.Fatalf("%d calls, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Method != http.MethodPost || got[i].Path != w.path {
			t.Errorf("call %d = %s %s, want POST %s", i, got[i].Method, got[i].Path, w.path)
		}
		assertJSON(t, w.body, got[i].Body)
	}
}

func TestTakeThreadControlNewAnswer(t *testing.T) {
	t.Parallel()
	c, _ := stubGraph(t, answer(200, `{"data":[{"thread_owner":{"app_id":"12345678910","expiration":1767225600}}]}`))
	own, err := c.TakeThreadControl(context.Background(), "1254", "")
	if err != nil {
		t.Fatal(err)
	}
	want := &ThreadOwnership{AppID: "12345678910", Expiration: time.Unix(1767225600, 0).UTC()}
	if diff := cmp.Diff(want, own); diff != "" {
		t.Errorf("ownership (-want +got):\n%s", diff)
	}
}

func TestThreadControlFailures(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"success":false}`))
	ctx := context.Background()
	if err := c.PassThreadControl(ctx, "1", "2", ""); err == nil {
		t.Error("success=false: no error")
	}
	if _, err := c.TakeThreadControl(ctx, "1", ""); err == nil {
		t.Error("take success=false: no error")
	}
	checkViolation(t, c.PassThreadControl(ctx, "", "2", ""), "recipient.id")
	checkViolation(t, c.PassThreadControl(ctx, "1", "inbox", ""), "target_app_id")
	checkViolation(t, c.RequestThreadControl(ctx, "1/../me", ""), "recipient.id")
	if n := len(calls()); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}

	c, _ = stubGraph(t, answer(400, `{"error":{"message":"(#10) another app is controlling this thread","code":10,"error_subcode":2018300}}`))
	if _, err := c.Send(ctx, SendRequest{To: PSID("1"), Type: Response, Message: Text("hi")}); !errors.Is(err, ErrThreadOwnedByOtherApp) {
		t.Errorf("err = %v, want ErrThreadOwnedByOtherApp", err)
	}
}

func TestThreadOwner(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer string
		want   *ThreadOwnership
	}{
		{"string id", `{"data":[{"thread_owner":{"app_id":"12345678910"}}]}`, &ThreadOwnership{AppID: "12345678910"}},
		{"numeric id", `{"data":[{"thread_owner":{"app_id":12345678910}}]}`, &ThreadOwnership{AppID: "12345678910"}},
		{"idle", `{"data":[]}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, calls := stubGraph(t, answer(200, tc.answer), WithPageID("777"))
			got, err := c.ThreadOwner(context.Background(), "1254")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			call := calls()[0]
			if call.Method != http.MethodGet || call.Path != "/v25.0/777/thread_owner" || call.Query != "recipient=1254" {
				t.Errorf("call = %s %s?%s", call.Method, call.Path, call.Query)
			}
		})
	}
}

func TestSecondaryReceivers(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"data":[{"id":"12345678910","name":"David's Composer"},{"id":23456789101,"name":"Messenger Rocks"}]}`))
	got, err := c.SecondaryReceivers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []SecondaryReceiver{{ID: "12345678910", Name: "David's Composer"}, {ID: "23456789101", Name: "Messenger Rocks"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if call := calls()[0]; call.Path != "/v25.0/me/secondary_receivers" || call.Query != "fields=id%2Cname" {
		t.Errorf("call = %s?%s", call.Path, call.Query)
	}
}
