package messengertest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// maxBatch is Graph's limit on operations per batch (docs/platform.md, “Batch requests”).
const maxBatch = 50

type batchOp struct {
	Method                string    `json:"method"`
	RelativeURL           string    `json:"relative_url"`
	Body                  string    `json:"body"`
	Name                  string    `json:"name"`
	DependsOn             string    `json:"depends_on"`
	OmitResponseOnSuccess *flexBool `json:"omit_response_on_success"`
	AttachedFiles         string    `json:"attached_files"`
}

type batchHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type batchResult struct {
	Code    int           `json:"code"`
	Headers []batchHeader `json:"headers,omitempty"`
	Body    string        `json:"body"`
}

// handleBatch serves POST /vNN.N/ (or /) with a batch parameter: each operation is served as
// if called alone, with the batch's credentials unless it carries its own.
func (s *Server) handleBatch(c *call, r *http.Request) (any, *graphError) {
	if c.inBatch {
		return nil, errParam("A batch cannot contain another batch")
	}
	raw, ok := c.params.values["batch"]
	if !ok {
		return nil, errParam("The parameter batch is required")
	}
	if str, err := flexString(raw); err == nil {
		raw = json.RawMessage(str)
	}
	var ops []batchOp
	if err := strictUnmarshal(raw, &ops); err != nil {
		return nil, errParam("Param batch must be a JSON array of {method, relative_url, body, name, depends_on}: %s", jsonProblem(err))
	}
	if len(ops) == 0 {
		return nil, errParam("Param batch must hold at least one operation")
	}
	if len(ops) > maxBatch {
		return nil, errParam("Too many requests in batch message. Maximum batch size is %d; got %d", maxBatch, len(ops))
	}
	includeHeaders, ok, gerr := c.params.boolean("include_headers")
	if gerr != nil {
		return nil, gerr
	}
	includeHeaders = includeHeaders || !ok
	token, _, _ := c.params.str("access_token")
	if token == "" {
		if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			token = strings.TrimSpace(h[7:])
		}
	}
	proof, _, _ := c.params.str("appsecret_proof")
	failed := map[string]bool{}
	out := make([]*batchResult, len(ops))
	for i, op := range ops {
		if op.DependsOn != "" && failed[op.DependsOn] {
			failed[op.Name] = op.Name != ""
			continue // a skipped operation answers null
		}
		res := s.batchOne(r, c, op, token, proof)
		if op.Name != "" {
			failed[op.Name] = res.Code != http.StatusOK
		}
		if !includeHeaders {
			res.Headers = nil
		}
		if res.Code == http.StatusOK && op.OmitResponseOnSuccess != nil && *op.OmitResponseOnSuccess {
			continue
		}
		out[i] = res
	}
	return out, nil
}

func (s *Server) batchOne(outer *http.Request, c *call, op batchOp, token, proof string) *batchResult {
	method := strings.ToUpper(op.Method)
	if method == "" {
		method = http.MethodGet
	}
	rel := strings.TrimPrefix(op.RelativeURL, "/")
	if v, rest, ok := strings.Cut(rel, "/"); ok && graphVersion.MatchString(v) {
		rel = rest
	}
	u, err := url.Parse("/" + rel)
	trace := s.traceID()
	if err != nil || op.RelativeURL == "" {
		return batchError(errParam("Batch operation relative_url %q is not a valid path", op.RelativeURL), trace)
	}
	q := u.Query()
	if !strings.Contains(op.Body, "access_token=") && q.Get("access_token") == "" {
		q.Set("access_token", token)
		if proof != "" {
			q.Set("appsecret_proof", proof)
		}
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(outer.Context(), method, u.String(), strings.NewReader(op.Body))
	if err != nil {
		return batchError(errParam("Batch operation is not a valid request: %v", err), trace)
	}
	if op.Body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	p, gerr := readParams(req)
	if gerr == nil {
		gerr = s.authenticate(req, p)
	}
	if gerr != nil {
		return batchError(gerr, trace)
	}
	sub := &call{version: c.version, path: strings.Trim(u.Path, "/"), trace: trace, params: p, inBatch: true}
	status, body, gerr := s.dispatch(req, sub)
	if gerr != nil {
		return batchError(gerr, trace)
	}
	if raw, ok := body.(rawResponse); ok {
		return &batchResult{Code: status, Headers: []batchHeader{{"Content-Type", "text/plain; charset=UTF-8"}}, Body: string(raw)}
	}
	b, _ := json.Marshal(body)
	return &batchResult{Code: status, Headers: jsonHeaders(), Body: string(b)}
}

func jsonHeaders() []batchHeader {
	return []batchHeader{{"Content-Type", "application/json; charset=UTF-8"}}
}

func batchError(gerr *graphError, trace string) *batchResult {
	status := gerr.status
	if status == 0 {
		status = statusForCode(gerr.code)
	}
	b, _ := json.Marshal(gerr.envelope(trace))
	return &batchResult{Code: status, Headers: jsonHeaders(), Body: string(b)}
}
