package messenger

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// MaxBatch is the most operations in one Graph batch request (docs/platform.md, “Batch requests”).
const MaxBatch = 50

// BatchRequest is one operation of a Graph batch (docs/platform.md, “Batch requests”).
type BatchRequest struct {
	// Method is GET, POST or DELETE.
	Method string `json:"method"`
	// RelativeURL is the path relative to the Graph version, e.g. "me/messages".
	RelativeURL string `json:"relative_url"`
	// Body is the operation's parameters, sent form-encoded; values that are objects
	// are JSON strings.
	Body url.Values `json:"-"`
	// Name lets later operations depend on this one.
	Name string `json:"name,omitempty"`
	// DependsOn names the operation that must complete before this one.
	DependsOn string `json:"depends_on,omitempty"`
	// OmitResponseOnSuccess drops the body of a successful answer.
	OmitResponseOnSuccess bool `json:"omit_response_on_success,omitempty"`
}

// BatchResponse is the answer to one batch operation, in request order. Err is a
// *GraphError when Graph answered the operation with an error, and an error
// matching ErrAmbiguous when Graph answered null for it (skipped or timed out: a
// send may or may not have happened).
type BatchResponse struct {
	Code int
	Body json.RawMessage
	Err  error
}

// Decode decodes the operation's JSON body into out.
func (r *BatchResponse) Decode(out any) error {
	if r.Err != nil {
		return r.Err
	}
	if len(r.Body) == 0 {
		return nil
	}
	return json.Unmarshal(r.Body, out)
}

// batchItemWire is a BatchRequest with its body form-encoded, as Graph expects.
type batchItemWire struct {
	*BatchRequest
	Body string `json:"body,omitempty"`
}

// Batch runs up to 50 Graph operations in one call (POST / with batch and
// include_headers=false, docs/platform.md, “Batch requests”) and returns each one's answer in request
// order. The error is non-nil only when the batch as a whole failed; each
// operation's own failure is in its BatchResponse.Err. Independent operations run in
// parallel on Meta's side, so their order of effect is not guaranteed unless chained
// with DependsOn; don't put typing_on and typing_off in one batch.
//
// Graph API docs: https://developers.facebook.com/docs/graph-api/batch-requests
func (c *Client) Batch(ctx context.Context, reqs []BatchRequest) ([]BatchResponse, error) {
	out, _, err := c.batch(ctx, reqs)
	return out, err
}

// batchAnswer is the raw answer of a batch call with the usage headers it came
// with, which SendBatch hands to each send's response.
type batchAnswer struct {
	items []json.RawMessage
	usage Usage
}

func (a *batchAnswer) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &a.items) }
func (a *batchAnswer) setUsage(u Usage)             { a.usage = u }

// batch is Batch, also returning the usage headers of the batch's response.
func (c *Client) batch(ctx context.Context, reqs []BatchRequest) ([]BatchResponse, Usage, error) {
	var v validator
	v.count("batch", "", len(reqs), 1, MaxBatch, "requests")
	for i := range reqs {
		p := index("batch", i)
		v.oneOf(p, ".method", reqs[i].Method, http.MethodGet, http.MethodPost, http.MethodDelete)
		v.required(p, ".relative_url", reqs[i].RelativeURL, "an operation needs a path")
	}
	if err := v.err(); err != nil {
		return nil, Usage{}, err
	}
	items := make([]batchItemWire, len(reqs))
	for i := range reqs {
		items[i] = batchItemWire{BatchRequest: &reqs[i], Body: reqs[i].Body.Encode()}
	}
	batch, err := json.Marshal(items)
	if err != nil {
		return nil, Usage{}, err
	}
	form := url.Values{"batch": {string(batch)}, "include_headers": {"false"}}
	var answer batchAnswer
	if err := c.Do(ctx, http.MethodPost, "", form, &answer); err != nil {
		return nil, Usage{}, err
	}
	raw := answer.items
	if len(raw) != len(reqs) {
		return nil, answer.usage, fmt.Errorf("%w: batch of %d operations answered with %d results", ErrAmbiguous, len(reqs), len(raw))
	}
	out := make([]BatchResponse, len(raw))
	for i, item := range raw {
		out[i] = c.batchResult(i, item, reqs[i].Method)
	}
	return out, answer.usage, nil
}

