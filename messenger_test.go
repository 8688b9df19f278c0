package messenger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

const (
	testToken  = "EAAB-page-token"
	testSecret = "app-secret-123"
)

// setup serves Graph under a path prefix so a client that drops its base path fails.
func TestNewValidatesOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		token   string
		opts    []Option
		wantErr string
	}{
		{"empty token", "", nil, "empty page access token"},
		{"blank token", "  ", nil, "empty page access token"},
		{"relative base url", "t", []Option{WithBaseURL("graph.facebook.com")}, "WithBaseURL"},
		{"base url with query", "t", []Option{WithBaseURL("https://x.test/?a=b")}, "query"},
		{"ftp base url", "t", []Option{WithBaseURL("ftp://x.test")}, "WithBaseURL"},
		{"empty secret", "t", []Option{WithAppSecret("")}, "WithAppSecret"},
		{"bad version", "t", []Option{WithGraphVersion("25.0")}, `"25.0" is not a version`},
		{"bad version suffix", "t", []Option{WithGraphVersion("v25")}, "WithGraphVersion"},
		{"nil http client", "t", []Option{WithHTTPClient(nil)}, "nil client"},
		{"zero rate", "t", []Option{WithRateLimit(0, 1)}, "limit must be positive"},
		{"zero burst", "t", []Option{WithRateLimit(1, 0)}, "burst must be at least 1, got 0"},
		{"zero attempts", "t", []Option{WithRetry(RetryPolicy{})}, "MaxAttempts must be at least 1"},
		{"inverted waits", "t", []Option{WithRetry(RetryPolicy{MaxAttempts: 2, MinWait: time.Second})}, "MinWait <= MaxWait"},
		{"nil logger", "t", []Option{WithLogger(nil)}, "nil logger"},
		{"nil clock", "t", []Option{WithClock(nil)}, "nil clock"},
		{"page id letters", "t", []Option{WithPageID("12a")}, `character 'a' at 2`},
		{"nil option", "t", []Option{nil}, "nil Option"},
		{"zero attempt timeout", "t", []Option{WithAttemptTimeout(0)}, "WithAttemptTimeout: duration must be positive, got 0s"},
		{"negative attempt timeout", "t", []Option{WithAttemptTimeout(-time.Second)}, "must be positive, got -1s"},
		{"nil guard rules", "t", []Option{WithPolicyGuard(&mapWindows{}, GuardRules(nil))}, "GuardRules: rules must not be nil"},
		{"nil guard option", "t", []Option{WithPolicyGuard(&mapWindows{}, nil)}, "nil GuardOption"},
		{"all good", "t", []Option{WithBaseURL("http://127.0.0.1:1/x/"), WithAppSecret("s"), WithGraphVersion("v19.0"),
			WithHTTPClient(&http.Client{}), WithRateLimit(10, 1), WithRetry(RetryPolicy{MaxAttempts: 1}),
			WithLogger(slog.Default()), WithClock(time.Now), WithPageID("123"),
			WithAttemptTimeout(time.Minute), WithRetryTemporaryPOST()}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.token, tt.opts...)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestNewNeverTouchesTheNetwork(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	hc := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		calls.Add(1)
		return nil, errors.New("no")
	})}
	_, err := New(testToken, WithHTTPClient(hc), WithAppSecret(testSecret), WithRateLimit(1, 1))
	require.NoError(t, err)
	require.Zero(t, calls.Load())
}

func TestWithHTTPClientCopiesTheClient(t *testing.T) {
	t.Parallel()
	hc := &http.Client{Timeout: 3 * time.Second}
	c, err := New(testToken, WithHTTPClient(hc))
	require.NoError(t, err)
	require.Nil(t, hc.Transport, "the caller's client must not be changed")
	require.NotSame(t, hc, c.tr.HTTPClient())
	require.Equal(t, 3*time.Second, c.tr.HTTPClient().Timeout)
}

