package messengertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gomessenger/messenger"
)

// Delivery says how the server delivers webhooks, to reproduce what Meta does under
// load (docs/platform.md, “Webhook deliveries”). The zero value delivers each event once, at once, in its own
// POST, and reports a non-2xx answer as an error without retrying.
type Delivery struct {
	// Duplicates is how many extra times each POST is delivered, as Meta redelivers.
	Duplicates int `json:"duplicates,omitempty"`
	// BatchSize > 1 puts up to that many events in one POST, as several entries;
	// events wait until BatchSize are pending (or Flush is called).
	BatchSize int `json:"batch_size,omitempty"`
	// Hold keeps every event pending until Flush is called.
	Hold bool `json:"hold,omitempty"`
	// OutOfOrder delivers the events pending at a flush newest first (POSTs and the
	// entries within each POST), as after Meta's delivery failures.
	OutOfOrder bool `json:"out_of_order,omitempty"`
	// Retries is how many times a POST answered with a non-2xx status (or not
	// answered) is tried again, at once, as Meta does.
	Retries int `json:"retries,omitempty"`
	// Timeout bounds each POST to a webhook URL (default 5 s, Meta's budget).
	Timeout time.Duration `json:"timeout,omitempty"`
	// Echoes delivers a message_echoes event for every accepted message send while
	// a webhook target is set (see WithEchoes).
	Echoes bool `json:"echoes,omitempty"`
}

func (d Delivery) check() error {
	if d.Duplicates < 0 || d.BatchSize < 0 || d.Retries < 0 || d.Timeout < 0 {
		return fmt.Errorf("messengertest: Delivery fields must not be negative: %+v", d)
	}
	return nil
}

// Webhook is one webhook POST the server made (or would have made: with no target
// set, Status is 0 and Err says so).
type Webhook struct {
	Time time.Time
	// Body is the exact signed body.
	Body []byte
	// Status is the target's HTTP answer; 0 when nothing answered.
	Status int
	Err    error
}

// pendingEvent is one event waiting for delivery, as one entry of the envelope.
type pendingEvent struct {
	entry json.RawMessage
}

// SetWebhook makes the server deliver webhooks to h, in process (nil: nowhere).
// Deliveries are synchronous: a user action returns once h answered, so h must not
// itself run user actions of this server before answering (messenger.Webhook
// answers first and handles events afterwards, which is what Meta expects anyway).
func (s *Server) SetWebhook(h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.hook, s.cfg.hookURL = h, ""
}

