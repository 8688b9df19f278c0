package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gomessenger/messenger"
)

func TestTriggerPostsSignedEvents(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []map[string]any
	status := http.StatusOK
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if messenger.VerifySignature(body, r.Header.Get("X-Hub-Signature-256"), "shh") != nil || messenger.VerifySignatureSHA1(body, r.Header.Get("X-Hub-Signature"), "shh") != nil {
			t.Errorf("bad signatures: %v", r.Header)
		}
		if evs, err := messenger.ParseEvents(body); err != nil || len(evs) != 1 {
			t.Errorf("ParseEvents = %v, %v", evs, err)
		} else if _, unknown := evs[0].(*messenger.UnknownEvent); unknown {
			t.Errorf("trigger sent an event the SDK does not know: %s", body)
		}
		var env map[string]any
		if err := json.Unmarshal(body, &env); err != nil {
			t.Error(err)
		}
		mu.Lock()
		got = append(got, env)
		s := status
		mu.Unlock()
		w.WriteHeader(s)
	}))
	t.Cleanup(ts.Close)
	for _, ev := range []string{"message", "postback", "referral", "optin", "reaction", "read", "delivery", "handover", "comment"} {
		code, out, errOut := runArgs("trigger", "--url", ts.URL, "--app-secret", "shh", ev, "--payload", "P", "--ref", "R")
		if code != 0 || !strings.Contains(out, "status: 200 OK") {
			t.Errorf("%s: exit %d\n%s%s", ev, code, out, errOut)
		}
	}
	mu.Lock()
	n := len(got)
	first := got[0]
	status = http.StatusForbidden
	mu.Unlock()
	if n != 9 {
		t.Fatalf("endpoint got %d events", n)
	}
	entry := first["entry"].([]any)[0].(map[string]any)
	item := entry["messaging"].([]any)[0].(map[string]any)
	if item["message"].(map[string]any)["text"] != "hello" {
		t.Errorf("message item = %v", item)
	}
	code, out, errOut := runArgs("trigger", "--url", ts.URL, "--app-secret", "shh", "read")
	if code != 1 || !strings.Contains(errOut, "403") || !strings.Contains(out, "status: 403") {
		t.Errorf("refused event: exit %d, %q %q", code, out, errOut)
	}
}
