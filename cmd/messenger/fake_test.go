package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gomessenger/messenger"
)

// buildMessenger builds the command once for the tests that run it as a process.
func buildMessenger(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "messenger")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// banner is the contract of "messenger fake"'s first line, fixed for bots in other
// languages.
var banner = regexp.MustCompile(`^base_url=(http://127\.0\.0\.1:[0-9]+) token=(\S+) app_secret=(\S+)\n$`)

// startFake runs "messenger fake" with args and returns the base URL, token and app
// secret of its first line; the process is interrupted when the test ends.
func startFake(t *testing.T, bin string, args ...string) (base, token, secret string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"fake", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the first line: %v", err)
	}
	m := banner.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first line = %q, want base_url=... token=... app_secret=...", line)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return m[1], m[2], m[3]
}

// callFake makes one plain HTTP call, as a bot in another language would.
func callFake(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestFakeProcess runs "messenger fake" as a process and drives it over real HTTP
// with plain net/http, as a test suite in another language would: it learns the
// webhook secret from the first line and sends no appsecret_proof, like most client
// libraries.
func TestFakeProcess(t *testing.T) {
	bin := buildMessenger(t)
	t.Parallel()
	hooks := make(chan string, 10)
	var secret string
	ready := make(chan struct{})
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-ready
		body, _ := io.ReadAll(r.Body)
		if err := messenger.VerifySignature(body, r.Header.Get("X-Hub-Signature-256"), secret); err != nil {
			t.Errorf("webhook signature with the banner's app_secret: %v", err)
		}
		hooks <- string(body)
	}))
	t.Cleanup(target.Close)
	base, token, secret := startFake(t, bin, "--now", "2026-07-01", "--app-secret", "proc-secret", "--webhook", target.URL+"/webhook")
	close(ready)
	if secret != "proc-secret" {
		t.Errorf("banner app_secret = %q, want the --app-secret", secret)
	}
	call := func(method, path, body string) (int, string) {
		t.Helper()
		return callFake(t, method, base+path, body)
	}
	send := `{"recipient":{"id":"42"},"messaging_type":"RESPONSE","message":{"text":"Hi Ada"}}`
	if st, body := call("POST", "/v25.0/me/messages?access_token="+token, send); st != 400 || !strings.Contains(body, `"error_subcode":2018001`) {
		t.Fatalf("send to a stranger: %d %s", st, body)
	}
	if st, body := call("POST", "/_fake/users/42/message", `{"text":"hello"}`); st != 200 || !strings.Contains(body, `"mid"`) || strings.Contains(body, "webhook_error") {
		t.Fatalf("control message: %d %s", st, body)
	}
	if hook := <-hooks; !strings.Contains(hook, `"text":"hello"`) {
		t.Errorf("webhook body = %s", hook)
	}
	st, body := call("POST", "/v25.0/me/messages?access_token="+token, send)
	if st != 200 || !strings.Contains(body, `"recipient_id":"42"`) {
		t.Fatalf("send: %d %s", st, body)
	}
	if st, body := call("POST", "/_fake/clock", `{"advance":"25h"}`); st != 200 || !strings.Contains(body, "2026-07-02T01:00:00Z") {
		t.Fatalf("clock: %d %s", st, body)
	}
	if st, body := call("POST", "/v25.0/me/messages?access_token="+token, send); st != 400 || !strings.Contains(body, `"error_subcode":2018278`) {
		t.Fatalf("send outside the window: %d %s", st, body)
	}
	_, body = call("GET", "/_fake/sent", "")
	var sent []map[string]any
	if err := json.Unmarshal([]byte(body), &sent); err != nil || len(sent) != 1 || sent[0]["time"] != "2026-07-01T00:00:00Z" {
		t.Fatalf("sent = %s (%v)", body, err)
	}
	if st, _ := call("POST", "/_fake/reset", ""); st != 200 {
		t.Fatal("reset")
	}
	if _, body := call("GET", "/_fake/sent", ""); strings.TrimSpace(body) != "[]" {
		t.Errorf("after reset: %s", body)
	}
}

