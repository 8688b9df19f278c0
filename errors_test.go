package messenger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

var allSentinels = []error{ErrOutsideWindow, ErrRateLimited, ErrUserUnavailable, ErrInvalidToken, ErrPermission,
	ErrInvalidParameter, ErrThreadOwnedByOtherApp, ErrAlreadyReplied, ErrTemporary, ErrAmbiguous, ErrInvalidRequest}

// graphBody is a Graph error envelope as docs/platform.md, “Errors”, shows them.
func graphBody(code, subcode int, msg string) string {
	sub := ""
	if subcode != 0 {
		sub = fmt.Sprintf(`,"error_subcode":%d`, subcode)
	}
	return fmt.Sprintf(`{"error":{"message":%q,"type":"OAuthException","code":%d%s,"fbtrace_id":"AxIIVeNpuf3y2jeXdufRcEX"}}`, msg, code, sub)
}

// TestGraphErrorSentinels reads each code as the answer to a GET: what the code
// says on its own, with no send that may have gone out.
func TestGraphErrorSentinels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code, subcode int
		msg           string
		want          error // the one sentinel that must match; nil: none
		retryable     bool
	}{
		{10, 2018278, "(#10) This message is sent outside of allowed window.", ErrOutsideWindow, false},
		{10, 2534022, "This message is sent outside of allowed window", ErrOutsideWindow, false},
		{10, 2018065, "outside allowed window; needs News Messaging permission", ErrOutsideWindow, false},
		{200, 1545041, "Message Not Sent: This person isn't available right now", ErrOutsideWindow, false},
		{4, 0, "(#4) Application request limit reached", ErrRateLimited, true},
		{17, 0, "User request limit reached", ErrRateLimited, true},
		{32, 0, "Page request limit reached", ErrRateLimited, true},
		{613, 0, "Calls to this api have exceeded the rate limit.", ErrRateLimited, true},
		{613, 2534040, "Calls to this api have exceeded the rate limit.", ErrRateLimited, true},
		{613, 2018338, "Warning! bothersome tag usage", ErrRateLimited, false},
		{80001, 0, "There have been too many calls to this Page account", ErrRateLimited, true},
		{80006, 0, "There have been too many messages sent to this user", ErrRateLimited, true},
		{551, 0, "This person isn't receiving messages from you right now.", ErrUserUnavailable, false},
		{551, 1545041, "This person isn't available right now.", ErrUserUnavailable, false},
		{10, 2018108, "They can't receive your messages right now", ErrUserUnavailable, false},
		{190, 463, "Error validating access token: Session has expired", ErrInvalidToken, false},
		{190, 0, "Invalid OAuth access token.", ErrInvalidToken, false},
		{200, 0, "Cannot message users who are not admins, developers or testers", ErrPermission, false},
		{200, 2018028, "pages_messaging not reviewed", ErrPermission, false},
		{10, 0, "Application does not have permission for this action", ErrPermission, false},
		{10, 1404170, "Application does not have permission for this action", ErrPermission, false},
		{230, 0, "Requires pages_messaging_subscriptions permission", ErrPermission, false},
		{100, 0, "(#100) Invalid parameter", ErrInvalidParameter, false},
		{100, 2018001, "No matching user found", ErrInvalidParameter, false},
		{100, 2018014, "Cannot send both message and state at the same time", ErrInvalidParameter, false},
		{10, 2018300, "Message failed to send because another app is controlling this thread now.", ErrThreadOwnedByOtherApp, false},
		{10900, 0, "Activity already replied to", ErrAlreadyReplied, false},
		{10903, 0, "This user cant reply to this activity", ErrAlreadyReplied, false},
		{1, 0, "An unknown error occurred", ErrTemporary, true},
		{2, 0, "An unexpected error has occurred. Please retry your request later.", ErrTemporary, true},
		{1200, 0, "Temporary send message failure. Please try again later.", ErrTemporary, true},
		{1, 1357046, "Received Invalid JSON reply.", ErrAmbiguous, false},
		{368, 0, "The action attempted has been deemed abusive", nil, true},
		{2022, 0, "Ability to send commerce messages temporarily disabled", nil, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d_%d", tt.code, tt.subcode), func(t *testing.T) {
			ge := decodeGraphError(400, []byte(graphBody(tt.code, tt.subcode, tt.msg)), keepText, true)
			require.Equal(t, tt.code, ge.Code)
			require.Equal(t, tt.subcode, ge.Subcode)
			require.Equal(t, "AxIIVeNpuf3y2jeXdufRcEX", ge.FBTraceID)
			require.Equal(t, tt.retryable, ge.Retryable, "Retryable")
			var matched []error
			for _, s := range allSentinels {
				if errors.Is(ge, s) {
					matched = append(matched, s)
				}
			}
			var want []error
			if tt.want != nil {
				want = []error{tt.want}
			}
			if diff := cmp.Diff(want, matched, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
				t.Errorf("sentinels (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGraphErrorDecoding(t *testing.T) {
	t.Parallel()
	body := `{"error":{"message":"(#10) This message is sent outside of allowed window.","type":"OAuthException",
		"code":"10","error_subcode":"2018278","error_user_title":"Outside window","error_user_msg":"Wait for the user",
		"is_transient":false,"fbtrace_id":"Ax1"}}`
	ge := decodeGraphError(400, []byte(body), keepText, false)
	want := &GraphError{HTTPStatus: 400, Code: 10, Subcode: 2018278, Type: "OAuthException",
		Message: "(#10) This message is sent outside of allowed window.", UserTitle: "Outside window",
		UserMessage: "Wait for the user", FBTraceID: "Ax1"}
	if diff := cmp.Diff(want, ge); diff != "" {
		t.Errorf("codes sent as strings must decode (-want +got):\n%s", diff)
	}
	require.Equal(t, "messenger: graph error 10/2018278 (HTTP 400): (#10) This message is sent outside of allowed window. [fbtrace_id Ax1]", ge.Error())

	html := decodeGraphError(502, []byte("<html>"+strings.Repeat("x", 500)+"</html>"), keepText, false)
	require.Equal(t, 502, html.HTTPStatus)
	require.False(t, html.Retryable, "a 5xx without an envelope does not say whether the call took effect")
	require.ErrorIs(t, html, ErrAmbiguous)
	require.Less(t, len(html.Message), 260, "a long non-JSON body is shortened")
	require.True(t, strings.HasPrefix(html.Message, "unexpected response: <html>"))
}

// keepText is a scrub function for tests without secrets.
func keepText(s string) string { return s }

// TestGraphErrorOnPOST: a temporary failure answered to a POST does not say
// whether the send went out, so it matches ErrAmbiguous and is not Retryable; a
// refusal (throttling) and a permanent error read the same as for a GET.
func TestGraphErrorOnPOST(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status, code, subcode int
		transient             bool
		want                  []error
		retryable, ambiguous  bool
	}{
		{500, 1, 0, false, []error{ErrTemporary, ErrAmbiguous}, false, true},
		{500, 2, 0, false, []error{ErrTemporary, ErrAmbiguous}, false, true},
		{500, 1200, 0, false, []error{ErrTemporary, ErrAmbiguous}, false, true},
		{400, 100, 0, true, []error{ErrInvalidParameter, ErrAmbiguous}, false, true}, // is_transient
		{500, 1, 1357046, false, []error{ErrAmbiguous}, false, true},
		{502, 0, 0, false, []error{ErrAmbiguous}, false, true},
		{400, 613, 0, false, []error{ErrRateLimited}, true, false},
		{429, 0, 0, false, nil, true, false},
		{400, 10, 2018278, false, []error{ErrOutsideWindow}, false, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d_%d_%d", tt.status, tt.code, tt.subcode), func(t *testing.T) {
			body := graphBody(tt.code, tt.subcode, "x")
			if tt.transient {
				body = strings.Replace(body, `"code"`, `"is_transient":true,"code"`, 1)
			}
			if tt.code == 0 {
				body = "Bad Gateway"
			}
			ge := decodeGraphError(tt.status, []byte(body), keepText, false)
			var matched []error
			for _, s := range allSentinels {
				if errors.Is(ge, s) {
					matched = append(matched, s)
				}
			}
			if diff := cmp.Diff(tt.want, matched, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
				t.Errorf("sentinels (-want +got):\n%s", diff)
			}
			if ge.Retryable != tt.retryable || ge.Ambiguous != tt.ambiguous {
				t.Errorf("Retryable, Ambiguous = %v, %v; want %v, %v", ge.Retryable, ge.Ambiguous, tt.retryable, tt.ambiguous)
			}
		})
	}
}

// TestGraphErrorScrubsBeforeCutting: a page that is not Graph's envelope is kept
// only in part; the secret is removed from the whole page first, so a cut through
// it cannot leave a piece that no longer matches. Every start position of the
// secret around the cut is tried.
func TestGraphErrorScrubsBeforeCutting(t *testing.T) {
	t.Parallel()
	const secret = "EAAGsecretPageTokenABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	scrub := strings.NewReplacer(secret, "[redacted]").Replace
	for start := maxUnexpectedBody - len(secret) - 2; start <= maxUnexpectedBody+2; start++ {
		body := strings.Repeat("x", start) + secret + strings.Repeat("y", 300)
		ge := decodeGraphError(502, []byte(body), scrub, false)
		for i := 0; i+8 <= len(secret); i++ {
			if piece := secret[i : i+8]; strings.Contains(ge.Message, piece) {
				t.Fatalf("secret starting at %d: message keeps %q of it: %s", start, piece, ge.Message)
			}
		}
	}
}

// TestGraphErrorScrubsEveryField: Graph's envelope may echo the credentials in
// any of its text fields.
func TestGraphErrorScrubsEveryField(t *testing.T) {
	t.Parallel()
	const secret = "EAAGsecretPageToken7f3a9c"
	body := `{"error":{"message":"m ` + secret + `","type":"t ` + secret + `","code":100,"error_user_title":"u ` + secret +
		`","error_user_msg":"v ` + secret + `","fbtrace_id":"f ` + secret + `"}}`
	ge := decodeGraphError(400, []byte(body), strings.NewReplacer(secret, "[redacted]").Replace, false)
	if got := fmt.Sprintf("%+v", *ge); strings.Contains(got, secret) {
		t.Errorf("GraphError keeps the secret: %s", strings.ReplaceAll(got, secret, "<SECRET>"))
	}
}

func TestShortenKeepsCharacters(t *testing.T) {
	t.Parallel()
	s := strings.Repeat("a", 199) + "é" + "tail" // é straddles byte 200
	if got, want := shorten(s, 200), strings.Repeat("a", 199)+"…"; got != want {
		t.Errorf("shorten = %q, want %q", got, want)
	}
}

func TestValidationError(t *testing.T) {
	t.Parallel()
	err := error(&ValidationError{Field: "message.text", Limit: "fewer than 2000 characters", Value: "2000 characters"})
	require.ErrorIs(t, err, ErrInvalidRequest)
	require.Equal(t, "messenger: invalid request: message.text must be fewer than 2000 characters, got 2000 characters", err.Error())
}

// inProcess serves a handler without a network, so synctest can move time while
// the client waits between attempts.
func inProcess(h http.Handler) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Result(), nil
	})}
}

