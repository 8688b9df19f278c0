package messengertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// graphError is one answer in Graph's error envelope (docs/platform.md, “Errors”).
type graphError struct {
	status    int
	code      int
	subcode   int
	typ       string
	message   string // without the "(#code) " prefix
	bare      bool   // Graph sends the message without the "(#code) " prefix
	transient bool
	header    http.Header // extra response headers, e.g. usage headers for throttling
}

// Error makes a graphError usable where Go code wants an error (batch, tests).
func (e *graphError) Error() string {
	return fmt.Sprintf("graph error %d/%d: %s", e.code, e.subcode, e.message)
}

// errorEnvelope is the wire shape of a Graph error.
type errorEnvelope struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Message     string `json:"message"`
	Type        string `json:"type"`
	Code        int    `json:"code"`
	Subcode     int    `json:"error_subcode,omitempty"`
	IsTransient bool   `json:"is_transient"`
	UserTitle   string `json:"error_user_title,omitempty"`
	UserMsg     string `json:"error_user_msg,omitempty"`
	FBTraceID   string `json:"fbtrace_id"`
}

func (e *graphError) envelope(trace string) errorEnvelope {
	typ := e.typ
	if typ == "" {
		typ = "OAuthException"
	}
	msg := e.message
	if !e.bare {
		msg = fmt.Sprintf("(#%d) %s", e.code, e.message)
	}
	return errorEnvelope{Error: errorBody{
		Message:     msg,
		Type:        typ,
		Code:        e.code,
		Subcode:     e.subcode,
		IsTransient: e.transient,
		FBTraceID:   trace,
	}}
}

func writeGraphError(w http.ResponseWriter, e *graphError, trace string) {
	for k, vs := range e.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	status := e.status
	if status == 0 {
		status = statusForCode(e.code)
	}
	writeJSON(w, status, e.envelope(trace))
}

// statusForCode is the HTTP status the fake answers for a Graph code when none is
// given: 500 for Graph's "unknown"/"service" and temporary-send codes, 400 otherwise
// (docs/platform.md, “Errors”'s recommendation).
func statusForCode(code int) int {
	switch code {
	case 1, 2, 1200:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"message":"messengertest: cannot encode response","type":"OAuthException","code":1,"fbtrace_id":""}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	// A length lets the client read the whole answer before the handler returns,
	// which echo delivery (after the answer) relies on.
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func errf(code, subcode int, format string, args ...any) *graphError {
	return &graphError{code: code, subcode: subcode, message: fmt.Sprintf(format, args...)}
}

// errParam is Graph's generic invalid-parameter error (code 100, no subcode).
func errParam(format string, args ...any) *graphError {
	return errf(100, 0, format, args...)
}

// The errors of docs/platform.md, “Errors”, “Private replies”, “Handover protocol” the fake answers.
func errNoUser() *graphError { return errf(100, 2018001, "No matching user found") }

func errMessageAndState() *graphError {
	return errf(100, 2018014, "Cannot send both message and state at the same time.")
}

func errEmptyMessage() *graphError { return errf(100, 2018034, "Message cannot be empty") }

func errOutsideWindow() *graphError {
	return errf(10, 2018278, "This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview")
}

func errThreadOwned() *graphError {
	return errf(10, 2018300, "Message failed to send because another app is controlling this thread now.")
}

func errUnavailable() *graphError {
	return errf(551, 0, "This person isn't receiving messages from you right now.")
}

func errAlreadyReplied() *graphError { return errf(10900, 0, "Activity already replied to") }

func errInvalidComment(field string) *graphError {
	return errf(100, 2018292, "Invalid %s parameter", field)
}

func errRateLimited() *graphError {
	return errf(613, 0, "Calls to this api have exceeded the rate limit.")
}

func errTemporary() *graphError {
	e := errf(2, 0, "An unexpected error has occurred. Please retry your request later.")
	e.transient = true
	return e
}

func errAmbiguous() *graphError {
	return errf(1, 1357046, "Received Invalid JSON reply.")
}

// Graph words these errors without the "(#code) " prefix; the token errors are typed
// OAuthException, the others GraphMethodException.

func errNoToken() *graphError {
	return &graphError{code: 104, bare: true, message: "An access token is required to request this resource."}
}

func errBadToken() *graphError {
	return &graphError{code: 190, bare: true, message: "Invalid OAuth access token - Cannot parse access token"}
}

func errMethod(format string, args ...any) *graphError {
	e := errParam(format, args...)
	e.typ, e.bare = "GraphMethodException", true
	return e
}

func errUnsupported(method, id string) *graphError {
	e := errMethod("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", method, id)
	e.subcode = 33
	return e
}
