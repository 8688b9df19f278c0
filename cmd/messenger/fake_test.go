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

// TestFakeProcess runs "messenger fake" as a process and drives it over real HTTP
// with plain net/http, as a test suite in another language would.
func TestFakeProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "messenger")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	hooks := make(chan string, 10)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := messenger.VerifySignature(body, r.Header.Get("X-Hub-Signature-256"), "proc-secret"); err != nil {
			t.Errorf("webhook signature: %v", err)
		}
		hooks <- string(body)
	}))
	t.Cleanup(target.Close)
	cmd := exec.Command(bin, "fake", "--addr", "127.0.0.1:0", "--now", "2026-07-01T12:00:00Z",
		"--app-secret", "proc-secret", "--webhook", target.URL+"/webhook")
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
	m := regexp.MustCompile(`^base_url=(http://127\.0\.0\.1:[0-9]+) token=(\S+)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first line = %q", line)
	}
	base, token := m[1], m[2]
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	call := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	proof := "&appsecret_proof=" + messenger.AppSecretProof(token, "proc-secret")
	send := `{"recipient":{"id":"42"},"messaging_type":"RESPONSE","message":{"text":"Hi Ada"}}`
	if st, body := call("POST", "/v25.0/me/messages?access_token="+token, send); st != 400 || !strings.Contains(body, "appsecret_proof") {
		t.Fatalf("send without the proof --app-secret requires: %d %s", st, body)
	}
	if st, body := call("POST", "/v25.0/me/messages?access_token="+token+proof, send); st != 400 || !strings.Contains(body, `"error_subcode":2018001`) {
		t.Fatalf("send to a stranger: %d %s", st, body)
	}
	if st, body := call("POST", "/_fake/users/42/message", `{"text":"hello"}`); st != 200 || !strings.Contains(body, `"mid"`) || strings.Contains(body, "webhook_error") {
		t.Fatalf("control message: %d %s", st, body)
	}
	if hook := <-hooks; !strings.Contains(hook, `"text":"hello"`) {
		t.Errorf("webhook body = %s", hook)
	}
	st, body := call("POST", "/v25.0/me/messages?access_token="+token+proof, send)
	if st != 200 || !strings.Contains(body, `"recipient_id":"42"`) {
		t.Fatalf("send: %d %s", st, body)
	}
	if st, body := call("POST", "/_fake/clock", `{"advance":"25h"}`); st != 200 || !strings.Contains(body, "2026-07-02T13:00:00Z") {
		t.Fatalf("clock: %d %s", st, body)
	}
	if st, body := call("POST", "/v25.0/me/messages?access_token="+token+proof, send); st != 400 || !strings.Contains(body, `"error_subcode":2018278`) {
		t.Fatalf("send outside the window: %d %s", st, body)
	}
	_, body = call("GET", "/_fake/sent", "")
	var sent []map[string]any
	if err := json.Unmarshal([]byte(body), &sent); err != nil || len(sent) != 1 || sent[0]["time"] != "2026-07-01T12:00:00Z" {
		t.Fatalf("sent = %s (%v)", body, err)
	}
	if st, _ := call("POST", "/_fake/reset", ""); st != 200 {
		t.Fatal("reset")
	}
	if _, body := call("GET", "/_fake/sent", ""); strings.TrimSpace(body) != "[]" {
		t.Errorf("after reset: %s", body)
	}
}

func TestFakeHelpNamesControlActions(t *testing.T) {
	t.Parallel()
	code, out, _ := runArgs("fake", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"CUSTOMER_CHAT_PLUGIN", "ice_breaker", "notification_messages", "--echoes", `"echoes": true`} {
		if !strings.Contains(out, strings.TrimPrefix(want, "-")) {
			t.Errorf("fake --help does not mention %s", want)
		}
	}
}