// failingThenOK answers with the given status, headers and body `fails` times, then succeeds.
func failingThenOK(fails int, status int, header http.Header, body string, calls *atomic.Int32, times *[]time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		*times = append(*times, time.Now())
		if r.Body != nil {
			io.Copy(io.Discard, r.Body)
		}
		if int(n) <= fails {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			io.WriteString(w, body)
			return
		}
		io.WriteString(w, `{"recipient_id":"1","message_id":"m_1"}`)
	})
}

func TestRetriesTransientErrorsHonouringHints(t *testing.T) {
	t.Parallel()
	policy := RetryPolicy{MaxAttempts: 4, MinWait: time.Second, MaxWait: 10 * time.Minute}
	tests := []struct {
		name    string
		status  int
		header  http.Header
		body    string
		minWait time.Duration // the least time the first retry must wait
		maxWait time.Duration
		method  string   // default POST
		opts    []Option // added to the client's
	}{
		{"throttled 4 with usage hint", 400,
			http.Header{"X-Business-Use-Case-Usage": {`{"1":[{"type":"messenger","call_count":100,"estimated_time_to_regain_access":3}]}`}},
			graphBody(4, 0, "Application request limit reached"), 3 * time.Minute, 3 * time.Minute, "", nil},
		{"613 with Retry-After", 400, http.Header{"Retry-After": {"7"}}, graphBody(613, 0, "rate"), 7 * time.Second, 7 * time.Second, "", nil},
		{"17", 400, nil, graphBody(17, 0, "User request limit reached"), 500 * time.Millisecond, time.Second, "", nil},
		{"32", 403, nil, graphBody(32, 0, "Page request limit reached"), 500 * time.Millisecond, time.Second, "", nil},
		// Temporary failures are retried on a GET, and on a POST only when the host
		// opted in: Graph answers them for sends it delivered.
		{"1 unknown", 500, nil, graphBody(1, 0, "An unknown error occurred"), 500 * time.Millisecond, time.Second, http.MethodGet, nil},
		{"2 service", 500, nil, graphBody(2, 0, "unexpected"), 500 * time.Millisecond, time.Second, http.MethodGet, nil},
		{"1200 temporary send failure", 500, nil, graphBody(1200, 0, "Temporary send message failure"), 500 * time.Millisecond, time.Second, http.MethodGet, nil},
		{"2 on POST, opted in", 500, nil, graphBody(2, 0, "unexpected"), 500 * time.Millisecond, time.Second,
			http.MethodPost, []Option{WithRetryTemporaryPOST()}},
		{"429 without envelope", 429, nil, "", 500 * time.Millisecond, time.Second, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var calls atomic.Int32
				var times []time.Time
				opts := append([]Option{WithBaseURL("http://graph.test"), WithRetry(policy),
					WithHTTPClient(inProcess(failingThenOK(1, tt.status, tt.header, tt.body, &calls, &times)))}, tt.opts...)
				c, err := New(testToken, opts...)
				require.NoError(t, err)
				method := tt.method
				if method == "" {
					method = http.MethodPost
				}
				err = c.Do(context.Background(), method, "me/messages", map[string]string{"x": "y"}, nil)
				require.NoError(t, err)
				require.Equal(t, int32(2), calls.Load())
				waited := times[1].Sub(times[0])
				require.GreaterOrEqual(t, waited, tt.minWait)
				require.LessOrEqual(t, waited, tt.maxWait)
			})
		})
	}
}

