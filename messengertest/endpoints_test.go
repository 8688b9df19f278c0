package messengertest

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPersonasCRUDAndPaging(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	var ids []string
	for _, name := range []string{"Ann", "Ben", "Cat", "Dan", "Eve"} {
		var p struct{ ID string }
		if err := post(t, c, "me/personas", obj{"name": name, "profile_picture_url": "https://e.com/" + name + ".png"}, &p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	wantGraphError(t, post(t, c, "me/personas", obj{"name": strings.Repeat("n", 51)}, nil), 100, 0)
	wantGraphError(t, post(t, c, "me/personas", obj{"profile_picture_url": "https://e.com/x.png"}, nil), 100, 0)
	wantGraphError(t, post(t, c, "me/personas", obj{"name": "X", "profile_picture_url": "not a url"}, nil), 100, 0)

	var names []string
	path := "me/personas?limit=2"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		var page pageOfPersonas
		if err := c.Do(t.Context(), "GET", path, nil, &page); err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Data {
			names = append(names, p.Name)
		}
		path = ""
		if page.Paging != nil && page.Paging.Next != "" {
			path = "me/personas?limit=2&after=" + url.QueryEscape(page.Paging.Cursors.After)
		}
	}
	if diff := cmp.Diff([]string{"Ann", "Ben", "Cat", "Dan", "Eve"}, names); diff != "" {
		t.Errorf("paged names (-want +got):\n%s", diff)
	}
	var back pageOfPersonas
	if err := c.Do(t.Context(), "GET", "me/personas?limit=2&before="+cursorOf(ids[2]), nil, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Data) != 2 || back.Data[1].Name != "Ben" {
		t.Errorf("before page = %+v", back.Data)
	}
	var one Persona
	if err := c.Do(t.Context(), "GET", ids[0], nil, &one); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Persona{ID: ids[0], Name: "Ann", ProfilePictureURL: "https://e.com/Ann.png"}, one); diff != "" {
		t.Errorf("GET persona (-want +got):\n%s", diff)
	}
	var ok map[string]bool
	if err := c.Do(t.Context(), "DELETE", ids[0], nil, &ok); err != nil || !ok["success"] {
		t.Fatalf("delete: %v %v", ok, err)
	}
	wantGraphError(t, c.Do(t.Context(), "GET", ids[0], nil, nil), 100, 33)
	wantGraphError(t, c.Do(t.Context(), "DELETE", ids[0], nil, nil), 100, 33)
	if n := len(srv.Personas()); n != 4 {
		t.Errorf("Personas() has %d, want 4 after a delete", n)
	}
	wantGraphError(t, c.Do(t.Context(), "GET", "me/personas?after=bogus", nil, nil), 100, 0)
}

