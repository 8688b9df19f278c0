package main

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/messengertest"
	"github.com/google/go-cmp/cmp"
)

func TestRunDemo(t *testing.T) {
	var out bytes.Buffer
	env := func(k string) string {
		if k == "DATA_DIR" {
			return t.TempDir()
		}
		return ""
	}
	if err := run(t.Context(), env, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, &out)
	}
	for _, want := range []string{
		"plan: 7 recipients, 5 sendable, 1 skipped, 1 invalid",
		"interrupted",
		"Graph refuses the Page itself",
		"from earlier runs)",
		"Page → Dan (UPDATE): Hi Dan, the blue kettle is back in stock!",
		"Page → Bob (one-time token): Hi Bob, the blue kettle is back in stock!",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &out)
		}
	}
}

// TestDemoReachesEachPersonOnce checks what the fake Graph API accepted over
// both runs: one message per reachable person, by the way the rules allow.
func TestDemoReachesEachPersonOnce(t *testing.T) {
	srv := messengertest.NewServer(t, messengertest.WithNow(time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)))
	dir := t.TempDir()
	if err := demo(t.Context(), srv, dir, log.New(io.Discard, "", 0)); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range srv.Sent() {
		who, how := r.RecipientID, r.MessagingType
		if r.Recipient.OneTimeNotifToken != "" {
			how = "token"
		}
		got[who] += how + ": " + r.Message.Text + "; "
	}
	want := map[string]string{
		adaPSID: "UPDATE: Hi Ada, the blue kettle is back in stock!; ",
		bobPSID: "token: Hi Bob, the blue kettle is back in stock!; ",
		danPSID: "UPDATE: Hi Dan, the blue kettle is back in stock!; ",
		evePSID: "UPDATE: Hi Eve, the blue kettle is back in stock!; ",
		// Cleo's window closed and she granted no token; Zed's row has no PSID.
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages per person (-want +got):\n%s", diff)
	}
	// The audit trail has a line for everyone, from both runs.
	audit, err := os.ReadFile(filepath.Join(dir, "kettle-back.audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(audit), `"psid":"`+cleoPSID+`","state":"skipped"`) {
		t.Errorf("audit lacks Cleo's skip:\n%s", audit)
	}
}

// TestBroadcastEndpoint drives POST /admin/broadcast of the live mode.
func TestBroadcastEndpoint(t *testing.T) {
	srv := messengertest.NewServer(t)
	dir := t.TempDir()
	client := srv.Client(messenger.WithPageID(srv.PageID()))
	b, err := openBot(client, dir, srv.AppSecret(), "verify", log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	srv.SetWebhook(b.webhook)
	if _, err := srv.User(adaPSID).Says("hi"); err != nil {
		t.Fatal(err)
	}
	if err := b.webhook.WaitIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
	audience := filepath.Join(dir, "audience.csv")
	if err := os.WriteFile(audience, []byte("psid,first_name\n"+adaPSID+",Ada\n"+cleoPSID+",Cleo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := &announcement{client: client, state: b.state, dataDir: dir, audience: audience}
	admin := httptest.NewServer(requireKey("k", a.handler(t.Context(), log.New(io.Discard, "", 0))))
	defer admin.Close()

	post := func(key string, form url.Values) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, admin.URL, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	form := url.Values{"run": {"hello"}, "text": {"Hi {first_name}!"}}
	if code, _ := post("nope", form); code != http.StatusUnauthorized {
		t.Errorf("wrong key: %d, want 401", code)
	}
	if _, body := post("k", url.Values{"run": {"../etc"}, "text": {"x"}}); !strings.Contains(body, `error: run "../etc"`) {
		t.Errorf("bad run name: %q", body)
	}
	form.Set("dry_run", "1")
	if _, body := post("k", form); !strings.Contains(body, "plan: 2 recipients, 1 sendable, 1 skipped") {
		t.Errorf("dry run: %q", body)
	}
	if n := len(srv.Sent()); n != 0 {
		t.Errorf("the dry run sent %d messages", n)
	}
	form.Del("dry_run")
	if _, body := post("k", form); !strings.Contains(body, "broadcast: 2 recipients, 1 sent, 1 skipped") {
		t.Errorf("broadcast: %q", body)
	}
	if _, body := post("k", form); !strings.Contains(body, "from earlier runs") {
		t.Errorf("second call of the same run does not resume: %q", body)
	}
	if n := len(srv.Sent()); n != 1 {
		t.Errorf("%d messages sent over two calls of one run, want 1", n)
	}
}

func TestFill(t *testing.T) {
	for _, tc := range []struct {
		fields map[string]string
		want   string
	}{
		{map[string]string{"first_name": "Ada"}, "Hi Ada!"},
		{nil, "Hi there!"},
	} {
		if got := fill("Hi {first_name}!", tc.fields); got != tc.want {
			t.Errorf("fill(%v) = %q, want %q", tc.fields, got, tc.want)
		}
	}
}
