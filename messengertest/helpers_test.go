package messengertest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
)

// testNow is the fake clock's start in tests: after every dated rule change in docs/platform.md.
var testNow = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

const testPSID = "1254459154682919"

// newFake starts a server at testNow with one person who just wrote, and a client.
func newFake(t *testing.T, opts ...Option) (*Server, *messenger.Client) {
	t.Helper()
	srv := NewServer(t, append([]Option{WithNow(testNow)}, opts...)...)
	if _, err := srv.User(testPSID).Says("hello"); err != nil {
		t.Fatal(err)
	}
	return srv, srv.Client(messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1}))
}

// graphError asserts err is a *messenger.GraphError with code/subcode.
func wantGraphError(t *testing.T, err error, code, subcode int) *messenger.GraphError {
	t.Helper()
	var ge *messenger.GraphError
	if !errors.As(err, &ge) {
		t.Fatalf("error = %v, want a *messenger.GraphError %d/%d", err, code, subcode)
	}
	if ge.Code != code || ge.Subcode != subcode {
		t.Fatalf("error = %d/%d (%s), want %d/%d", ge.Code, ge.Subcode, ge.Message, code, subcode)
	}
	if ge.FBTraceID == "" {
		t.Errorf("error has no fbtrace_id: %v", ge)
	}
	return ge
}

func post(t *testing.T, c *messenger.Client, path string, body, out any) error {
	t.Helper()
	return c.Do(context.Background(), http.MethodPost, path, body, out)
}

// rawCall makes a plain HTTP call and returns status and body.
func rawCall(t *testing.T, method, url, contentType, body string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func text(psid, msg string) map[string]any {
	return map[string]any{"recipient": map[string]any{"id": psid}, "messaging_type": "RESPONSE", "message": map[string]any{"text": msg}}
}
