package messengertest

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/gomessenger/messenger"
	"github.com/google/go-cmp/cmp"
)

// TestFormStyleScalars: Graph reads "true" as true and "3" as 3 wherever it takes a
// boolean or an integer, as clients that stringify every value send them; other
// values are refused with the field named.
func TestFormStyleScalars(t *testing.T) {
	t.Parallel()
	image := func(reusable any) obj {
		return msgReq(obj{"attachment": obj{"type": "image", "payload": obj{"url": "https://e.com/a.png", "is_reusable": reusable}}})
	}
	feedback := func(days any) obj {
		return obj{"recipient": to(testPSID), "messaging_type": "RESPONSE", "message": obj{"attachment": obj{"type": "template", "payload": obj{
			"template_type": "customer_feedback", "title": "Rate us", "button_title": "Rate",
			"feedback_screens": arr{obj{"questions": arr{obj{"id": "q", "type": "csat", "title": "How was it?", "score_label": "neg_pos", "score_option": "five_stars"}}}},
			"business_privacy": obj{"url": "https://e.com/privacy"}, "expires_in_days": days}}}}
	}
	button := obj{"type": "web_url", "url": "https://e.com", "title": "View", "messenger_extensions": "false"}
	type answer struct {
		Code       int
		Reusable   bool   // the answer carries an attachment_id
		MessageHas string // part of the error message
	}
	tests := []struct {
		name string
		body obj
		want answer
	}{
		{"is_reusable true", image(true), answer{Reusable: true}},
		{"is_reusable \"true\"", image("true"), answer{Reusable: true}},
		{"is_reusable \"True\"", image("True"), answer{Reusable: true}},
		{"is_reusable \"false\"", image("false"), answer{}},
		{"is_reusable \"maybe\"", image("maybe"), answer{Code: 100, MessageHas: "is_reusable must be bool"}},
		{"is_reusable \"1\"", image("1"), answer{Code: 100, MessageHas: "is_reusable must be bool"}},
		{"sharable \"true\"", tmpl(obj{"template_type": "button", "text": "Pick", "sharable": "true", "buttons": arr{postbackBtn}}), answer{}},
		{"messenger_extensions \"false\"", tmpl(obj{"template_type": "button", "text": "Pick", "buttons": arr{button}}), answer{}},
		{"expires_in_days 3", feedback(3), answer{}},
		{"expires_in_days \"3\"", feedback("3"), answer{}},
		{"expires_in_days \"9\" still checked", feedback("9"), answer{Code: 100, MessageHas: "expires_in_days] must be 1 to 7; got 9"}},
		{"expires_in_days \"three\"", feedback("three"), answer{Code: 100, MessageHas: "expires_in_days must be int"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, c := newFake(t)
			var res sendResponse
			err := post(t, c, "me/messages", tt.body, &res)
			got := answer{Reusable: res.AttachmentID != ""}
			var ge *messenger.GraphError
			if errors.As(err, &ge) {
				got.Code = ge.Code
				if strings.Contains(ge.Message, tt.want.MessageHas) {
					got.MessageHas = tt.want.MessageHas
				} else {
					got.MessageHas = ge.Message
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormStyleScalarsInFormAndBatchCalls(t *testing.T) {
	t.Parallel()
	srv, _ := newFake(t)
	form := url.Values{
		"recipient":      {`{"id":"` + testPSID + `"}`},
		"messaging_type": {"RESPONSE"},
		"message":        {`{"attachment":{"type":"image","payload":{"url":"https://e.com/a.png","is_reusable":"true"}}}`},
		"access_token":   {srv.PageToken()},
	}
	status, body := rawCall(t, "POST", srv.GraphURL()+"/me/messages", "application/x-www-form-urlencoded", form.Encode())
	if status != 200 || !strings.Contains(body, "attachment_id") {
		t.Errorf("form send with is_reusable=\"true\": %d %s, want 200 with attachment_id", status, body)
	}

	op := `{"method":"POST","relative_url":"me/messages","body":"recipient=%7B%22id%22%3A%22` + testPSID + `%22%7D&messaging_type=RESPONSE&message=%7B%22text%22%3A%22hi%22%7D"`
	tests := []struct {
		name, opExtra, extra string
		headers, omitted     bool
	}{
		{"defaults", ``, ``, true, false},
		{"omit_response_on_success \"true\"", `,"omit_response_on_success":"true"`, ``, false, true},
		{"omit_response_on_success false", `,"omit_response_on_success":false`, ``, true, false},
		{"include_headers JSON false", ``, `,"include_headers":false`, false, false},
		{"include_headers \"false\"", ``, `,"include_headers":"false"`, false, false},
	}
	for _, tt := range tests {
		status, body := rawCall(t, "POST", srv.GraphURL()+"/?access_token="+srv.PageToken(), "application/json", `{"batch":[`+op+tt.opExtra+`}]`+tt.extra+`}`)
		got := struct {
			Status           int
			Headers, Omitted bool
		}{status, strings.Contains(body, `"headers"`), body == "[null]"}
		want := struct {
			Status           int
			Headers, Omitted bool
		}{200, tt.headers, tt.omitted}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s\nbody: %s", tt.name, diff, body)
		}
	}
	op += "}"
	status, body = rawCall(t, "POST", srv.GraphURL()+"/?access_token="+srv.PageToken(), "application/json", `{"batch":[`+op+`],"include_headers":"nope"}`)
	if status != 400 || !strings.Contains(body, "include_headers") {
		t.Errorf("include_headers \"nope\": %d %s, want 400 naming include_headers", status, body)
	}
}
