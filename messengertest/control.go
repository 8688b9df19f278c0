package messengertest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"
)

// The control API drives the fake over HTTP for test suites in any language (the
// command line's "messenger fake" serves it). JSON in and out; see the package doc.

type controlError struct {
	status int
	msg    string
}

func badRequest(format string, args ...any) *controlError {
	return &controlError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// userActions are the POST /_fake/users/{psid}/{action} handlers.
var userActions = map[string]func(u *User, body []byte) (map[string]any, *controlError){
	"message": func(u *User, body []byte) (map[string]any, *controlError) {
		var in struct {
			Text              string `json:"text"`
			QuickReplyPayload string `json:"quick_reply_payload"`
		}
		if cerr := decodeControl(body, &in); cerr != nil {
			return nil, cerr
		}
		if in.Text == "" {
			return nil, badRequest("message: field text is required")
		}
		var mid string
		var err error
		if in.QuickReplyPayload != "" {
			mid, err = u.TapsQuickReply(in.Text, in.QuickReplyPayload)
		} else {
			mid, err = u.Says(in.Text)
		}
		return withHookErr(map[string]any{"mid": mid}, err), nil
	},
	"postback": func(u *User, body []byte) (map[string]any, *controlError) {
		var in struct {
			Title   string `json:"title"`
			Payload string `json:"payload"`
		}
		if cerr := decodeControl(body, &in); cerr != nil {
			return nil, cerr
		}
		if in.Payload == "" {
			return nil, badRequest("postback: field payload is required")
		}
		mid, err := u.TapsPostback(in.Title, in.Payload)
		return withHookErr(map[string]any{"mid": mid}, err), nil
	},
	"referral": func(u *User, body []byte) (map[string]any, *controlError) {
		var in struct {
			Ref        string `json:"ref"`
			Source     string `json:"source"`
			AdID       string `json:"ad_id"`
			RefererURI string `json:"referer_uri"`
			Guest      bool   `json:"guest"`
		}
		if cerr := decodeControl(body, &in); cerr != nil {
			return nil, cerr
		}
		var err error
		switch strings.ToUpper(in.Source) {
		case "", "SHORTLINK":
			err = u.OpensLink(in.Ref)
		case "ADS":
			err = u.ArrivesFromAd(in.AdID, in.Ref)
		case "CUSTOMER_CHAT_PLUGIN":
			if in.Guest {
				err = u.ArrivesFromChatPluginAsGuest(in.Ref, in.RefererURI)
			} else {
				err = u.ArrivesFromChatPlugin(in.Ref, in.RefererURI)
			}
			return withHookErr(map[string]any{"user_ref": u.UserRef()}, err), nil
		default:
			return nil, badRequest("referral: field source must be SHORTLINK, ADS or CUSTOMER_CHAT_PLUGIN, got %q", in.Source)
		}
		return withHookErr(map[string]any{}, err), nil
	},
	"ice_breaker": func(u *User, body []byte) (map[string]any, *controlError) {
		var in struct {
			Question string `json:"question"`
			Payload  string `json:"payload"`
		}
		if cerr := decodeControl(body, &in); cerr != nil {
			return nil, cerr
		}
		if in.Question == "" {
			return nil, badRequest("ice_breaker: field question is required")
		}
		mid, err := u.TapsIceBreaker(in.Question, in.Payload)
		return withHookErr(map[string]any{"mid": mid}, err), nil
	},
	"optin": func(u *User, body []byte) (map[string]any, *controlError) {
		var in struct {
			Payload   string `json:"payload"`
			Type      string `json:"type"`
			Frequency string `json:"frequency"`
		}
		if cerr := decodeControl(body, &in); cerr != nil {
			return nil, cerr
		}
		switch in.Type {
		case "", "one_time_notif_req":
			tok, err := u.OptsIn(in.Payload)
			return withHookErr(map[string]any{"one_time_notif_token": tok}, err), nil
		case "notification_messages":
			if in.Frequency == "" {
				in.Frequency = "DAILY"
			}
			if _, ok := recurringFrequencies[strings.ToUpper(in.Frequency)]; !ok {
				return nil, badRequest("optin: field frequency must be DAILY, WEEKLY or MONTHLY, got %q", in.Frequency)
			}
			tok, err := u.OptsInRecurring(in.Payload, in.Frequency)
			return withHookErr(map[string]any{"notification_messages_token": tok}, err), nil
		}
		return nil, badRequest("optin: field type must be one_time_notif_req or notification_messages, got %q", in.Type)
	},
	"comment": func(u *User, body []byte) (map[string]any, *controlError) {
		var in struct {
			Message string `json:"message"`
			PostID  string `json:"post_id"`
		}
		if cerr := decodeControl(body, &in); cerr != nil {
			return nil, cerr
		}
		if in.PostID == "" {
			in.PostID = u.srv.DefaultPostID()
		}
		id, err := u.CommentsOn(in.PostID, in.Message)
		return withHookErr(map[string]any{"comment_id": id, "post_id": in.PostID}, err), nil
	},
	"post": func(u *User, body []byte) (map[string]any, *controlError) {
		var in struct {
			Message string `json:"message"`
		}
		if cerr := decodeControl(body, &in); cerr != nil {
			return nil, cerr
		}
		id, err := u.PostsOnPage(in.Message)
		return withHookErr(map[string]any{"post_id": id}, err), nil
	},
	"reaction": func(u *User, body []byte) (map[string]any, *controlError) {
		var in struct {
			MID      string `json:"mid"`
			Reaction string `json:"reaction"`
		}
		if cerr := decodeControl(body, &in); cerr != nil {
			return nil, cerr
		}
		if in.Reaction == "" {
			in.Reaction = "love"
		}
		if _, ok := reactionEmoji[in.Reaction]; !ok {
			return nil, badRequest("reaction: field reaction must be like, love, smile, wow, sad, angry, dislike or other; got %q", in.Reaction)
		}
		return withHookErr(map[string]any{}, u.Reacts(in.MID, in.Reaction)), nil
	},
	"read": func(u *User, body []byte) (map[string]any, *controlError) {
		if cerr := decodeControl(body, &struct{}{}); cerr != nil {
			return nil, cerr
		}
		return withHookErr(map[string]any{}, u.Reads()), nil
	},
	"handover": func(u *User, body []byte) (map[string]any, *controlError) {
		var in struct {
			AppID    string `json:"app_id"`
			Metadata string `json:"metadata"`
			Request  bool   `json:"request"`
		}
		if cerr := decodeControl(body, &in); cerr != nil {
			return nil, cerr
		}
		if in.AppID == "" {
			return nil, badRequest("handover: field app_id is required")
		}
		var err error
		if in.Request {
			err = u.RequestsThread(in.AppID, in.Metadata)
		} else {
			err = u.HandOver(in.AppID, in.Metadata)
		}
		return withHookErr(map[string]any{"thread_owner": u.srv.ThreadOwner(u.psid)}, err), nil
	},
	"block": func(u *User, body []byte) (map[string]any, *controlError) {
		in := struct {
			Blocked *bool `json:"blocked"`
		}{}
		if cerr := decodeControl(body, &in); cerr != nil {
			return nil, cerr
		}
		if in.Blocked == nil || *in.Blocked {
			u.Blocks()
			return map[string]any{"blocked": true}, nil
		}
		u.Unblocks()
		return map[string]any{"blocked": false}, nil
	},
	"name": func(u *User, body []byte) (map[string]any, *controlError) {
		var in struct {
			FirstName string `json:"first_name"`
			LastName  string `json:"last_name"`
		}
		if cerr := decodeControl(body, &in); cerr != nil {
			return nil, cerr
		}
		u.SetName(in.FirstName, in.LastName)
		return map[string]any{}, nil
	},
}

func withHookErr(out map[string]any, err error) map[string]any {
	if err != nil {
		out["webhook_error"] = err.Error()
	}
	return out
}

// decodeControl decodes a control call's JSON body into dst (a pointer to a struct).
// An empty body leaves dst as it is; a field dst does not have is refused by name,
// so a misspelled field fails instead of being ignored.
func decodeControl(body []byte, dst any) *controlError {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := strictUnmarshal(body, dst); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			fields := controlFields(reflect.TypeOf(dst).Elem())
			if len(fields) == 0 {
				return badRequest("unknown field %s: this call takes no fields", name)
			}
			return badRequest("unknown field %s: this call takes %s", name, strings.Join(fields, ", "))
		}
		return badRequest("body must be a JSON object: %s", jsonProblem(err))
	}
	return nil
}

// controlFields lists the JSON names of a struct's fields, embedded ones included.
func controlFields(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, controlFields(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		out = append(out, cmp.Or(name, f.Name))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// faultJSON is a Fault on the control API, with latency as a Go duration string.
type faultJSON struct {
	Fault
	Latency string `json:"latency,omitempty"`
}

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request, path string) {
	out, cerr := s.control(r, path)
	if cerr != nil {
		writeJSON(w, cerr.status, map[string]string{"error": cerr.msg})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) control(r *http.Request, path string) (any, *controlError) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, badRequest("cannot read body: %v", err)
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	method := func(m string) *controlError {
		if r.Method != m {
			return &controlError{http.StatusMethodNotAllowed, fmt.Sprintf("/_fake/%s takes %s, not %s", path, m, r.Method)}
		}
		return nil
	}
	switch {
	case len(parts) == 3 && parts[0] == "users":
		act, ok := userActions[parts[2]]
		if !ok {
			return nil, &controlError{http.StatusNotFound, fmt.Sprintf("unknown user action %q (message, postback, referral, ice_breaker, optin, comment, post, reaction, read, handover, block, name)", parts[2])}
		}
		if cerr := method(http.MethodPost); cerr != nil {
			return nil, cerr
		}
		if parts[1] == "" {
			return nil, badRequest("users/{psid}/%s: empty psid", parts[2])
		}
		return act(s.User(parts[1]), body)
	case path == "clock":
		if r.Method == http.MethodGet {
			return map[string]string{"now": s.Now().Format(time.RFC3339Nano)}, nil
		}
		if cerr := method(http.MethodPost); cerr != nil {
			return nil, cerr
		}
		var in struct {
			Advance string `json:"advance"`
			Now     string `json:"now"`
		}
		if cerr := decodeControl(body, &in); cerr != nil {
			return nil, cerr
		}
		switch {
		case in.Advance != "" && in.Now != "":
			return nil, badRequest("clock: set advance or now, not both")
		case in.Advance != "":
			d, err := time.ParseDuration(in.Advance)
			if err != nil || d < 0 {
				return nil, badRequest("clock: advance must be a non-negative Go duration like \"25h\"; got %q", in.Advance)
			}
			s.Advance(d)
		case in.Now != "":
			t, err := time.Parse(time.RFC3339Nano, in.Now)
			if err != nil {
				return nil, badRequest("clock: now must be an RFC 3339 time; got %q", in.Now)
			}
			s.SetNow(t)
		}
		return map[string]string{"now": s.Now().Format(time.RFC3339Nano)}, nil
	case path == "sent":
		if cerr := method(http.MethodGet); cerr != nil {
			return nil, cerr
		}
		out := []json.RawMessage{}
		for _, rec := range s.Sent() {
			out = append(out, sentJSON(rec))
		}
		return out, nil
	case path == "reset":
		if cerr := method(http.MethodPost); cerr != nil {
			return nil, cerr
		}
		if cerr := decodeControl(body, &struct{}{}); cerr != nil {
			return nil, cerr
		}
		s.Reset()
		return map[string]string{"now": s.Now().Format(time.RFC3339Nano)}, nil
	case path == "flush":
		if cerr := method(http.MethodPost); cerr != nil {
			return nil, cerr
		}
		if cerr := decodeControl(body, &struct{}{}); cerr != nil {
			return nil, cerr
		}
		return withHookErr(map[string]any{}, s.Flush()), nil
	case path == "delivery":
		if cerr := method(http.MethodPost); cerr != nil {
			return nil, cerr
		}
		var d Delivery
		if cerr := decodeControl(body, &d); cerr != nil {
			return nil, cerr
		}
		if err := s.SetDelivery(d); err != nil {
			return nil, badRequest("%v", err)
		}
		return d, nil
	case path == "faults":
		switch r.Method {
		case http.MethodDelete:
			s.ClearFaults()
			return map[string]any{}, nil
		case http.MethodPost:
			var in faultJSON
			if cerr := decodeControl(body, &in); cerr != nil {
				return nil, cerr
			}
			f := in.Fault
			if in.Latency != "" {
				d, err := time.ParseDuration(in.Latency)
				if err != nil {
					return nil, badRequest("faults: latency must be a Go duration like \"250ms\"; got %q", in.Latency)
				}
				f.Latency = d
			}
			if err := s.InjectFault(f); err != nil {
				return nil, badRequest("%v", err)
			}
			return map[string]any{}, nil
		}
		return nil, &controlError{http.StatusMethodNotAllowed, "/_fake/faults takes POST or DELETE"}
	case path == "webhooks":
		if cerr := method(http.MethodGet); cerr != nil {
			return nil, cerr
		}
		type hook struct {
			Time   string          `json:"time"`
			Body   json.RawMessage `json:"body"`
			Status int             `json:"status"`
			Error  string          `json:"error,omitempty"`
		}
		out := []hook{}
		for _, h := range s.Webhooks() {
			e := ""
			if h.Err != nil {
				e = h.Err.Error()
			}
			out = append(out, hook{h.Time.Format(time.RFC3339Nano), h.Body, h.Status, e})
		}
		return out, nil
	}
	return nil, &controlError{http.StatusNotFound, fmt.Sprintf("no control endpoint /_fake/%s (users/{psid}/{action}, clock, sent, reset, flush, delivery, faults, webhooks)", path)}
}

// sentJSON is a send as GET /_fake/sent lists it: the call's wire JSON plus "time"
// and what the fake answered, "message_id" and "attachment_id" (when it answered
// them).
func sentJSON(rec SendRecord) json.RawMessage {
	var obj map[string]json.RawMessage
	if json.Unmarshal(rec.Body, &obj) != nil || obj == nil {
		obj = map[string]json.RawMessage{"body": rec.Body}
	}
	add := func(k, v string) {
		if v != "" {
			obj[k], _ = json.Marshal(v)
		}
	}
	add("time", rec.Time.Format(time.RFC3339Nano))
	add("message_id", rec.MessageID)
	add("attachment_id", rec.AttachmentID)
	b, _ := json.Marshal(obj)
	return b
}
