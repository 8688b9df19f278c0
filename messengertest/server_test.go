package messengertest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gomessenger/messenger"
	"github.com/google/go-cmp/cmp"
)

func TestRoutingAndAuth(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithNow(testNow))
	srv.User(testPSID)
	tok := srv.PageToken()
	proof := appSecretProof(srv.AppSecret(), tok)
	tests := []struct {
		name        string
		method, url string
		ctype, body string
		header      []string
		wantStatus  int
		wantCode    int
		wantSub     int
	}{
		{"no version", "GET", srv.URL + "/me/personas?access_token=" + tok, "", "", nil, 200, 0, 0},
		{"unknown edge", "GET", srv.URL + "/v25.0/me/nothing?access_token=" + tok, "", "", nil, 400, 100, 33},
		{"other page", "GET", srv.URL + "/v25.0/42/personas?access_token=" + tok, "", "", nil, 400, 100, 33},
		{"wrong method", "DELETE", srv.URL + "/v25.0/me/messages?access_token=" + tok, "", "", nil, 400, 100, 33},
		{"no token", "GET", srv.URL + "/v25.0/me/personas", "", "", nil, 400, 104, 0},
		{"wrong token", "GET", srv.URL + "/v25.0/me/personas?access_token=nope", "", "", nil, 400, 190, 0},
		{"query token", "GET", srv.URL + "/v25.0/me/personas?access_token=" + tok, "", "", nil, 200, 0, 0},
		{"page id path", "GET", srv.URL + "/v19.0/" + srv.PageID() + "/personas?access_token=" + tok, "", "", nil, 200, 0, 0},
		{"bearer token", "GET", srv.URL + "/v25.0/me/personas", "", "", []string{"Authorization", "Bearer " + tok}, 200, 0, 0},
		{"form token", "POST", srv.URL + "/v25.0/me/personas", "application/x-www-form-urlencoded", "name=Ann&access_token=" + url.QueryEscape(tok), nil, 200, 0, 0},
		{"good proof", "GET", srv.URL + "/v25.0/me/personas?access_token=" + tok + "&appsecret_proof=" + proof, "", "", nil, 200, 0, 0},
		{"bad proof", "GET", srv.URL + "/v25.0/me/personas?access_token=" + tok + "&appsecret_proof=00", "", "", nil, 400, 100, 0},
		{"bad json", "POST", srv.URL + "/v25.0/me/messages?access_token=" + tok, "application/json", "{", nil, 400, 100, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := rawCall(t, tt.method, tt.url, tt.ctype, tt.body, tt.header...)
			if status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", status, tt.wantStatus, body)
			}
			if tt.wantCode == 0 {
				return
			}
			var env errorEnvelope
			if err := json.Unmarshal([]byte(body), &env); err != nil {
				t.Fatalf("body is not a Graph error: %s", body)
			}
			if env.Error.Code != tt.wantCode || env.Error.Subcode != tt.wantSub || env.Error.FBTraceID == "" || env.Error.Type == "" {
				t.Errorf("error = %+v, want %d/%d with type and fbtrace_id", env.Error, tt.wantCode, tt.wantSub)
			}
			if strings.Contains(body, tok) {
				t.Errorf("error body leaks the token: %s", body)
			}
		})
	}
}

func TestAppSecretAloneLeavesProofOptional(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithAppSecret("s3cret"))
	// Most client libraries send no proof; Graph accepts that unless the app requires it.
	if status, body := rawCall(t, "GET", srv.GraphURL()+"/me/personas?access_token="+srv.PageToken(), "", ""); status != 200 {
		t.Errorf("without proof: %d %s, want 200", status, body)
	}
	other, err := messenger.New(srv.PageToken(), messenger.WithBaseURL(srv.URL), messenger.WithAppSecret("wrong"))
	if err != nil {
		t.Fatal(err)
	}
	wantGraphError(t, other.Do(t.Context(), "GET", "me/personas", nil, nil), 100, 0)
}

