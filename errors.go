package messenger

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gomessenger/messenger/internal/transport"
)

// Sentinel errors, matched with errors.Is against a *GraphError by its numeric code
// and subcode (never by message text, which Graph localises), or against the SDK's
// own errors.
var (
	// ErrOutsideWindow: the message is outside the standard messaging window and no
	// tag or token allows it (10/2018278, 10/2534022, 10/2018065, 200/1545041).
	ErrOutsideWindow = errors.New("messenger: outside the messaging window")
	// ErrRateLimited: a call or send budget is spent (4, 17, 32, 613, 80001, 80006).
	ErrRateLimited = errors.New("messenger: rate limited")
	// ErrUserUnavailable: the person cannot receive messages from the Page now
	// (551, 10/2018108).
	ErrUserUnavailable = errors.New("messenger: person unavailable")
	// ErrInvalidToken: the access token is invalid or expired (190).
	ErrInvalidToken = errors.New("messenger: invalid access token")
	// ErrPermission: the app or Page lacks a permission (10 without a window
	// subcode, 200–299, 230).
	ErrPermission = errors.New("messenger: permission denied")
	// ErrInvalidParameter: Graph rejected a parameter (100).
	ErrInvalidParameter = errors.New("messenger: invalid parameter")
	// ErrThreadOwnedByOtherApp: another app controls the thread (10/2018300);
	// take thread control first.
	ErrThreadOwnedByOtherApp = errors.New("messenger: another app controls this thread")
	// ErrAlreadyReplied: the comment or visitor post already got its one private
	// reply, or cannot get one (10900, 10903).
	ErrAlreadyReplied = errors.New("messenger: already replied privately")
	// ErrTemporary: Graph had a temporary failure (1, 2, 1200). GET and DELETE
	// calls are retried; a POST is not (unless WithRetryTemporaryPOST), and its
	// error matches ErrAmbiguous as well.
	ErrTemporary = errors.New("messenger: temporary failure")
	// ErrAmbiguous: the call may or may not have taken effect, so a send may have
	// been delivered: Graph's 1/1357046, an HTTP 5xx without Graph's error
	// envelope, a temporary failure (1, 2, 1200, is_transient) answered to a POST,
	// an attempt that timed out or lost its connection after the request went out,
	// or a success answer to a POST that was cut short or is not JSON. Such a POST
	// is not retried unless RetryPolicy.RetryAmbiguous allows it.
	ErrAmbiguous = errors.New("messenger: outcome unknown")
	// ErrInvalidRequest: the SDK refused the request before sending it because it
	// breaks a documented platform limit or rule. Nothing was sent.
	ErrInvalidRequest = errors.New("messenger: invalid request")
)

// GraphError is an error answered by the Graph API, decoded from its envelope
// {"error":{"message","type","code","error_subcode",...}}.
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/error-codes
type GraphError struct {
	HTTPStatus  int
	Code        int
	Subcode     int
	Type        string
	Message     string
	UserTitle   string
	UserMessage string
	FBTraceID   string
	IsTransient bool
	// Retryable reports whether the same call may succeed if repeated later
	// (throttling and temporary failures). It is false for ambiguous failures.
	Retryable bool
	// Ambiguous reports that the failed call was a POST that Graph may have acted
	// on anyway (a temporary failure, 1/1357046, or an HTTP 5xx without Graph's
	// envelope): a send may have been delivered. It makes the error match
	// ErrAmbiguous.
	Ambiguous bool
	// RetryAfter is how long Graph asked the client to wait (Retry-After or the
	// estimated_time_to_regain_access of X-Business-Use-Case-Usage); zero if no hint.
	RetryAfter time.Duration
	// Usage is what the usage headers of the failed response said.
	Usage Usage
}

// NewGraphError builds a GraphError, as fakes and tests need to.
func NewGraphError(httpStatus, code, subcode int, typ, message string) *GraphError {
	e := &GraphError{HTTPStatus: httpStatus, Code: code, Subcode: subcode, Type: typ, Message: message}
	e.Retryable = retryable(transport.Classify(httpStatus, code, subcode, false))
	return e
}

// Error reads as one log line: status, code/subcode, Graph's message and trace id.
func (e *GraphError) Error() string {
	var b strings.Builder
	b.WriteString("messenger: graph error ")
	b.WriteString(strconv.Itoa(e.Code))
	if e.Subcode != 0 {
		b.WriteByte('/')
		b.WriteString(strconv.Itoa(e.Subcode))
	}
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " [retry after %s]", e.RetryAfter)
	}
	if e.FBTraceID != "" {
		b.WriteString(" [fbtrace_id ")
		b.WriteString(e.FBTraceID)
		b.WriteByte(']')
	}
	return b.String()
}

