package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/messengertest"
	"github.com/google/go-cmp/cmp"
)

func TestRunDemo(t *testing.T) {
	var out bytes.Buffer
	noEnv := func(string) string { return "" }
	if err := run(t.Context(), noEnv, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, &out)
	}
	for _, want := range []string{
		"Ada → Page: Hello, bot!",
		"Page → Ada: (typing…)",
		"Page → Ada: Hello, bot!",
		"Page → Ada: Can you say it back? 🦜",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("transcript lacks %q:\n%s", want, &out)
		}
	}
}

func TestDemoSends(t *testing.T) {
	srv := messengertest.NewServer(t)
	if err := demo(t.Context(), srv, log.New(io.Discard, "", 0)); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range srv.Sent() {
		got = append(got, r.RecipientID+" "+r.MessagingType+" "+r.SenderAction+text(r))
	}
	want := []string{
		"1254459154682919  typing_on",
		"1254459154682919 RESPONSE Hello, bot!",
		"1254459154682919  typing_on",
		"1254459154682919 RESPONSE Can you say it back? 🦜",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sends (-want +got):\n%s", diff)
	}
}

func text(r messengertest.SendRecord) string {
	if r.Message == nil {
		return ""
	}
	return r.Message.Text
}

// TestServe drives the live path: a real HTTP server on a loopback port, the
// fake Graph API delivering signed webhooks to it, and a graceful shutdown.
func TestServe(t *testing.T) {
	srv := messengertest.NewServer(t)
	var out bytes.Buffer
	wh, err := newWebhook(srv.Client(), srv.AppSecret(), "verify-me", log.New(&out, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- serve(ctx, ln, wh, log.New(io.Discard, "", 0)) }()
	url := "http://" + ln.Addr().String() + "/webhook"

	// Meta's subscription handshake.
	res, err := http.Get(url + "?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=8675309")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(body) != "8675309" {
		t.Errorf("handshake = %d %q, want 200 %q", res.StatusCode, body, "8675309")
	}
	// An unsigned delivery is refused before anything is parsed.
	res, err = http.Post(url, "application/json", strings.NewReader(`{"object":"page","entry":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned delivery = %d, want 401", res.StatusCode)
	}

	if err := srv.SetWebhookURL(url); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.User("42").Says("ping"); err != nil {
		t.Fatal(err)
	}
	// The delivery was acknowledged; its handler may still be running. SIGTERM
	// now must not lose the reply: serve drains before it returns.
	stop()
	if err := <-served; err != nil {
		t.Errorf("serve after shutdown: %v", err)
	}
	sent := srv.Sent()
	if len(sent) != 2 || text(sent[1]) != "ping" {
		t.Errorf("after shutdown the fake holds %d sends, want typing_on and the reply %q", len(sent), "ping")
	}
	if _, err := http.Get(url); err == nil {
		t.Error("server still answers after shutdown")
	}
	if out.Len() > 0 {
		t.Errorf("unexpected log output:\n%s", &out)
	}
}

func TestLoadConfig(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	cfg, live, err := loadConfig(env(map[string]string{"PAGE_ACCESS_TOKEN": "t", "APP_SECRET": "s", "VERIFY_TOKEN": "v", "PORT": "9000"}))
	if err != nil || !live || cfg.addr != ":9000" {
		t.Errorf("all set: cfg %+v live %v err %v; want live on :9000", cfg, live, err)
	}
	if _, live, err := loadConfig(env(nil)); err != nil || live {
		t.Errorf("none set: live %v err %v; want the demo", live, err)
	}
	_, _, err = loadConfig(env(map[string]string{"PAGE_ACCESS_TOKEN": "t"}))
	if err == nil || !strings.Contains(err.Error(), "APP_SECRET and VERIFY_TOKEN not set") {
		t.Errorf("partial: err = %v, want one naming the missing variables", err)
	}
}

func TestEchoText(t *testing.T) {
	long := strings.Repeat("é", 2500)
	for _, tc := range []struct {
		name, text, want string
	}{
		{"text", "hi", "hi"},
		{"no text", "", "I can only echo text, but thanks for sending that!"},
		{"too long for a Page", long, long[:2*1999]}, // é is 2 bytes: 1999 characters
	} {
		if got := echoText(messenger.ReceivedMessage{Text: tc.text}); got != tc.want {
			t.Errorf("%s: echoText = %.40q…, want %.40q…", tc.name, got, tc.want)
		}
	}
}