func TestAppSecretProof(t *testing.T) {
	t.Parallel()
	// hex(HMAC-SHA256(key=app secret, message=token)), docs/platform.md, “appsecret_proof”.
	const want = "5178126229f2234e94bdb9674c46f0ece7ea3d50909ad62490d3da036a2a387e"
	require.Equal(t, want, AppSecretProof(testToken, testSecret))

	var got url.Values
	c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query()
		io.WriteString(w, `{}`)
	}, WithAppSecret(testSecret))
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "me", nil, nil))
	if diff := cmp.Diff(url.Values{"access_token": {testToken}, "appsecret_proof": {want}}, got); diff != "" {
		t.Errorf("query (-want +got):\n%s", diff)
	}
}

func TestDoPathsAndVersions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     []Option
		path     string
		wantPath string
		wantQ    url.Values
	}{
		{"default version", nil, "me/messages", "/v25.0/me/messages", url.Values{"access_token": {testToken}}},
		{"leading slash", nil, "/me/messages", "/v25.0/me/messages", url.Values{"access_token": {testToken}}},
		{"other version", []Option{WithGraphVersion("v19.0")}, "me", "/v19.0/me", url.Values{"access_token": {testToken}}},
		{"query kept", nil, "me/personas?limit=2&after=abc", "/v25.0/me/personas",
			url.Values{"access_token": {testToken}, "limit": {"2"}, "after": {"abc"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var gotPath string
			var gotQ url.Values
			c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
				gotPath, gotQ = r.URL.Path, r.URL.Query()
				io.WriteString(w, `{"ok":true}`)
			}, tt.opts...)
			var out struct{ OK bool }
			require.NoError(t, c.Do(context.Background(), http.MethodGet, tt.path, nil, &out))
			require.True(t, out.OK)
			require.Equal(t, tt.wantPath, gotPath)
			if diff := cmp.Diff(tt.wantQ, gotQ); diff != "" {
				t.Errorf("query (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDoRefusesCredentialsInPath(t *testing.T) {
	t.Parallel()
	c, err := New(testToken)
	require.NoError(t, err)
	err = c.Do(context.Background(), http.MethodGet, "me?access_token=other", nil, nil)
	require.ErrorContains(t, err, "client adds them")
}

func TestDoBodies(t *testing.T) {
	t.Parallel()
	type seen struct {
		ContentType string
		Body        string
	}
	var got seen
	c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = seen{r.Header.Get("Content-Type"), string(b)}
		io.WriteString(w, `{"result":"success"}`)
	})
	ctx := context.Background()

	require.NoError(t, c.Do(ctx, http.MethodPost, "me/messages", map[string]string{"a": "<b>"}, nil))
	require.Equal(t, seen{"application/json", `{"a":"<b>"}` + "\n"}, got, "JSON body, HTML not escaped")

	require.NoError(t, c.Do(ctx, http.MethodPost, "me/x", url.Values{"recipient": {`{"id":"1"}`}}, nil))
	require.Equal(t, seen{"application/x-www-form-urlencoded", "recipient=%7B%22id%22%3A%221%22%7D"}, got)

	require.NoError(t, c.Do(ctx, http.MethodPost, "me/x", json.RawMessage(`{"raw":1}`), nil))
	require.Equal(t, seen{"application/json", `{"raw":1}`}, got)

	err := c.Do(ctx, http.MethodPost, "me/x", func() {}, nil)
	require.ErrorContains(t, err, "encoding request body for me/x")
}

func TestDoMultipartStreams(t *testing.T) {
	t.Parallel()
	type part struct{ Name, FileName, ContentType, Body string }
	var parts []part
	c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/form-data" {
			http.Error(w, "not multipart", 400)
			return
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			parts = append(parts, part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(b)})
		}
		io.WriteString(w, `{"attachment_id":"42"}`)
	})
	file := io.MultiReader(strings.NewReader("PNG"), strings.NewReader("DATA")) // not seekable, no length
	var out struct {
		AttachmentID string `json:"attachment_id"`
	}
	err := c.Do(context.Background(), http.MethodPost, "me/message_attachments", &MultipartBody{
		Fields:    []MultipartField{{"message", `{"attachment":{"type":"image","payload":{"is_reusable":true}}}`}},
		FileField: "filedata", FileName: "a.png", ContentType: "image/png", File: file,
	}, &out)
	require.NoError(t, err)
	require.Equal(t, "42", out.AttachmentID)
	want := []part{
		{"message", "", "", `{"attachment":{"type":"image","payload":{"is_reusable":true}}}`},
		{"filedata", "a.png", "image/png", "PNGDATA"},
	}
	if diff := cmp.Diff(want, parts); diff != "" {
		t.Errorf("parts (-want +got):\n%s", diff)
	}
}

