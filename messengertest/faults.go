package messengertest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// Fault makes matching Graph calls misbehave. A call matches when its endpoint and
// recipient match (empty fields match anything). What happens then, in this order:
// the answer is delayed by Latency; the connection is dropped when DropConnection is
// set; a Graph error envelope is answered when Code is set (with HTTP status Status,
// or the status Graph uses for that code); a bare HTTP status with a text body is
// answered when only Status is set. A fault with only Latency delays the call and then
// serves it normally.
type Fault struct {
	// Endpoint is the Graph edge to fail, one of the Endpoint constants ("messages",
	// "message_attachments", ...); empty matches every call.
	Endpoint string `json:"endpoint,omitempty"`
	// Recipient is the recipient identifier to fail (a PSID, user_ref, comment id,
	// token...); empty matches any call.
	Recipient string `json:"recipient,omitempty"`
	// Count is how many matching calls fail before the fault is spent; 0 fails every
	// matching call until ClearFaults.
	Count int `json:"count,omitempty"`
	// Probability, between 0 and 1, is the chance that a matching call fails; 0 means
	// always. Draws come from a generator seeded with Seed, so runs repeat.
	Probability float64 `json:"probability,omitempty"`
	Seed        uint64  `json:"seed,omitempty"`

	// Code and Subcode are the Graph error to answer; Message replaces the
	// documented text for that code.
	Code    int    `json:"code,omitempty"`
	Subcode int    `json:"subcode,omitempty"`
	Message string `json:"message,omitempty"`
	// Status is the HTTP status of the answer.
	Status int `json:"status,omitempty"`
	// Latency delays the answer (real time: it is for client timeouts).
	Latency time.Duration `json:"latency,omitempty"`
	// DropConnection closes the connection without an answer.
	DropConnection bool `json:"drop_connection,omitempty"`
}

func (f Fault) check() error {
	switch {
	case f.Probability < 0 || f.Probability > 1:
		return fmt.Errorf("messengertest: Fault.Probability must be between 0 and 1, got %v", f.Probability)
	case f.Count < 0:
		return fmt.Errorf("messengertest: Fault.Count must not be negative, got %d", f.Count)
	case f.Latency < 0:
		return fmt.Errorf("messengertest: Fault.Latency must not be negative, got %v", f.Latency)
	case f.Status != 0 && (f.Status < 100 || f.Status > 599):
		return fmt.Errorf("messengertest: Fault.Status must be an HTTP status, got %d", f.Status)
	case f.Code == 0 && f.Status == 0 && f.Latency == 0 && !f.DropConnection:
		return errors.New("messengertest: Fault does nothing: set Code, Status, Latency or DropConnection")
	}
	if f.Endpoint != "" {
		if _, ok := pageEdges[f.Endpoint]; !ok && f.Endpoint != EndpointObject && f.Endpoint != EndpointBatch {
			return fmt.Errorf("messengertest: Fault.Endpoint %q is not an endpoint of the fake", f.Endpoint)
		}
	}
	return nil
}

type faultState struct {
	Fault
	left int // failures left when Count > 0
	rng  *rand.Rand
}

// InjectFault adds a fault rule; rules are tried in the order they were added and the
// first that fires applies.
func (s *Server) InjectFault(f Fault) error {
	if err := f.check(); err != nil {
		return err
	}
	fs := &faultState{Fault: f, left: f.Count}
	if f.Probability > 0 {
		fs.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.faults = append(s.st.faults, fs)
	return nil
}

// ClearFaults removes every fault rule.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.faults = nil
}

// matchFault returns the fault that fires for this call, if any, and spends one use.
func (s *Server) matchFault(endpoint, recipient string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.st.faults {
		if f.Endpoint != "" && f.Endpoint != endpoint {
			continue
		}
		if f.Recipient != "" && f.Recipient != recipient {
			continue
		}
		if f.rng != nil && f.rng.Float64() >= f.Probability {
			continue
		}
		if f.Count > 0 {
			f.left--
			if f.left <= 0 {
				s.st.faults = append(s.st.faults[:i:i], s.st.faults[i+1:]...)
			}
		}
		out := f.Fault
		return &out
	}
	return nil
}

// errDropConnection tells serveGraph to drop the connection.
var errDropConnection = &graphError{code: 2, message: "connection dropped by an injected fault", transient: true}

// apply carries out a fault. stop is false when the call should go on normally (a
// latency-only fault).
func (f *Fault) apply(ctx context.Context, c *call) (status int, body any, gerr *graphError, stop bool) {
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	switch {
	case f.DropConnection:
		if c.inBatch {
			return 0, nil, errTemporary(), true
		}
		return 0, nil, errDropConnection, true
	case f.Code != 0:
		return 0, nil, f.graphError(), true
	case f.Status != 0:
		return f.Status, rawResponse(fmt.Sprintf("%d %s\n", f.Status, http.StatusText(f.Status))), nil, true
	}
	return 0, nil, nil, false
}

func (f *Fault) graphError() *graphError {
	var e *graphError
	switch {
	case f.Code == 613 || f.Code == 4 || f.Code == 17 || f.Code == 32:
		e = errRateLimited()
		e.code = f.Code
	case f.Code == 2:
		e = errTemporary()
	case f.Code == 1200:
		e = errf(1200, 0, "Temporary send message failure. Please try again later.")
		e.transient = true
	case f.Code == 1 && f.Subcode == 1357046:
		e = errAmbiguous()
	case f.Code == 10 && (f.Subcode == 2018278 || f.Subcode == 0):
		e = errOutsideWindow()
	case f.Code == 10 && f.Subcode == 2018300:
		e = errThreadOwned()
	case f.Code == 551:
		e = errUnavailable()
	case f.Code == 10900:
		e = errAlreadyReplied()
	case f.Code == 190:
		e = errBadToken()
	case f.Code == 104:
		e = errNoToken()
	default:
		e = errf(f.Code, f.Subcode, "messengertest: injected fault")
	}
	e.subcode = f.Subcode
	if f.Code == 10 && f.Subcode == 0 {
		e.subcode = 2018278
	}
	if f.Message != "" {
		e.message = f.Message
	}
	e.status = f.Status
	return e
}

// rateLimitHeader is the usage header Graph sends with throttling errors (docs/platform.md,
// “Usage headers”): a full budget and one minute to regain access.
func rateLimitHeader(pageID string) string {
	return fmt.Sprintf(`{"%s":[{"type":"messenger","call_count":100,"total_cputime":0,"total_time":0,"estimated_time_to_regain_access":1}]}`, pageID)
}

func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Not hijackable (HTTP/2): abort the response, which resets the stream.
	panic(http.ErrAbortHandler)
}
