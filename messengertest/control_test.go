package messengertest

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestControlRefusesUnknownFields: a misspelled field of the control API is a 400
// naming it, never silently ignored.
func TestControlRefusesUnknownFields(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithNow(testNow))
	tests := []struct {
		name, path, body string
		wantStatus       int
		wantError        string
	}{
		{"message with quick_reply", "/_fake/users/42/message", `{"text":"hi","quick_reply":"X"}`, 400,
			`unknown field "quick_reply": this call takes quick_reply_payload, text`},
		{"postback with title and payload", "/_fake/users/42/postback", `{"title":"Go","payload":"GO"}`, 200, ""},
		{"postback misspelled", "/_fake/users/42/postback", `{"titel":"Go","payload":"GO"}`, 400,
			`unknown field "titel": this call takes payload, title`},
		{"reaction", "/_fake/users/42/reaction", `{"mid":"m","emoji":"x"}`, 400,
			`unknown field "emoji": this call takes mid, reaction`},
		{"read takes none", "/_fake/users/42/read", `{"watermark":1}`, 400,
			`unknown field "watermark": this call takes no fields`},
		{"clock", "/_fake/clock", `{"advance_by":"1h"}`, 400,
			`unknown field "advance_by": this call takes advance, now`},
		{"faults lists the Fault fields", "/_fake/faults", `{"code":613,"endpont":"messages"}`, 400,
			`unknown field "endpont": this call takes code, count, drop_connection, endpoint, latency, message, probability, recipient, seed, status, subcode`},
		{"reset", "/_fake/reset", `{"clock":true}`, 400,
			`unknown field "clock": this call takes no fields`},
		{"empty body still fine", "/_fake/users/42/read", ``, 200, ""},
	}
	for _, tt := range tests {
		status, body := rawCall(t, "POST", srv.URL+tt.path, "application/json", tt.body)
		var out struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal([]byte(body), &out)
		got := struct {
			Status int
			Error  string
		}{status, out.Error}
		want := struct {
			Status int
			Error  string
		}{tt.wantStatus, tt.wantError}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: POST %s %s (-want +got):\n%s", tt.name, tt.path, tt.body, diff)
		}
	}
}

// TestControlSentCarriesTheAnswer: each /_fake/sent record says which message_id
// (and attachment_id) the send was answered with, and reset keeps the clock.
func TestControlSentCarriesTheAnswer(t *testing.T) {
	t.Parallel()
	srv, _ := newFake(t)
	sendURL := srv.GraphURL() + "/me/messages?access_token=" + srv.PageToken()
	var answers []map[string]string
	for _, body := range []string{
		`{"recipient":{"id":"` + testPSID + `"},"messaging_type":"RESPONSE","message":{"text":"one"}}`,
		`{"recipient":{"id":"` + testPSID + `"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"image","payload":{"url":"https://e.com/a.png","is_reusable":true}}}}`,
		`{"recipient":{"id":"` + testPSID + `"},"sender_action":"typing_on"}`,
	} {
		status, resp := rawCall(t, "POST", sendURL, "application/json", body)
		var a map[string]string
		if err := json.Unmarshal([]byte(resp), &a); status != 200 || err != nil {
			t.Fatalf("send: %d %s", status, resp)
		}
		answers = append(answers, a)
	}
	_, body := rawCall(t, "GET", srv.URL+"/_fake/sent", "", "")
	var sent []struct {
		MessageID    string `json:"message_id"`
		AttachmentID string `json:"attachment_id"`
		Time         string `json:"time"`
	}
	if err := json.Unmarshal([]byte(body), &sent); err != nil {
		t.Fatal(err)
	}
	type ids struct{ MessageID, AttachmentID string }
	var want, got []ids
	for i, a := range answers {
		want = append(want, ids{a["message_id"], a["attachment_id"]})
		got = append(got, ids{sent[i].MessageID, sent[i].AttachmentID})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("/_fake/sent ids (-answered +recorded):\n%s", diff)
	}
	if want[0].MessageID == "" || want[1].AttachmentID == "" {
		t.Errorf("answers carry no ids: %+v", want)
	}

	rawCall(t, "POST", srv.URL+"/_fake/clock", "application/json", `{"advance":"25h"}`)
	status, body := rawCall(t, "POST", srv.URL+"/_fake/reset", "", "")
	var reset map[string]string
	_ = json.Unmarshal([]byte(body), &reset)
	if diff := cmp.Diff(map[string]string{"now": "2026-07-02T13:00:00Z"}, reset); status != 200 || diff != "" {
		t.Errorf("reset answers %d, (-want +got):\n%s", status, diff)
	}
	if _, body := rawCall(t, "GET", srv.URL+"/_fake/sent", "", ""); body != "[]" {
		t.Errorf("sent after reset = %s, want []", body)
	}
}
