package messengertest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
)

// endpoint names, as used by Fault.Endpoint and SendRecord.
const (
	EndpointMessages             = "messages"
	EndpointMessageAttachments   = "message_attachments"
	EndpointPersonas             = "personas"
	EndpointPassThreadControl    = "pass_thread_control"
	EndpointTakeThreadControl    = "take_thread_control"
	EndpointRequestThreadControl = "request_thread_control"
	EndpointReleaseThreadControl = "release_thread_control"
	EndpointThreadOwner          = "thread_owner"
	EndpointSecondaryReceivers   = "secondary_receivers"
	EndpointMessengerProfile     = "messenger_profile"
	EndpointSubscribedApps       = "subscribed_apps"
	EndpointObject               = "object" // GET or DELETE /{id}: a persona, a user profile, the Page
	EndpointBatch                = "batch"
)

type graphHandler func(s *Server, c *call, r *http.Request) (any, *graphError)

type route struct {
	endpoint string
	methods  map[string]graphHandler
}

// pageEdges are the edges served under /{me|page-id}/.
var pageEdges = map[string]route{
	EndpointMessages:             {EndpointMessages, map[string]graphHandler{http.MethodPost: (*Server).handleSend}},
	EndpointMessageAttachments:   {EndpointMessageAttachments, map[string]graphHandler{http.MethodPost: (*Server).handleUpload}},
	EndpointPersonas:             {EndpointPersonas, map[string]graphHandler{http.MethodPost: (*Server).handleCreatePersona, http.MethodGet: (*Server).handleListPersonas}},
	EndpointPassThreadControl:    {EndpointPassThreadControl, map[string]graphHandler{http.MethodPost: (*Server).handlePassThread}},
	EndpointTakeThreadControl:    {EndpointTakeThreadControl, map[string]graphHandler{http.MethodPost: (*Server).handleTakeThread}},
	EndpointRequestThreadControl: {EndpointRequestThreadControl, map[string]graphHandler{http.MethodPost: (*Server).handleRequestThread}},
	EndpointReleaseThreadControl: {EndpointReleaseThreadControl, map[string]graphHandler{http.MethodPost: (*Server).handleReleaseThread}},
	EndpointThreadOwner:          {EndpointThreadOwner, map[string]graphHandler{http.MethodGet: (*Server).handleThreadOwner}},
	EndpointSecondaryReceivers:   {EndpointSecondaryReceivers, map[string]graphHandler{http.MethodGet: (*Server).handleSecondaryReceivers}},
	EndpointMessengerProfile: {EndpointMessengerProfile, map[string]graphHandler{
		http.MethodPost:   (*Server).handleSetProfile,
		http.MethodGet:    (*Server).handleGetProfile,
		http.MethodDelete: (*Server).handleDeleteProfile,
	}},
	EndpointSubscribedApps: {EndpointSubscribedApps, map[string]graphHandler{
		http.MethodPost:   (*Server).handleSubscribe,
		http.MethodGet:    (*Server).handleListSubscribed,
		http.MethodDelete: (*Server).handleUnsubscribe,
	}},
}

var objectRoute = route{EndpointObject, map[string]graphHandler{
	http.MethodGet:    (*Server).handleGetObject,
	http.MethodDelete: (*Server).handleDeleteObject,
}}

// resolve finds the route of a Graph path; ok is false for paths the fake does not serve.
func (s *Server) resolve(path string) (route, bool) {
	parts := strings.Split(path, "/")
	switch {
	case path == "":
		// Built here, not in a package variable: batches dispatch through resolve.
		return route{EndpointBatch, map[string]graphHandler{http.MethodPost: (*Server).handleBatch}}, true
	case len(parts) == 1:
		return objectRoute, true
	case len(parts) == 2 && (parts[0] == "me" || parts[0] == s.cfg.pageID):
		rt, ok := pageEdges[parts[1]]
		return rt, ok
	}
	return route{}, false
}