func TestBackoffGrowsAndGivesUp(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		var times []time.Time
		c, err := New(testToken, WithBaseURL("http://graph.test"),
			WithRetry(RetryPolicy{MaxAttempts: 4, MinWait: time.Second, MaxWait: time.Minute}),
			WithHTTPClient(inProcess(failingThenOK(100, 500, nil, graphBody(2, 0, "unexpected"), &calls, &times))))
		require.NoError(t, err)
		err = c.Do(context.Background(), http.MethodGet, "me", nil, nil)
		require.ErrorIs(t, err, ErrTemporary)
		require.Equal(t, int32(4), calls.Load(), "MaxAttempts counts the first try")
		// Equal jitter: each wait lies in [d/2, d] for d = 1 s, 2 s, 4 s.
		for i, d := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
			w := times[i+1].Sub(times[i])
			require.GreaterOrEqual(t, w, d/2, "wait %d", i)
			require.LessOrEqual(t, w, d, "wait %d", i)
		}
	})
}

func TestHintLongerThanMaxWaitFailsAtOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		var times []time.Time
		hdr := http.Header{"X-Business-Use-Case-Usage": {`{"1":[{"type":"messenger","call_count":100,"estimated_time_to_regain_access":60}]}`}}
		c, err := New(testToken, WithBaseURL("http://graph.test"),
			WithHTTPClient(inProcess(failingThenOK(100, 400, hdr, graphBody(613, 0, "rate"), &calls, &times))))
		require.NoError(t, err)
		start := time.Now()
		err = c.Do(context.Background(), http.MethodPost, "me/messages", map[string]string{}, nil)
		var ge *GraphError
		require.ErrorAs(t, err, &ge)
		require.ErrorIs(t, err, ErrRateLimited)
		require.Equal(t, time.Hour, ge.RetryAfter)
		require.Equal(t, int32(1), calls.Load())
		require.Zero(t, time.Since(start), "no waiting inside the call")
	})
}

func TestNoRetryOfPermanentErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code, subcode int
		want          error
	}{
		{10, 2018278, ErrOutsideWindow},
		{10, 2534022, ErrOutsideWindow},
		{200, 0, ErrPermission},
		{10, 0, ErrPermission},
		{190, 0, ErrInvalidToken},
		{100, 0, ErrInvalidParameter},
		{551, 0, ErrUserUnavailable},
		{10, 2018300, ErrThreadOwnedByOtherApp},
		{10900, 0, ErrAlreadyReplied},
		{613, 2018338, ErrRateLimited},
		{1, 1357046, ErrAmbiguous},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d_%d", tt.code, tt.subcode), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var calls atomic.Int32
				var times []time.Time
				c, err := New(testToken, WithBaseURL("http://graph.test"),
					WithHTTPClient(inProcess(failingThenOK(100, 400, nil, graphBody(tt.code, tt.subcode, "no"), &calls, &times))))
				require.NoError(t, err)
				err = c.Do(context.Background(), http.MethodPost, "me/messages", map[string]string{}, nil)
				require.ErrorIs(t, err, tt.want)
				require.Equal(t, int32(1), calls.Load(), "Graph saw exactly one request")
			})
		})
	}
}

func TestAmbiguousRetriedOnlyWhenAllowed(t *testing.T) {
	t.Parallel()
	for _, allow := range []bool{false, true} {
		t.Run(fmt.Sprint(allow), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var calls atomic.Int32
				var times []time.Time
				c, err := New(testToken, WithBaseURL("http://graph.test"),
					WithRetry(RetryPolicy{MaxAttempts: 3, MinWait: time.Second, MaxWait: time.Second, RetryAmbiguous: allow}),
					WithHTTPClient(inProcess(failingThenOK(1, 500, nil, graphBody(1, 1357046, "Received Invalid JSON reply."), &calls, &times))))
				require.NoError(t, err)
				err = c.Do(context.Background(), http.MethodPost, "me/messages", map[string]string{}, nil)
				if allow {
					require.NoError(t, err)
					require.Equal(t, int32(2), calls.Load())
				} else {
					require.ErrorIs(t, err, ErrAmbiguous)
					require.Equal(t, int32(1), calls.Load())
				}
			})
		})
	}
}