// Is matches the sentinels on code and subcode.
func (e *GraphError) Is(target error) bool {
	switch target {
	case ErrOutsideWindow:
		return (e.Code == 10 && (e.Subcode == 2018278 || e.Subcode == 2534022 || e.Subcode == 2018065)) ||
			e.Subcode == 1545041 && e.Code == 200
	case ErrRateLimited:
		return transport.RateLimitCode(e.Code)
	case ErrUserUnavailable:
		return e.Code == 551 || (e.Code == 10 && e.Subcode == 2018108)
	case ErrInvalidToken:
		return e.Code == 190
	case ErrPermission:
		if e.Code == 10 {
			switch e.Subcode {
			case 2018278, 2534022, 2018065, 2018108, 2018300:
				return false
			}
			return true
		}
		return e.Code == 230 || (e.Code >= 200 && e.Code <= 299 && e.Subcode != 1545041)
	case ErrInvalidParameter:
		return e.Code == 100
	case ErrThreadOwnedByOtherApp:
		return e.Code == 10 && e.Subcode == 2018300
	case ErrAlreadyReplied:
		return e.Code == 10900 || e.Code == 10903
	case ErrTemporary:
		return (e.Code == 1 && e.Subcode != 1357046) || e.Code == 2 || e.Code == 1200
	case ErrAmbiguous:
		return e.Ambiguous || (e.Code == 1 && e.Subcode == 1357046) || (e.Code == 0 && e.HTTPStatus >= 500)
	}
	return false
}

// maxUnexpectedBody is how many bytes of an answer that is not a Graph envelope
// (a proxy's error page) an error keeps.
const maxUnexpectedBody = 200

// decodeGraphError builds a GraphError from an error response body. A body that is
// not a Graph envelope still gives a GraphError carrying the HTTP status and the
// first bytes of the body, so nothing is lost. scrub removes secrets from every
// text field; idempotent says whether the call may be repeated without effect,
// which decides whether a temporary failure is ambiguous.
func decodeGraphError(status int, body []byte, scrub func(string) string, idempotent bool) *GraphError {
	var env struct {
		Error *struct {
			Message     string          `json:"message"`
			Type        string          `json:"type"`
			Code        json.Number     `json:"code"`
			Subcode     json.Number     `json:"error_subcode"`
			UserTitle   string          `json:"error_user_title"`
			UserMessage string          `json:"error_user_msg"`
			FBTraceID   string          `json:"fbtrace_id"`
			IsTransient json.RawMessage `json:"is_transient"`
		} `json:"error"`
	}
	e := &GraphError{HTTPStatus: status}
	if json.Unmarshal(body, &env) == nil && env.Error != nil {
		g := env.Error
		e.Code = atoiNumber(g.Code)
		e.Subcode = atoiNumber(g.Subcode)
		// Every text field is scrubbed: a server (or a proxy) may echo the request
		// URL, credentials included, into any of them.
		e.Type, e.Message, e.UserTitle, e.UserMessage, e.FBTraceID =
			scrub(g.Type), scrub(g.Message), scrub(g.UserTitle), scrub(g.UserMessage), scrub(g.FBTraceID)
		e.IsTransient = string(g.IsTransient) == "true"
	} else {
		// Scrub before cutting: a cut through a secret would leave a piece of it
		// that no longer matches, and the piece would be kept.
		msg := shorten(scrub(strings.TrimSpace(string(body))), maxUnexpectedBody)
		if msg == "" {
			msg = "no error body"
		}
		e.Message = "unexpected response: " + msg
	}
	class := transport.Classify(status, e.Code, e.Subcode, e.IsTransient)
	e.Ambiguous = transport.MayHaveRun(class, idempotent)
	e.Retryable = !e.Ambiguous && retryable(class)
	return e
}

// retryable reports whether a failure of class may succeed if repeated later.
func retryable(class transport.Class) bool {
	return class == transport.Refused || class == transport.Transient
}

// shorten cuts s to at most n bytes, at a character boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return cutUTF8(s, n) + "…"
}

// cutUTF8 cuts s to at most n bytes without splitting a character, so what is kept
// (an error message, an inbox entry's reason) is valid text.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func atoiNumber(n json.Number) int {
	if n == "" {
		return 0
	}
	if i, err := n.Int64(); err == nil {
		return int(i)
	}
	return 0
}

// ValidationError says which field of a request breaks which platform limit or rule.
// It matches ErrInvalidRequest with errors.Is. Nothing was sent.
type ValidationError struct {
	Field  string // JSON path of the field, e.g. "message.quick_replies[3].title"
	Limit  string // the rule, e.g. "at most 20 characters"
	Value  string // what was found, shortened when long
	Reason string // optional extra explanation
}

// Error names the field, the limit and the value.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("messenger: invalid request: ")
	b.WriteString(e.Field)
	if e.Limit != "" {
		b.WriteString(" must be ")
		b.WriteString(e.Limit)
	}
	if e.Value != "" {
		b.WriteString(", got ")
		b.WriteString(e.Value)
	}
	if e.Reason != "" {
		b.WriteString(" (")
		b.WriteString(e.Reason)
		b.WriteByte(')')
	}
	return b.String()
}

// Is matches ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }
