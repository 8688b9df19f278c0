package messengertest

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestErrorEnvelopesAsGraphWordsThem checks message, type and code as clients that
// branch on them read them: Graph prefixes "(#code) " to most messages but not to
// the token errors, and types the method errors GraphMethodException.
func TestErrorEnvelopesAsGraphWordsThem(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithNow(testNow))
	strict := NewServer(t, WithNow(testNow), WithRequireProof())
	tok := srv.PageToken()
	unsupported := "does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
	tests := []struct {
		name        string
		method, url string
		body        string
		want        errorBody
	}{
		{"no token", "GET", srv.URL + "/v25.0/me/personas", "",
			errorBody{Message: "An access token is required to request this resource.", Type: "OAuthException", Code: 104}},
		{"wrong token", "GET", srv.URL + "/v25.0/me/personas?access_token=nope", "",
			errorBody{Message: "Invalid OAuth access token - Cannot parse access token", Type: "OAuthException", Code: 190}},
		{"unsupported get", "GET", srv.URL + "/v25.0/me/nothing?access_token=" + tok, "",
			errorBody{Message: "Unsupported get request. Object with ID 'me/nothing' " + unsupported, Type: "GraphMethodException", Code: 100, Subcode: 33}},
		{"unsupported post", "POST", srv.URL + "/v25.0/12345?access_token=" + tok, `{"a":"b"}`,
			errorBody{Message: "Unsupported post request. Object with ID '12345' " + unsupported, Type: "GraphMethodException", Code: 100, Subcode: 33}},
		{"bad proof", "GET", srv.URL + "/v25.0/me/personas?appsecret_proof=00&access_token=" + tok, "",
			errorBody{Message: "Invalid appsecret_proof provided in the API argument", Type: "GraphMethodException", Code: 100}},
		{"proof required", "GET", strict.URL + "/v25.0/me/personas?access_token=" + tok, "",
			errorBody{Message: "API calls from the server require an appsecret_proof argument", Type: "GraphMethodException", Code: 100}},
		{"a parameter error keeps its prefix", "POST", srv.URL + "/v25.0/me/messages?access_token=" + tok, `{"recipient":{"id":"1"},"messaging_type":"RESPONSE"}`,
			errorBody{Message: "(#100) Param message or sender_action is required: a send carries exactly one of them", Type: "OAuthException", Code: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctype := ""
			if tt.body != "" {
				ctype = "application/json"
			}
			status, body := rawCall(t, tt.method, tt.url, ctype, tt.body)
			var env errorEnvelope
			if err := json.Unmarshal([]byte(body), &env); err != nil || status != 400 {
				t.Fatalf("answer %d %s, want 400 and a Graph error", status, body)
			}
			if env.Error.FBTraceID == "" {
				t.Errorf("no fbtrace_id in %s", body)
			}
			if diff := cmp.Diff(tt.want, env.Error, cmpopts.IgnoreFields(errorBody{}, "FBTraceID")); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInjectedTokenFaultsAreWordedAsGraph(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	for _, code := range []int{190, 104} {
		if err := srv.InjectFault(Fault{Code: code, Count: 1}); err != nil {
			t.Fatal(err)
		}
		ge := wantGraphError(t, post(t, c, "me/messages", text(testPSID, "hi"), nil), code, 0)
		if ge.Message == "" || ge.Message[0] == '(' {
			t.Errorf("code %d message %q carries a (#code) prefix", code, ge.Message)
		}
	}
}