func TestDoMultipartIsNotRetried(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(500)
		io.WriteString(w, `{"error":{"message":"temp","code":2}}`)
	}, WithRetry(RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
	err := c.Do(context.Background(), http.MethodPost, "me/message_attachments",
		&MultipartBody{FileField: "filedata", File: strings.NewReader("x")}, nil)
	require.Error(t, err)
	require.Equal(t, int32(1), calls.Load(), "a streamed body cannot be sent twice")
}

func TestForPage(t *testing.T) {
	t.Parallel()
	var got []string
	c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.Path+" "+r.URL.Query().Get("access_token")+" "+r.URL.Query().Get("appsecret_proof"))
		io.WriteString(w, `{}`)
	}, WithAppSecret(testSecret), WithRateLimit(100, 5))
	p2, err := c.ForPage("222", "token-two")
	require.NoError(t, err)
	require.Equal(t, "222", p2.PageID())
	require.Equal(t, "222/messages", p2.PagePath("messages"))
	require.Equal(t, "me/messages", c.PagePath("messages"))
	require.NoError(t, p2.Do(context.Background(), http.MethodGet, p2.PagePath("messages"), nil, nil))
	require.NoError(t, c.Do(context.Background(), http.MethodGet, c.PagePath("messages"), nil, nil))
	want := []string{
		"/v25.0/222/messages token-two " + AppSecretProof("token-two", testSecret),
		"/v25.0/me/messages " + testToken + " " + AppSecretProof(testToken, testSecret),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls (path token proof) (-want +got):\n%s", diff)
	}

	p2again, err := c.ForPage("222", "token-two")
	require.NoError(t, err)
	require.Same(t, p2.limiter, p2again.limiter, "one limiter per Page")
	require.NotSame(t, c.limiter, p2.limiter)
	require.Same(t, c.tr, p2.tr, "one transport for all Pages")

	_, err = c.ForPage("abc", "t")
	require.ErrorContains(t, err, "not a digit")
	_, err = c.ForPage("1", "")
	require.ErrorIs(t, err, ErrNoToken)
}

func TestUsageHeadersAreExposed(t *testing.T) {
	t.Parallel()
	var hooked atomic.Int32
	c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-App-Usage", `{"call_count":68,"total_cputime":0,"total_time":208}`)
		w.Header().Set("X-Business-Use-Case-Usage",
			`{"1234":[{"type":"messenger","call_count":33,"total_cputime":12,"total_time":25,"estimated_time_to_regain_access":2}]}`)
		io.WriteString(w, `{"recipient_id":"1","message_id":"m_1"}`)
	}, WithUsageHook(func(u Usage) { hooked.Add(1) }))
	res, err := c.Send(context.Background(), SendRequest{To: PSID("1"), Type: Response, Message: Text("hi")})
	require.NoError(t, err)
	u := res.Usage
	require.Equal(t, int32(1), hooked.Load())
	if diff := cmp.Diff(&AppUsage{CallCount: 68, TotalTime: 208}, u.App); diff != "" {
		t.Fatalf("u.App (-want +got):\n%s", diff)
	}
	require.Equal(t, 208, u.App.Max())
	want := []BusinessUsage{{ObjectID: "1234", Type: "messenger", CallCount: 33, TotalCPUTime: 12, TotalTime: 25,
		EstimatedTimeToRegainAccess: 2 * time.Minute}}
	if diff := cmp.Diff(want, u.Business); diff != "" {
		t.Errorf("business usage (-want +got):\n%s", diff)
	}
	require.Equal(t, 2*time.Minute, u.RegainAccessIn())
}