// With --require-proof the fake refuses calls without appsecret_proof and accepts
// them with it, as Graph does for an app with "Require App Secret" on.
func TestFakeRequireProof(t *testing.T) {
	bin := buildMessenger(t)
	t.Parallel()
	base, token, secret := startFake(t, bin, "--require-proof")
	path := base + "/v25.0/me/personas?access_token=" + token
	if st, body := callFake(t, "GET", path, ""); st != 400 || !strings.Contains(body, "appsecret_proof") {
		t.Errorf("without a proof: %d %s, want 400 asking for appsecret_proof", st, body)
	}
	if st, body := callFake(t, "GET", path+"&appsecret_proof="+messenger.AppSecretProof(token, secret), ""); st != 200 {
		t.Errorf("with the proof: %d %s, want 200", st, body)
	}
}

func TestFakeHelpNamesControlActions(t *testing.T) {
	t.Parallel()
	code, out, _ := runArgs("fake", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"CUSTOMER_CHAT_PLUGIN", "ice_breaker", "notification_messages", "--echoes", `"echoes": true`,
		"Facebook-API-Version", "without a version", `"message_id"`, "keeps the clock", "400 naming it"} {
		if !strings.Contains(out, strings.TrimPrefix(want, "-")) {
			t.Errorf("fake --help does not mention %s", want)
		}
	}
}

// TestFakeServesWhatOtherLanguagesCall runs, in order, calls that client libraries
// in other languages make against Graph and checks what the fake process answers.
func TestFakeServesWhatOtherLanguagesCall(t *testing.T) {
	bin := buildMessenger(t)
	t.Parallel()
	base, token, _ := startFake(t, bin, "--now", "2026-07-01")
	q := "?access_token=" + token
	send := `{"recipient":{"id":"42"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"image","payload":{"url":"https://e.com/a.png","is_reusable":"true"}}}}`
	steps := []struct {
		name, method, path, body string
		wantStatus               int
		wantIn                   []string
	}{
		{"user writes", "POST", "/_fake/users/42/message", `{"text":"hello"}`, 200, []string{`"mid"`}},
		{"misnamed control field", "POST", "/_fake/users/42/message", `{"text":"hello","quick_reply":"X"}`, 400, []string{`unknown field \"quick_reply\"`, "quick_reply_payload"}},
		{"subscribe the app", "POST", "/v2.6/me/subscribed_apps" + q + "&subscribed_fields=messages,messaging_postbacks", "", 200, []string{`{"success":true}`}},
		{"list the subscription", "GET", "/me/subscribed_apps" + q, "", 200, []string{`"subscribed_fields":["messages","messaging_postbacks"]`}},
		{"unversioned send with a string boolean", "POST", "/me/messages" + q, send, 200, []string{`"message_id"`, `"attachment_id"`}},
		{"expired version", "POST", "/v2.6/me/messages" + q, send, 200, []string{`"message_id"`}},
		{"version never released", "POST", "/v99.0/me/messages" + q, send, 400, []string{"v99.0"}},
		{"profile with name", "GET", "/v25.0/42" + q, "", 200, []string{`"name":"Test User 42"`}},
		{"wrong token", "GET", "/v25.0/me/personas?access_token=nope", "", 400, []string{`"message":"Invalid OAuth access token`, `"code":190`}},
		{"sent carries message ids", "GET", "/_fake/sent", "", 200, []string{`"message_id":"m_`, `"attachment_id"`}},
		{"reset keeps the clock", "POST", "/_fake/reset", "", 200, []string{`{"now":"2026-07-01T00:00:00Z"}`}},
	}
	for _, st := range steps {
		status, body := callFake(t, st.method, base+st.path, st.body)
		if status != st.wantStatus {
			t.Errorf("%s: %d %s, want %d", st.name, status, body, st.wantStatus)
			continue
		}
		for _, w := range st.wantIn {
			if !strings.Contains(body, w) {
				t.Errorf("%s: body %s lacks %s", st.name, body, w)
			}
		}
	}
}
