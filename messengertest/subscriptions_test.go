package messengertest

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSubscribedAppsIsStateful runs the setup calls client libraries make, in order,
// and checks each answer and the subscription the Page keeps.
func TestSubscribedAppsIsStateful(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithNow(testNow))
	q := "?access_token=" + srv.PageToken()
	steps := []struct {
		name        string
		method, url string
		ctype, body string
		wantStatus  int
		wantBody    string
	}{
		{"nothing subscribed yet", "GET", "/v25.0/me/subscribed_apps" + q, "", "", 200, `{"data":[]}`},
		{"POST without fields", "POST", "/v25.0/me/subscribed_apps" + q, "", "", 400, ""},
		{"POST with an unknown field", "POST", "/v25.0/me/subscribed_apps" + q + "&subscribed_fields=messages,mesages", "", "", 400, ""},
		{"POST in the query", "POST", "/v25.0/me/subscribed_apps" + q + "&subscribed_fields=messages,messaging_postbacks", "", "", 200, `{"success":true}`},
		{"GET lists the app", "GET", "/v25.0/me/subscribed_apps" + q, "", "", 200,
			`{"data":[{"id":"2000000000000002","name":"Fake App","subscribed_fields":["messages","messaging_postbacks"]}]}`},
		{"POST a JSON array by Page id replaces the fields", "POST", "/v25.0/" + DefaultPageID + "/subscribed_apps" + q, "application/json", `{"subscribed_fields":["feed","messages","feed"]}`, 200, `{"success":true}`},
		{"unversioned GET", "GET", "/me/subscribed_apps" + q, "", "", 200,
			`{"data":[{"id":"2000000000000002","name":"Fake App","subscribed_fields":["feed","messages"]}]}`},
		{"DELETE", "DELETE", "/v25.0/me/subscribed_apps" + q, "", "", 200, `{"success":true}`},
		{"gone", "GET", "/v25.0/me/subscribed_apps" + q, "", "", 200, `{"data":[]}`},
		{"DELETE again still succeeds", "DELETE", "/v25.0/me/subscribed_apps" + q, "", "", 200, `{"success":true}`},
	}
	for _, st := range steps {
		status, body := rawCall(t, st.method, srv.URL+st.url, st.ctype, st.body)
		if st.wantBody == "" {
			var env errorEnvelope
			if status != st.wantStatus || json.Unmarshal([]byte(body), &env) != nil || env.Error.Code != 100 {
				t.Errorf("%s: %d %s, want %d with code 100", st.name, status, body, st.wantStatus)
			}
			continue
		}
		if diff := cmp.Diff(st.wantBody, body); status != st.wantStatus || diff != "" {
			t.Errorf("%s: status %d, body (-want +got):\n%s", st.name, status, diff)
		}
	}
}

func TestSubscribedAppsOptions(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithNow(testNow), WithSubscribeDefaultFields("messages", "messaging_postbacks"), WithWebhookFields("leadgen"))
	c := srv.Client()
	if err := c.Do(t.Context(), "POST", "me/subscribed_apps", nil, nil); err != nil {
		t.Fatalf("POST without fields and a default: %v", err)
	}
	fields, ok := srv.SubscribedFields()
	if diff := cmp.Diff([]string{"messages", "messaging_postbacks"}, fields); !ok || diff != "" {
		t.Errorf("subscribed %v, fields (-want +got):\n%s", ok, diff)
	}
	if err := c.Do(t.Context(), "POST", "me/subscribed_apps", map[string]any{"subscribed_fields": "leadgen"}, nil); err != nil {
		t.Fatalf("field added by WithWebhookFields: %v", err)
	}
	srv.Reset()
	if fields, ok := srv.SubscribedFields(); ok || fields != nil {
		t.Errorf("after Reset: %v %v, want no subscription", fields, ok)
	}
	for name, o := range map[string]Option{
		"no default fields": WithSubscribeDefaultFields(),
		"bad default field": WithSubscribeDefaultFields("Messages"),
		"bad webhook field": WithWebhookFields("lead gen"),
		"no profile fields": WithProfileDefaultFields(),
		"bad profile field": WithProfileDefaultFields("email"),
	} {
		if s, err := Start(o); err == nil {
			s.Close()
			t.Errorf("%s: Start accepted it", name)
		}
	}
}

func TestUserProfileDefaultFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []Option
		want map[string]any
	}{
		{"default", nil, map[string]any{"id": testPSID, "name": "Ada Lovelace", "first_name": "Ada", "last_name": "Lovelace",
			"profile_pic": "https://platform-lookaside.fbsbx.com/platform/profilepic/?psid=" + testPSID}},
		{"chosen", []Option{WithProfileDefaultFields("name", "locale")}, map[string]any{"id": testPSID, "name": "Ada Lovelace", "locale": "en_US"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t, tt.opts...)
			srv.User(testPSID).SetName("Ada", "Lovelace")
			var got map[string]any
			if err := c.Do(t.Context(), "GET", testPSID, nil, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GET /{psid} (-want +got):\n%s", diff)
			}
		})
	}
}