func TestThreadControl(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	owner := func() string {
		var out struct {
			Data []threadOwnerData `json:"data"`
		}
		if err := c.Do(t.Context(), "GET", "me/thread_owner?recipient="+testPSID, nil, &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Data) == 0 {
			return ""
		}
		return out.Data[0].ThreadOwner.AppID
	}
	if got := owner(); got != DefaultAppID {
		t.Errorf("initial owner = %q, want the fake's app", got)
	}
	wantGraphError(t, post(t, c, "me/pass_thread_control", obj{"recipient": to(testPSID)}, nil), 100, 0)
	wantGraphError(t, post(t, c, "me/pass_thread_control", obj{"recipient": to(testPSID), "target_app_id": 123}, nil), 100, 0)
	wantGraphError(t, post(t, c, "me/pass_thread_control", obj{"recipient": to("404"), "target_app_id": PageInboxAppID}, nil), 100, 2018001)
	wantGraphError(t, post(t, c, "me/request_thread_control", obj{"recipient": to(testPSID)}, nil), 100, 0)
	var res map[string]bool
	if err := post(t, c, "me/pass_thread_control", obj{"recipient": to(testPSID), "target_app_id": 263902037430900, "metadata": "to a human"}, &res); err != nil || !res["success"] {
		t.Fatalf("pass: %v %v", res, err)
	}
	if got := owner(); got != PageInboxAppID {
		t.Errorf("owner after pass = %q", got)
	}
	wantGraphError(t, post(t, c, "me/release_thread_control", obj{"recipient": to(testPSID)}, nil), 10, 2018300)
	if err := post(t, c, "me/request_thread_control", obj{"recipient": to(testPSID), "metadata": "please"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := post(t, c, "me/take_thread_control", obj{"recipient": to(testPSID)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := post(t, c, "me/release_thread_control", obj{"recipient": to(testPSID)}, nil); err != nil {
		t.Fatal(err)
	}
	if got := owner(); got != "" {
		t.Errorf("owner after release = %q, want idle", got)
	}
	var recv struct{ Data []App }
	if err := c.Do(t.Context(), "GET", "me/secondary_receivers?fields=id,name", nil, &recv); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]App{{ID: PageInboxAppID, Name: "Page Inbox"}}, recv.Data); diff != "" {
		t.Errorf("secondary receivers (-want +got):\n%s", diff)
	}
	wantGraphError(t, c.Do(t.Context(), "GET", "me/thread_owner", nil, nil), 100, 0)
	if srv.ThreadOwner(testPSID) != "" {
		t.Error("ThreadOwner disagrees with the endpoint")
	}
}

func TestMessengerProfile(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	menu := arr{obj{"locale": "default", "composer_input_disabled": false, "call_to_actions": arr{
		obj{"type": "postback", "title": "Talk to an agent", "payload": "CARE"},
		obj{"type": "web_url", "title": "Shop", "url": "https://e.com", "webview_height_ratio": "full"}}}}
	wantGraphError(t, post(t, c, "me/messenger_profile", obj{"persistent_menu": menu}, nil), 100, 0) // needs get_started
	set := obj{
		"get_started":         obj{"payload": "GET_STARTED"},
		"greeting":            arr{obj{"locale": "default", "text": "Hello {{user_first_name}}!"}},
		"persistent_menu":     menu,
		"ice_breakers":        arr{obj{"locale": "default", "call_to_actions": arr{obj{"question": "Where?", "payload": "WHERE"}}}},
		"whitelisted_domains": arr{"https://e.com"},
	}
	var res map[string]string
	if err := post(t, c, "me/messenger_profile", set, &res); err != nil || res["result"] != "success" {
		t.Fatalf("set: %v %v", res, err)
	}
	for name, bad := range map[string]obj{
		"greeting 161":        {"greeting": arr{obj{"locale": "default", "text": strings.Repeat("g", 161)}}},
		"greeting no default": {"greeting": arr{obj{"locale": "en_US", "text": "hi"}}},
		"menu 21 items":       {"persistent_menu": arr{obj{"locale": "default", "call_to_actions": elems(21, postbackBtn)}}},
		"menu title 31":       {"persistent_menu": arr{obj{"locale": "default", "call_to_actions": arr{obj{"type": "postback", "title": strings.Repeat("t", 31), "payload": "P"}}}}},
		"menu phone button":   {"persistent_menu": arr{obj{"locale": "default", "call_to_actions": arr{obj{"type": "phone_number", "title": "Call", "payload": "+1"}}}}},
		"5 ice breakers":      {"ice_breakers": elems(5, obj{"question": "q", "payload": "p"})},
		"http domain":         {"whitelisted_domains": arr{"http://e.com"}},
		"ip domain":           {"whitelisted_domains": arr{"https://10.0.0.1"}},
		"unknown property":    {"home_url": "https://e.com"},
		"empty":               {},
		"get_started empty":   {"get_started": obj{}},
	} {
		t.Run(name, func(t *testing.T) {
			wantGraphError(t, post(t, c, "me/messenger_profile", bad, nil), 100, 0)
		})
	}
	var got struct {
		Data []map[string]json.RawMessage `json:"data"`
	}
	if err := c.Do(t.Context(), "GET", "me/messenger_profile?fields=get_started,greeting,account_linking_url", nil, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Data) != 1 || string(got.Data[0]["get_started"]) != `{"payload":"GET_STARTED"}` || got.Data[0]["account_linking_url"] != nil {
		t.Errorf("GET = %s", got.Data)
	}
	wantGraphError(t, c.Do(t.Context(), "GET", "me/messenger_profile", nil, nil), 100, 0)
	if err := c.Do(t.Context(), "DELETE", "me/messenger_profile", obj{"fields": arr{"greeting", "persistent_menu"}}, &res); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Profile()["greeting"]; ok {
		t.Error("greeting survived DELETE")
	}
	wantGraphError(t, c.Do(t.Context(), "DELETE", "me/messenger_profile", obj{"fields": arr{"colour"}}, nil), 100, 0)
}

func TestBatch(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	body := func(v obj) string {
		f := url.Values{}
		for k, x := range v {
			b, _ := json.Marshal(x)
			if s, ok := x.(string); ok {
				f.Set(k, s)
			} else {
				f.Set(k, string(b))
			}
		}
		return f.Encode()
	}
	ops := arr{
		obj{"method": "POST", "relative_url": "me/messages", "name": "first", "body": body(text(testPSID, "one"))},
		obj{"method": "POST", "relative_url": "v25.0/me/messages", "body": body(text("404", "two"))},
		obj{"method": "GET", "relative_url": testPSID + "?fields=first_name", "depends_on": "first"},
		obj{"method": "POST", "relative_url": "me/messages", "name": "bad", "body": body(obj{"recipient": to(testPSID)})},
		obj{"method": "GET", "relative_url": "me", "depends_on": "bad"},
	}
	b, _ := json.Marshal(ops)
	var res []*batchResult
	if err := post(t, c, "", url.Values{"batch": {string(b)}, "include_headers": {"false"}}, &res); err != nil {
		t.Fatal(err)
	}
	if len(res) != 5 {
		t.Fatalf("got %d results", len(res))
	}
	codes := []int{}
	for _, r := range res {
		if r == nil {
			codes = append(codes, 0)
			continue
		}
		codes = append(codes, r.Code)
		if r.Headers != nil {
			t.Errorf("headers with include_headers=false: %+v", r.Headers)
		}
	}
	if diff := cmp.Diff([]int{200, 400, 200, 400, 0}, codes); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
	if !strings.Contains(res[1].Body, `"error_subcode":2018001`) {
		t.Errorf("second op body = %s", res[1].Body)
	}
	if n := len(srv.Sent()); n != 1 {
		t.Errorf("%d sends recorded, want 1", n)
	}
	many, _ := json.Marshal(elems(51, obj{"method": "GET", "relative_url": "me"}))
	wantGraphError(t, post(t, c, "", url.Values{"batch": {string(many)}}, nil), 100, 0)
	wantGraphError(t, post(t, c, "", url.Values{}, nil), 100, 0)
}