func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request, c *call) {
	p, gerr := readParams(r)
	if gerr != nil {
		s.writeError(w, gerr, c.trace)
		return
	}
	c.params = p
	if gerr := s.authenticate(r, p); gerr != nil {
		s.writeError(w, gerr, c.trace)
		return
	}
	status, body, gerr := s.dispatch(r, c)
	if gerr != nil {
		if gerr == errDropConnection {
			dropConnection(w)
			return
		}
		s.writeError(w, gerr, c.trace)
		return
	}
	if raw, ok := body.(rawResponse); ok {
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		w.WriteHeader(status)
		_, _ = w.Write(raw)
		return
	}
	writeJSON(w, status, body)
}

// rawResponse is a non-JSON answer (a fault's bare HTTP status).
type rawResponse []byte

// dispatch routes an authenticated call, applying faults first. It is shared by
// direct calls and the operations of a batch.
func (s *Server) dispatch(r *http.Request, c *call) (int, any, *graphError) {
	rt, ok := s.resolve(c.path)
	if !ok {
		return 0, nil, errUnsupported(strings.ToLower(r.Method), c.path)
	}
	h, ok := rt.methods[r.Method]
	if !ok {
		return 0, nil, errUnsupported(strings.ToLower(r.Method), c.path)
	}
	if f := s.matchFault(rt.endpoint, recipientOf(c.params)); f != nil {
		status, body, gerr, stop := f.apply(r.Context(), c)
		if stop {
			return status, body, gerr
		}
	}
	body, gerr := h(s, c, r)
	if gerr != nil {
		return 0, nil, gerr
	}
	return http.StatusOK, body, nil
}

// recipientOf extracts the recipient identifier of a call for fault matching: the
// value of recipient[...] in a body, or a recipient query parameter.
func recipientOf(p *params) string {
	v, ok := p.values["recipient"]
	if !ok {
		return ""
	}
	if s, err := flexString(v); err == nil {
		return s
	}
	var r wireRecipient
	if json.Unmarshal(v, &r) != nil {
		return ""
	}
	for _, id := range []string{string(r.ID), r.UserRef, string(r.CommentID), string(r.PostID), r.OneTimeNotifToken, r.NotificationMessagesToken, r.PhoneNumber} {
		if id != "" {
			return id
		}
	}
	return ""
}

// authenticate checks the Page token (query, form field or Bearer header) and, when
// present or required, appsecret_proof (docs/platform.md, “Graph conventions”, “appsecret_proof”).
func (s *Server) authenticate(r *http.Request, p *params) *graphError {
	token, _, _ := p.str("access_token")
	if token == "" {
		if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			token = strings.TrimSpace(h[7:])
		}
	}
	if token == "" {
		return errNoToken()
	}
	if !hmac.Equal([]byte(token), []byte(s.cfg.token)) {
		return errBadToken()
	}
	proof, has, _ := p.str("appsecret_proof")
	if !has {
		if s.cfg.requireProof {
			return errMethod("API calls from the server require an appsecret_proof argument")
		}
		return nil
	}
	if !hmac.Equal([]byte(strings.ToLower(proof)), []byte(appSecretProof(s.cfg.appSecret, token))) {
		return errMethod("Invalid appsecret_proof provided in the API argument")
	}
	return nil
}

// appSecretProof is hex(HMAC-SHA256(key=secret, message=token)).
func appSecretProof(secret, token string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// writeError answers a Graph error, adding the usage header Graph sends with
// throttling errors (docs/platform.md, “Usage headers”).
func (s *Server) writeError(w http.ResponseWriter, gerr *graphError, trace string) {
	switch gerr.code {
	case 4, 17, 32, 613:
		w.Header().Set("X-Business-Use-Case-Usage", rateLimitHeader(s.cfg.pageID))
	}
	writeGraphError(w, gerr, trace)
}
