package messenger

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func sampleProfile() PageProfile {
	return PageProfile{
		GetStarted: &GetStarted{Payload: "<GET_STARTED_PAYLOAD>"},
		Greeting: []Greeting{
			{Locale: DefaultLocale, Text: "Hello " + GreetingFirstName + "!"},
			{Locale: "en_US", Text: "Timeless apparel for the masses."},
		},
		PersistentMenu: []PersistentMenu{{
			Locale:           DefaultLocale,
			DisabledSurfaces: []string{"CUSTOMER_CHAT_PLUGIN"},
			CallToActions: []Button{
				PostbackButton("Talk to an agent", "CARE_HELP"),
				URLButton("Shop now", "https://www.originalcoastclothing.com/").WithWebview(WebviewFull),
			},
		}},
		IceBreakers: []IceBreakers{{Locale: DefaultLocale, CallToActions: []IceBreaker{
			{Question: "Where are you located?", Payload: "LOCATION"},
			{Question: "What are your hours?", Payload: "HOURS"},
		}}},
		WhitelistedDomains: []string{"https://example.com"},
		AccountLinkingURL:  "https://example.com/link",
	}
}

func TestSetProfileWireJSON(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"result":"success"}`))
	if err := c.SetProfile(context.Background(), sampleProfile()); err != nil {
		t.Fatal(err)
	}
	call := calls()[0]
	if call.Method != http.MethodPost || call.Path != "/v25.0/me/messenger_profile" {
		t.Errorf("call = %s %s", call.Method, call.Path)
	}
	assertJSON(t, `{
	 "get_started":{"payload":"<GET_STARTED_PAYLOAD>"},
	 "greeting":[{"locale":"default","text":"Hello {{user_first_name}}!"},{"locale":"en_US","text":"Timeless apparel for the masses."}],
	 "persistent_menu":[{"locale":"default","disabled_surfaces":["CUSTOMER_CHAT_PLUGIN"],"call_to_actions":[
	   {"type":"postback","title":"Talk to an agent","payload":"CARE_HELP"},
	   {"type":"web_url","title":"Shop now","url":"https://www.originalcoastclothing.com/","webview_height_ratio":"full"}]}],
	 "ice_breakers":[{"locale":"default","call_to_actions":[
	   {"question":"Where are you located?","payload":"LOCATION"},{"question":"What are your hours?","payload":"HOURS"}]}],
	 "whitelisted_domains":["https://example.com"],
	 "account_linking_url":"https://example.com/link"}`, call.Body)
}

func TestSetProfileOnlySendsWhatIsSet(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"result":"success"}`))
	if err := c.SetProfile(context.Background(), PageProfile{GetStarted: &GetStarted{Payload: "GO"}}); err != nil {
		t.Fatal(err)
	}
	assertJSON(t, `{"get_started":{"payload":"GO"}}`, calls()[0].Body)
}