// Clients of two Pages made by ForPage from one root share connections, not usage:
// each SendResponse carries the X-Page-Usage Graph sent for its own Page.
func TestUsageIsPerCallAcrossForPageClients(t *testing.T) {
	t.Parallel()
	pageUsage := map[string]int{"111": 10, "222": 90} // call_count per Page
	root, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
		page := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")[1] // /v25.0/{page}/messages
		w.Header().Set("X-Page-Usage", fmt.Sprintf(`{"call_count":%d,"total_cputime":1,"total_time":2}`, pageUsage[page]))
		if page == "222" {
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"error":{"message":"Too many calls","type":"OAuthException","code":613}}`)
			return
		}
		io.WriteString(w, `{"recipient_id":"1","message_id":"m_`+page+`"}`)
	}, WithRetry(RetryPolicy{MaxAttempts: 1}))
	a, err := root.ForPage("111", "token-a")
	require.NoError(t, err)
	b, err := root.ForPage("222", "token-b")
	require.NoError(t, err)
	req := SendRequest{To: PSID("1"), Type: Response, Message: Text("hi")}

	resA, err := a.Send(context.Background(), req)
	require.NoError(t, err)
	_, errB := b.Send(context.Background(), req)
	var ge *GraphError
	require.ErrorAs(t, errB, &ge)
	resA2, err := a.Send(context.Background(), req)
	require.NoError(t, err)

	for _, tt := range []struct {
		name string
		got  Usage
		want int
	}{
		{"page 111", resA.Usage, 10},
		{"page 222 (refused)", ge.Usage, 90},
		{"page 111 after page 222", resA2.Usage, 10},
	} {
		want := &AppUsage{CallCount: tt.want, TotalCPUTime: 1, TotalTime: 2}
		if diff := cmp.Diff(want, tt.got.Page); diff != "" {
			t.Errorf("%s: X-Page-Usage (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestSecretsNeverInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	// A port nothing listens on: the error of net/http includes the full URL.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	c, err := New(testToken, WithBaseURL("http://"+addr), WithAppSecret(testSecret), WithLogger(logger),
		WithRetry(RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	err = c.Do(context.Background(), http.MethodPost, "me/messages", map[string]string{}, nil)
	require.Error(t, err)
	require.ErrorIs(t, err, ErrNotSent, "a refused connection proves nothing was sent")
	assertNoSecrets(t, err.Error())
	assertNoSecrets(t, logs.String())
	require.Contains(t, logs.String(), "me/messages")

	// Graph echoing the token back in its message.
	c2, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		io.WriteString(w, `{"error":{"message":"Malformed access token `+testToken+`","type":"OAuthException","code":190}}`)
	}, WithAppSecret(testSecret), WithLogger(logger))
	err = c2.Do(context.Background(), http.MethodGet, "me", nil, nil)
	require.ErrorIs(t, err, ErrInvalidToken)
	assertNoSecrets(t, err.Error())
	require.Contains(t, err.Error(), "Malformed access token [redacted]")
	assertNoSecrets(t, logs.String())
}

func assertNoSecrets(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{testToken, testSecret, AppSecretProof(testToken, testSecret)} {
		if strings.Contains(s, secret) {
			t.Fatalf("secret %q leaked in: %s", secret[:4]+"…", s)
		}
	}
}

func TestContextCancelledWhileRateLimited(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.WriteString(w, `{}`)
	}, WithRateLimit(rate.Every(time.Hour), 1))
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "me", nil, nil)) // spends the burst
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Do(ctx, http.MethodGet, "me", nil, nil) }()
	cancel()
	err := <-done
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, ErrNotSent, "waiting for the limiter sends nothing")
	require.Equal(t, int32(1), calls.Load(), "the limited call never reached the server")

	// A deadline shorter than the wait fails at once, without waiting for it.
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = c.Do(ctx, http.MethodGet, "me", nil, nil)
	require.ErrorContains(t, err, "rate limiter")
	require.Equal(t, int32(1), calls.Load())
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