func TestLostConnectionAfterSendIsAmbiguous(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			calls.Add(1)
			return nil, io.ErrUnexpectedEOF // the server closed the connection mid-answer
		})}
		c, err := New(testToken, WithBaseURL("http://graph.test"), WithHTTPClient(hc))
		require.NoError(t, err)
		err = c.Do(context.Background(), http.MethodPost, "me/messages", map[string]string{}, nil)
		require.ErrorIs(t, err, ErrAmbiguous)
		require.Equal(t, int32(1), calls.Load(), "a send that may have gone out is not repeated")

		calls.Store(0)
		err = c.Do(context.Background(), http.MethodGet, "me", nil, nil)
		require.Error(t, err)
		require.Equal(t, int32(4), calls.Load(), "a GET is safe to repeat")
	})
}

func TestContextCancelledDuringBackoff(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		var times []time.Time
		c, err := New(testToken, WithBaseURL("http://graph.test"),
			WithRetry(RetryPolicy{MaxAttempts: 5, MinWait: time.Minute, MaxWait: time.Hour}),
			WithHTTPClient(inProcess(failingThenOK(100, 500, nil, graphBody(2, 0, "x"), &calls, &times))))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = c.Do(ctx, http.MethodGet, "me", nil, nil)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, int32(1), calls.Load())
	})
}

func TestBare5xxIsAmbiguousForSends(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		var times []time.Time
		c, err := New(testToken, WithBaseURL("http://graph.test"),
			WithHTTPClient(inProcess(failingThenOK(1, 502, nil, "<html>Bad Gateway</html>", &calls, &times))))
		require.NoError(t, err)
		err = c.Do(context.Background(), http.MethodPost, "me/messages", map[string]string{}, nil)
		require.ErrorIs(t, err, ErrAmbiguous, "a proxy's 502 may hide a delivered message")
		require.Equal(t, int32(1), calls.Load())

		calls.Store(0) // the handler fails once more
		require.NoError(t, c.Do(context.Background(), http.MethodGet, "me", nil, nil), "a GET is repeated")
		require.Equal(t, int32(2), calls.Load())
	})
}

func TestCancelledCallsSayWhetherAnythingWasSent(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		started := make(chan struct{})
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			close(started)
			<-r.Context().Done() // Graph never answers
			return nil, r.Context().Err()
		})}
		c, err := New(testToken, WithBaseURL("http://graph.test"), WithHTTPClient(hc))
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- c.Do(ctx, http.MethodPost, "me/messages", map[string]string{}, nil) }()
		<-started
		cancel()
		err = <-done
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, ErrAmbiguous, "cancelled while Graph had the request")

		cancelled, cancel2 := context.WithCancel(context.Background())
		cancel2()
		err = c.Do(cancelled, http.MethodPost, "me/messages", map[string]string{}, nil)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, ErrNotSent, "cancelled before any attempt")
	})
}

// The reason an inbox entry keeps is cut at its limit without splitting a
// character, so every store holds valid text.
func TestCutUTF8(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "abc"},
		{"ab\u00e9", 3, "ab"}, // é is 2 bytes: cut before it, not inside
		{"ab\u00e9", 4, "ab\u00e9"},
		{"\u20ac\u20ac", 4, "\u20ac"}, // € is 3 bytes
		{"\u20ac", 2, ""},
	} {
		if got := cutUTF8(tc.s, tc.n); got != tc.want || !utf8.ValidString(got) {
			t.Errorf("cutUTF8(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
	long := strings.Repeat("x", maxReasonBytes-1) + "\u00e9"
	if got := cutUTF8(long, maxReasonBytes); len(got) != maxReasonBytes-1 {
		t.Errorf("a reason whose last character straddles the %d-byte limit kept %d bytes", maxReasonBytes, len(got))
	}
}