// SetWebhookURL makes the server POST webhooks to rawURL ("" : nowhere).
func (s *Server) SetWebhookURL(rawURL string) error {
	if rawURL != "" {
		if err := checkWebhookURL(rawURL); err != nil {
			return fmt.Errorf("messengertest: SetWebhookURL: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.hook, s.cfg.hookURL = nil, rawURL
	return nil
}

// SetDelivery changes how webhooks are delivered from now on.
func (s *Server) SetDelivery(d Delivery) error {
	if err := d.check(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.delivery = d
	return nil
}

// Webhooks returns the webhook POSTs made so far, oldest first.
func (s *Server) Webhooks() []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Webhook(nil), s.st.webhooks...)
}

// messagingEntry wraps one messaging (or standby) item in an entry.
func messagingEntry(pageID string, at time.Time, standby bool, item []byte) json.RawMessage {
	e := wireEntry{ID: pageID, Time: at.UnixMilli()}
	if standby {
		e.Standby = []json.RawMessage{item}
	} else {
		e.Messaging = []json.RawMessage{item}
	}
	b, _ := json.Marshal(e) // raw messages and scalars always encode
	return b
}

// feedEntry wraps one Page feed change in an entry; feed times are in seconds.
func feedEntry(pageID string, at time.Time, change []byte) json.RawMessage {
	b, _ := json.Marshal(wireEntry{ID: pageID, Time: at.Unix(), Changes: []json.RawMessage{change}})
	return b
}

// wireEntry and wireEnvelope keep Meta's key order (docs/platform.md, “Webhook deliveries”). Entries are
// built here rather than with messenger.MarshalEnvelope because Delivery batches
// several entries into one body, as Meta does under load.
type wireEntry struct {
	ID        string            `json:"id"`
	Time      int64             `json:"time"`
	Messaging []json.RawMessage `json:"messaging,omitempty"`
	Standby   []json.RawMessage `json:"standby,omitempty"`
	Changes   []json.RawMessage `json:"changes,omitempty"`
}

type wireEnvelope struct {
	Object string            `json:"object"`
	Entry  []json.RawMessage `json:"entry"`
}

// emit queues an entry and delivers what the delivery settings say is due.
func (s *Server) emit(entry json.RawMessage) error {
	s.mu.Lock()
	s.st.pending = append(s.st.pending, pendingEvent{entry: entry})
	s.mu.Unlock()
	return s.deliverDue()
}

// deliverDue delivers the pending events if the delivery settings say they are due.
func (s *Server) deliverDue() error {
	s.mu.Lock()
	d := s.cfg.delivery
	due := len(s.st.pending) > 0 && !d.Hold && len(s.st.pending) >= max(d.BatchSize, 1)
	s.mu.Unlock()
	if !due {
		return nil
	}
	return s.Flush()
}

// Flush delivers every pending webhook event now, honouring BatchSize, OutOfOrder and
// Duplicates, and returns the first delivery error.
func (s *Server) Flush() error {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	s.mu.Lock()
	pending := s.st.pending
	s.st.pending = nil
	d := s.cfg.delivery
	s.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	size := max(d.BatchSize, 1)
	var bodies [][]byte
	for len(pending) > 0 {
		n := min(size, len(pending))
		entries := make([]json.RawMessage, n)
		for i, p := range pending[:n] {
			entries[i] = p.entry
		}
		if d.OutOfOrder {
			slices.Reverse(entries)
		}
		b, err := json.Marshal(wireEnvelope{Object: "page", Entry: entries})
		if err != nil {
			return err
		}
		bodies = append(bodies, escapeNonASCII(b))
		pending = pending[n:]
	}
	if d.OutOfOrder {
		slices.Reverse(bodies)
	}
	var first error
	for _, b := range bodies {
		for range 1 + d.Duplicates {
			if err := s.post(b, d); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

// ErrNoWebhook is recorded in Webhooks when an event had nowhere to go.
var ErrNoWebhook = errors.New("messengertest: no webhook target set")

// post delivers one body, retrying as configured, and records each attempt.
func (s *Server) post(body []byte, d Delivery) error {
	s.mu.Lock()
	hook, hookURL, now := s.cfg.hook, s.cfg.hookURL, s.st.now
	s.mu.Unlock()
	if hook == nil && hookURL == "" {
		s.recordWebhook(Webhook{Time: now, Body: body, Err: ErrNoWebhook})
		return nil
	}
	var err error
	for range 1 + d.Retries {
		var status int
		status, err = s.postOnce(body, hook, hookURL, d.Timeout)
		s.recordWebhook(Webhook{Time: now, Body: body, Status: status, Err: err})
		if err == nil {
			return nil
		}
	}
	return err
}

func (s *Server) recordWebhook(w Webhook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.webhooks = append(s.st.webhooks, w)
}

func (s *Server) postOnce(body []byte, hook http.Handler, hookURL string, timeout time.Duration) (int, error) {
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	target := hookURL
	if hook != nil {
		target = "http://webhook.test/webhook"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("messengertest: webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "facebookexternalua")
	req.Header.Set("X-Hub-Signature-256", messenger.SignPayload(body, s.cfg.appSecret))
	req.Header.Set("X-Hub-Signature", messenger.SignPayloadSHA1(body, s.cfg.appSecret))
	var status int
	var respBody []byte
	if hook != nil {
		rec := httptest.NewRecorder()
		hook.ServeHTTP(rec, req)
		status, respBody = rec.Code, rec.Body.Bytes()
	} else {
		resp, err := webhookClient.Do(req)
		if err != nil {
			return 0, fmt.Errorf("messengertest: webhook POST to %s: %w", hookURL, err)
		}
		respBody, _ = io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		_ = resp.Body.Close()
		status = resp.StatusCode
	}
	if status < 200 || status > 299 {
		return status, fmt.Errorf("messengertest: webhook answered %d: %s", status, bytes.TrimSpace(respBody))
	}
	return status, nil
}

var webhookClient = &http.Client{}

// escapeNonASCII writes non-ASCII characters as \uXXXX escapes, as Meta serialises
// webhook bodies, so handlers that re-encode JSON before checking the signature fail
// here as they would in production. Non-ASCII bytes only occur inside JSON strings.
func escapeNonASCII(b []byte) []byte {
	if !slices.ContainsFunc(b, func(c byte) bool { return c >= utf8.RuneSelf }) {
		return b
	}
	out := make([]byte, 0, len(b)+64)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r < utf8.RuneSelf {
			out = append(out, b[0])
		} else {
			for _, u := range utf16.Encode([]rune{r}) {
				out = append(out, `\u`...)
				out = append(out, fmt.Sprintf("%04x", u)...)
			}
		}
		b = b[n:]
	}
	return out
}