// batchResult decodes one item of a batch answer: {"code":…,"body":"<JSON string>"}
// or null. method is the operation's, which decides whether a temporary failure
// may have taken effect.
func (c *Client) batchResult(i int, item json.RawMessage, method string) BatchResponse {
	var r struct {
		Code int     `json:"code"`
		Body *string `json:"body"`
	}
	if s := strings.TrimSpace(string(item)); s == "null" || s == "" {
		return BatchResponse{Err: fmt.Errorf("%w: batch operation %d got no answer (skipped or timed out)", ErrAmbiguous, i)}
	}
	if err := json.Unmarshal(item, &r); err != nil {
		return BatchResponse{Err: fmt.Errorf("%w: batch operation %d: undecodable answer: %v", ErrAmbiguous, i, err)}
	}
	res := BatchResponse{Code: r.Code}
	if r.Body != nil {
		res.Body = json.RawMessage(*r.Body)
	}
	if r.Code >= 400 || r.Code == 0 {
		res.Err = decodeGraphError(r.Code, res.Body, c.scrub, idempotentMethod(method))
	}
	return res
}

// BatchSend is the answer to one send of SendBatch: a response or an error.
type BatchSend struct {
	Response *SendResponse
	Err      error
}

// SendBatch sends up to 50 messages or sender actions in one Graph batch and
// returns each one's result in request order. Every request is validated first; if
// any breaks a rule, nothing is sent and the error names it ("batch[3].message.text").
//
// Graph API docs: https://developers.facebook.com/docs/graph-api/batch-requests
func (c *Client) SendBatch(ctx context.Context, reqs []SendRequest) ([]BatchSend, error) {
	var v validator
	v.count("batch", "", len(reqs), 1, MaxBatch, "requests")
	ops := make([]BatchRequest, len(reqs))
	for i := range reqs {
		var iv validator
		reqs[i].validate(&iv)
		for _, e := range iv.errs {
			ve := *e.(*ValidationError)
			ve.Field = index("batch", i) + "." + ve.Field
			v.errs = append(v.errs, &ve)
		}
		if len(iv.errs) == 0 {
			body, err := reqs[i].form()
			if err != nil {
				return nil, err
			}
			ops[i] = BatchRequest{Method: http.MethodPost, RelativeURL: c.PagePath("messages"), Body: body}
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	res, usage, err := c.batch(ctx, ops)
	if err != nil {
		return nil, err
	}
	out := make([]BatchSend, len(res))
	for i := range res {
		sr := SendResponse{Usage: usage}
		if err := res[i].Decode(&sr); err != nil {
			if ge, ok := err.(*GraphError); ok && ge.Usage.Empty() {
				ge.Usage = usage
			}
			out[i].Err = err
			continue
		}
		out[i].Response = &sr
	}
	return out, nil
}

// form encodes r as Send API form parameters: each top-level parameter a field,
// objects as JSON strings (docs/platform.md, “Graph conventions”, “Batch requests”).
func (r *SendRequest) form() (url.Values, error) {
	w := r.wire()
	f := url.Values{}
	setJSON := func(name string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		f.Set(name, string(b))
		return nil
	}
	if err := setJSON("recipient", w.Recipient); err != nil {
		return nil, err
	}
	if w.Message != nil {
		if err := setJSON("message", w.Message); err != nil {
			return nil, err
		}
	}
	if w.ReplyTo != nil {
		if err := setJSON("reply_to", w.ReplyTo); err != nil {
			return nil, err
		}
	}
	for name, val := range map[string]string{
		"messaging_type": w.MessagingType, "tag": string(w.Tag), "sender_action": string(w.SenderAction),
		"notification_type": string(w.NotificationType), "persona_id": w.PersonaID,
	} {
		if val != "" {
			f.Set(name, val)
		}
	}
	return f, nil
}