func TestRequireAppSecretProof(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithAppSecret("s3cret"), WithRequireProof())
	status, body := rawCall(t, "GET", srv.GraphURL()+"/me/personas?access_token="+srv.PageToken(), "", "")
	if status != 400 || !strings.Contains(body, "appsecret_proof") {
		t.Fatalf("without proof: %d %s, want 400 asking for appsecret_proof", status, body)
	}
	// The SDK's client computes the proof from the secret the server was given.
	var out pageOfPersonas
	if err := srv.Client().Do(t.Context(), "GET", "me/personas", nil, &out); err != nil {
		t.Fatalf("client with the secret: %v", err)
	}
	other, err := messenger.New(srv.PageToken(), messenger.WithBaseURL(srv.URL), messenger.WithAppSecret("wrong"))
	if err != nil {
		t.Fatal(err)
	}
	wantGraphError(t, other.Do(t.Context(), "GET", "me/personas", nil, nil), 100, 0)
}

func TestGraphVersionRestricted(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithGraphVersion("v25.0"))
	c := srv.Client(messenger.WithGraphVersion("v24.0"))
	ge := wantGraphError(t, c.Do(t.Context(), "GET", "me/personas", nil, nil), 100, 0)
	if !strings.Contains(ge.Message, "v25.0") {
		t.Errorf("message %q does not name the served version", ge.Message)
	}
	if err := srv.Client().Do(t.Context(), "GET", "me/personas", nil, nil); err != nil {
		t.Fatalf("v25.0: %v", err)
	}
	if got, want := srv.GraphURL(), srv.URL+"/v25.0"; got != want {
		t.Errorf("GraphURL = %q, want %q", got, want)
	}
}

func TestBadOptions(t *testing.T) {
	t.Parallel()
	for _, o := range []Option{WithPageID("abc"), WithAppID(""), WithPageToken(""), WithAppSecret(""),
		WithGraphVersion("25"), WithWebhookURL("ftp://x"), WithWebhook(nil), WithDelivery(Delivery{Duplicates: -1}),
		WithAddr(""), WithSecondaryReceivers(App{ID: "x"}), nil} {
		if s, err := Start(o); err == nil {
			s.Close()
			t.Errorf("Start accepted a bad option")
		}
	}
}

func TestClockAndGetObjects(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	if got := srv.Advance(25 * 3600e9); !got.Equal(testNow.Add(25 * 3600e9)) {
		t.Errorf("Advance = %v", got)
	}
	srv.SetNow(testNow)
	if !srv.Now().Equal(testNow) {
		t.Errorf("SetNow: Now = %v", srv.Now())
	}
	var page map[string]string
	if err := c.Do(t.Context(), "GET", "me", nil, &page); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"id": DefaultPageID, "name": "Fake Shop"}, page); diff != "" {
		t.Errorf("GET me (-want +got):\n%s", diff)
	}
	srv.User(testPSID).SetName("Ada", "Lovelace")
	var prof map[string]any
	if err := c.Do(t.Context(), "GET", testPSID+"?fields=first_name,last_name,locale", nil, &prof); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": testPSID, "first_name": "Ada", "last_name": "Lovelace", "locale": "en_US"}
	if diff := cmp.Diff(want, prof); diff != "" {
		t.Errorf("user profile (-want +got):\n%s", diff)
	}
	wantGraphError(t, c.Do(t.Context(), "GET", testPSID+"?fields=shoe_size", nil, nil), 100, 0)
	wantGraphError(t, c.Do(t.Context(), "GET", "777", nil, nil), 100, 33)
	wantGraphError(t, c.Do(t.Context(), "DELETE", "777", nil, nil), 100, 33)
}

func TestCloseTwice(t *testing.T) {
	t.Parallel()
	srv, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(srv.URL + "/v25.0/me"); err == nil {
		t.Error("server still answers after Close")
	}
}