func TestGetProfile(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"data":[{
	  "get_started":{"payload":"GO"},
	  "greeting":[{"locale":"default","text":"Hi"}],
	  "ice_breakers":[{"question":"Old one?","payload":"OLD1"},{"question":"Old two?","payload":"OLD2"}],
	  "whitelisted_domains":["https://example.com"]}]}`))
	got, err := c.GetProfile(context.Background(), ProfileGetStarted, ProfileGreeting, ProfileIceBreakers, ProfileWhitelistedDomains)
	if err != nil {
		t.Fatal(err)
	}
	want := &PageProfile{
		GetStarted: &GetStarted{Payload: "GO"},
		Greeting:   []Greeting{{Locale: "default", Text: "Hi"}},
		IceBreakers: []IceBreakers{{Locale: DefaultLocale, CallToActions: []IceBreaker{
			{Question: "Old one?", Payload: "OLD1"}, {Question: "Old two?", Payload: "OLD2"},
		}}},
		WhitelistedDomains: []string{"https://example.com"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	call := calls()[0]
	if call.Method != http.MethodGet || call.Path != "/v25.0/me/messenger_profile" ||
		call.Query != "fields=get_started%2Cgreeting%2Cice_breakers%2Cwhitelisted_domains" {
		t.Errorf("call = %s %s?%s", call.Method, call.Path, call.Query)
	}
}

func TestGetProfileEmptyAndNewIceBreakers(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"data":[{"ice_breakers":[{"locale":"default","call_to_actions":[{"question":"Q","payload":"P"}]}]}]}`))
	got, err := c.GetProfile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := &PageProfile{IceBreakers: []IceBreakers{{Locale: "default", CallToActions: []IceBreaker{{Question: "Q", Payload: "P"}}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if q := calls()[0].Query; q != "fields=get_started%2Cgreeting%2Cpersistent_menu%2Cice_breakers%2Cwhitelisted_domains%2Caccount_linking_url" {
		t.Errorf("query = %s", q)
	}
}

func TestDeleteProfile(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"result":"success"}`))
	ctx := context.Background()
	if err := c.DeleteProfile(ctx, ProfileGetStarted, ProfileGreeting); err != nil {
		t.Fatal(err)
	}
	call := calls()[0]
	if call.Method != http.MethodDelete || call.Path != "/v25.0/me/messenger_profile" {
		t.Errorf("call = %s %s", call.Method, call.Path)
	}
	assertJSON(t, `{"fields":["get_started","greeting"]}`, call.Body)
	checkViolation(t, c.DeleteProfile(ctx), "fields")
}

func menuItems(n int) []Button {
	out := make([]Button, n)
	for i := range out {
		out[i] = PostbackButton(fmt.Sprint("item ", i), "P")
	}
	return out
}

func domains(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("https://d%d.example.com", i)
	}
	return out
}

func iceBreakers(n int) []IceBreakers {
	qs := make([]IceBreaker, n)
	for i := range qs {
		qs[i] = IceBreaker{Question: "Q?", Payload: "P"}
	}
	return []IceBreakers{{Locale: DefaultLocale, CallToActions: qs}}
}

// TestProfileLimits checks each Messenger Profile limit of docs/platform.md, “Messenger Profile” from just
// inside and just outside.
func TestProfileLimits(t *testing.T) {
	t.Parallel()
	greet := func(text string) PageProfile {
		return PageProfile{Greeting: []Greeting{{Locale: DefaultLocale, Text: text}}}
	}
	menu := func(items ...Button) PageProfile {
		return PageProfile{PersistentMenu: []PersistentMenu{{Locale: DefaultLocale, CallToActions: items}}}
	}
	tests := []struct {
		name string
		p    PageProfile
		want string
	}{
		{"greeting 160", greet(runesOf(160)), ""},
		{"greeting 161", greet(runesOf(161)), "greeting[0].text"},
		{"greeting without default", PageProfile{Greeting: []Greeting{{Locale: "en_US", Text: "Hi"}}}, "greeting"},
		{"greeting locale twice", PageProfile{Greeting: []Greeting{{Locale: "default", Text: "a"}, {Locale: "default", Text: "b"}}}, "greeting[1].locale"},
		{"menu 20 items", menu(menuItems(20)...), ""},
		{"menu 21 items", menu(menuItems(21)...), "persistent_menu[0].call_to_actions"},
		{"menu title 30", menu(PostbackButton(runesOf(30), "P")), ""},
		{"menu title 31", menu(PostbackButton(runesOf(31), "P")), "persistent_menu[0].call_to_actions[0].title"},
		{"menu payload 1001", menu(PostbackButton("t", runesOf(1001))), "persistent_menu[0].call_to_actions[0].payload"},
		{"menu call button", menu(CallButton("Call", "+1555")), "persistent_menu[0].call_to_actions[0].type"},
		{"menu without default", PageProfile{PersistentMenu: []PersistentMenu{{Locale: "fr_FR", CallToActions: menuItems(1)}}}, "persistent_menu"},
		{"menu surface", PageProfile{PersistentMenu: []PersistentMenu{{Locale: DefaultLocale, CallToActions: menuItems(1), DisabledSurfaces: []string{"WEB"}}}},
			"persistent_menu[0].disabled_surfaces[0]"},
		{"ice breakers 4", PageProfile{IceBreakers: iceBreakers(4)}, ""},
		{"ice breakers 5", PageProfile{IceBreakers: iceBreakers(5)}, "ice_breakers[0].call_to_actions"},
		{"ice breaker without question", PageProfile{IceBreakers: []IceBreakers{{Locale: DefaultLocale, CallToActions: []IceBreaker{{Payload: "P"}}}}},
			"ice_breakers[0].call_to_actions[0].question"},
		{"domains 50", PageProfile{WhitelistedDomains: domains(50)}, ""},
		{"domains 51", PageProfile{WhitelistedDomains: domains(51)}, "whitelisted_domains"},
		{"domain over http", PageProfile{WhitelistedDomains: []string{"http://example.com"}}, "whitelisted_domains[0]"},
		{"domain ip", PageProfile{WhitelistedDomains: []string{"https://10.0.0.1"}}, "whitelisted_domains[0]"},
		{"domain localhost", PageProfile{WhitelistedDomains: []string{"https://localhost"}}, "whitelisted_domains[0]"},
		{"domain with path", PageProfile{WhitelistedDomains: []string{"https://example.com/shop"}}, "whitelisted_domains[0]"},
		{"account linking over http", PageProfile{AccountLinkingURL: "http://example.com/link"}, "account_linking_url"},
		{"get started without payload", PageProfile{GetStarted: &GetStarted{}}, "get_started.payload"},
		{"nothing to set", PageProfile{}, "messenger_profile"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkViolation(t, tc.p.Validate(), tc.want)
		})
	}
}

func TestSetProfileRefusesInvalidWithoutNetwork(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"result":"success"}`))
	p := sampleProfile()
	p.Greeting[0].Text = runesOf(161)
	checkViolation(t, c.SetProfile(context.Background(), p), "greeting[0].text")
	if n := len(calls()); n != 0 {
		t.Errorf("%d calls reached Graph", n)
	}
}
