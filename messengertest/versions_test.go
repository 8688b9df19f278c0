package messengertest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// versionAnswer is what a bot sees of one call: status, the version Graph says it ran
// the call as, and the error code if any.
type versionAnswer struct {
	Status  int
	Version string
	Code    int
	Subcode int
}

func callVersion(t *testing.T, method, url, body string) (versionAnswer, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env errorEnvelope
	var raw json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	_ = json.Unmarshal(raw, &env)
	return versionAnswer{resp.StatusCode, resp.Header.Get("Facebook-API-Version"), env.Error.Code, env.Error.Subcode}, string(raw)
}

func TestGraphVersionsFollowMetasSchedule(t *testing.T) {
	t.Parallel()
	product := `{"recipient":{"id":"` + testPSID + `"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"template","payload":{"template_type":"product","elements":[{"id":"1"}]}}}}`
	tests := []struct {
		name   string
		now    time.Time
		opts   []Option
		method string
		path   string
		body   string
		want   versionAnswer
	}{
		{"unversioned runs as the app's default", testNow, nil, "GET", "/me/personas", "", versionAnswer{200, "v25.0", 0, 0}},
		{"unversioned send", testNow, nil, "POST", "/me/messages", product, versionAnswer{200, "v25.0", 0, 0}},
		{"unversioned with an app default", testNow, []Option{WithAppGraphVersion("v22.0")}, "GET", "/me/personas", "", versionAnswer{200, "v22.0", 0, 0}},
		{"usable version runs as itself", testNow, nil, "GET", "/v21.0/me/personas", "", versionAnswer{200, "v21.0", 0, 0}},
		{"expired version runs as the oldest usable", testNow, nil, "GET", "/v2.6/me/personas", "", versionAnswer{200, "v20.0", 0, 0}},
		{"expired version does not gate features", testNow, nil, "POST", "/v2.6/me/messages", product, versionAnswer{200, "v20.0", 0, 0}},
		{"v19.0 the day it expired", time.Date(2026, 5, 21, 0, 0, 0, 0, time.UTC), nil, "GET", "/v19.0/me/personas", "", versionAnswer{200, "v20.0", 0, 0}},
		{"v19.0 the day before", time.Date(2026, 5, 20, 23, 0, 0, 0, time.UTC), nil, "GET", "/v19.0/me/personas", "", versionAnswer{200, "v19.0", 0, 0}},
		{"a usable old version still gates features", time.Date(2020, 9, 1, 0, 0, 0, 0, time.UTC), nil, "POST", "/v7.0/me/messages", product, versionAnswer{400, "v7.0", 100, 2018328}},
		{"app default released after the clock's date", time.Date(2020, 9, 1, 0, 0, 0, 0, time.UTC), nil, "GET", "/me/personas", "", versionAnswer{200, "v25.0", 0, 0}},
		{"expired on a past clock runs as that day's oldest", time.Date(2020, 9, 1, 0, 0, 0, 0, time.UTC), nil, "GET", "/v2.6/me/personas", "", versionAnswer{200, "v3.1", 0, 0}},
		{"never released", testNow, nil, "GET", "/v99.0/me/personas", "", versionAnswer{400, "", 100, 0}},
		{"released after the clock's date runs as itself", time.Date(2020, 9, 1, 0, 0, 0, 0, time.UTC), nil, "GET", "/v26.0/me/personas", "", versionAnswer{200, "v26.0", 0, 0}},
		{"unknown served as default when asked", testNow, []Option{WithUnknownVersions(ServeUnknownAsDefault)}, "GET", "/v99.0/me/personas", "", versionAnswer{200, "v25.0", 0, 0}},
		{"a version added to the schedule", testNow, []Option{WithGraphVersions(GraphVersion{"v27.0", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), time.Time{}})}, "GET", "/v27.0/me/personas", "", versionAnswer{200, "v27.0", 0, 0}},
		{"an expiry announced later", testNow, []Option{WithGraphVersions(GraphVersion{"v20.0", time.Date(2024, 5, 21, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})}, "GET", "/v2.6/me/personas", "", versionAnswer{200, "v21.0", 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := NewServer(t, append([]Option{WithNow(tt.now)}, tt.opts...)...)
			if _, err := srv.User(testPSID).Says("hi"); err != nil {
				t.Fatal(err)
			}
			sep := "?"
			if strings.Contains(tt.path, "?") {
				sep = "&"
			}
			got, body := callVersion(t, tt.method, srv.URL+tt.path+sep+"access_token="+srv.PageToken(), tt.body)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s %s (-want +got):\n%s\nbody: %s", tt.method, tt.path, diff, body)
			}
		})
	}
}

func TestUnknownVersionNamesTheUsableOnes(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithNow(testNow))
	_, body := callVersion(t, "GET", srv.URL+"/v99.0/me/personas?access_token="+srv.PageToken(), "")
	for _, want := range []string{"v99.0", "v20.0", "v25.0"} {
		if !strings.Contains(body, want) {
			t.Errorf("error %s does not name %s", body, want)
		}
	}
}

func TestVersionOptionsRefuseWhatIsNotInTheSchedule(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]Option{
		"app version":        WithAppGraphVersion("v99.0"),
		"served version":     WithGraphVersion("v99.0"),
		"bad name":           WithGraphVersions(GraphVersion{Version: "27", Released: testNow}),
		"no release":         WithGraphVersions(GraphVersion{Version: "v27.0"}),
		"expires too early":  WithGraphVersions(GraphVersion{"v27.0", testNow, testNow.Add(-time.Hour)}),
		"unknown mode":       WithUnknownVersions(UnknownVersion(7)),
		"malformed app vers": WithAppGraphVersion("25"),
	} {
		if s, err := Start(o); err == nil {
			s.Close()
			t.Errorf("%s: Start accepted it", name)
		}
	}
}

func TestVersionOrderIsNumeric(t *testing.T) {
	t.Parallel()
	got := versionTable(GraphVersions()).merge([]GraphVersion{{"v2.13", time.Date(2018, 3, 1, 0, 0, 0, 0, time.UTC), time.Time{}}})
	var names []string
	for _, v := range got[8:14] {
		names = append(names, v.Version)
	}
	if diff := cmp.Diff([]string{"v2.7", "v2.8", "v2.9", "v2.10", "v2.11", "v2.12"}, names); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if got[14].Version != "v2.13" || got[15].Version != "v3.0" {
		t.Errorf("v2.13 sorted to %s, %s", got[14].Version, got[15].Version)
	}
}
