package messengertest

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of the Messenger Profile API (docs/platform.md, “Messenger Profile”).
const (
	maxGreeting        = 160
	maxMenuItems       = 20
	maxMenuTitle       = 30
	maxIceBreakers     = 4
	maxWhitelisted     = 50
	profileSuccessBody = "success"
)

// profileProperties are the properties the fake stores, each with its check.
var profileProperties = map[string]func(json.RawMessage, map[string]json.RawMessage) *graphError{
	"get_started":         checkGetStarted,
	"greeting":            checkGreeting,
	"persistent_menu":     checkPersistentMenu,
	"ice_breakers":        checkIceBreakers,
	"whitelisted_domains": checkWhitelistedDomains,
	"account_linking_url": checkAccountLinkingURL,
	"commands":            func(json.RawMessage, map[string]json.RawMessage) *graphError { return nil },
}

func profileNames() string {
	names := make([]string, 0, len(profileProperties))
	for k := range profileProperties {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func (s *Server) handleSetProfile(c *call, r *http.Request) (any, *graphError) {
	props := map[string]json.RawMessage{}
	for k, v := range c.params.values {
		if k == "access_token" || k == "appsecret_proof" {
			continue
		}
		if _, ok := profileProperties[k]; !ok {
			return nil, errParam("Param %s is not a Messenger Profile property (%s)", k, profileNames())
		}
		props[k] = v
	}
	if len(props) == 0 {
		return nil, errParam("Messenger Profile update has no properties; set at least one of %s", profileNames())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range sortedKeys(props) {
		if gerr := profileProperties[k](props[k], merged(s.st.profile, props)); gerr != nil {
			return nil, gerr
		}
	}
	for k, v := range props {
		s.st.profile[k] = v
	}
	return map[string]string{"result": profileSuccessBody}, nil
}

func merged(a, b map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// profileFields reads the fields to get or delete: a comma list or a JSON array.
func profileFields(p *params) ([]string, *graphError) {
	list, ok, gerr := p.list("fields")
	if gerr != nil {
		return nil, gerr
	}
	if !ok {
		return nil, errParam("The parameter fields is required: the Messenger Profile properties to act on")
	}
	if len(list) == 0 {
		return nil, errParam("Param fields must name at least one property")
	}
	for _, f := range list {
		if _, ok := profileProperties[f]; !ok {
			return nil, errParam("Param fields: %s is not a Messenger Profile property (%s)", f, profileNames())
		}
	}
	return list, nil
}

func (s *Server) handleGetProfile(c *call, r *http.Request) (any, *graphError) {
	fields, gerr := profileFields(c.params)
	if gerr != nil {
		return nil, gerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	obj := map[string]json.RawMessage{}
	for _, f := range fields {
		if v, ok := s.st.profile[f]; ok {
			obj[f] = v
		}
	}
	data := []map[string]json.RawMessage{}
	if len(obj) > 0 {
		data = append(data, obj)
	}
	return map[string]any{"data": data}, nil
}

func (s *Server) handleDeleteProfile(c *call, r *http.Request) (any, *graphError) {
	fields, gerr := profileFields(c.params)
	if gerr != nil {
		return nil, gerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range fields {
		delete(s.st.profile, f)
	}
	return map[string]string{"result": profileSuccessBody}, nil
}

// Profile returns the Messenger Profile properties set on the Page, as sent.
func (s *Server) Profile() map[string]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return merged(s.st.profile, nil)
}

func checkGetStarted(v json.RawMessage, _ map[string]json.RawMessage) *graphError {
	var gs struct {
		Payload *string `json:"payload"`
	}
	if err := strictUnmarshal(v, &gs); err != nil || gs.Payload == nil || *gs.Payload == "" {
		return errParam("Param get_started must be {\"payload\":\"<non-empty>\"}")
	}
	if n := utf8.RuneCountInString(*gs.Payload); n > maxPayloadChars {
		return errParam("Length of param get_started[payload] must be at most %d characters; got %d", maxPayloadChars, n)
	}
	return nil
}

func hasDefaultLocale(locales []string) bool { return slices.Contains(locales, "default") }

func checkGreeting(v json.RawMessage, _ map[string]json.RawMessage) *graphError {
	var gs []struct {
		Locale string `json:"locale"`
		Text   string `json:"text"`
	}
	if err := strictUnmarshal(v, &gs); err != nil {
		return errParam("Param greeting must be a list of {locale, text}: %s", jsonProblem(err))
	}
	var locales []string
	for i, g := range gs {
		if n := utf8.RuneCountInString(g.Text); n == 0 || n > maxGreeting {
			return errParam("Length of param greeting[%d][text] must be 1 to %d characters; got %d", i, maxGreeting, n)
		}
		locales = append(locales, g.Locale)
	}
	if !hasDefaultLocale(locales) {
		return errParam("Param greeting needs an entry with locale \"default\"")
	}
	return nil
}

func checkPersistentMenu(v json.RawMessage, all map[string]json.RawMessage) *graphError {
	var menus []struct {
		Locale                string       `json:"locale"`
		ComposerInputDisabled *flexBool    `json:"composer_input_disabled"`
		DisabledSurfaces      []string     `json:"disabled_surfaces"`
		CallToActions         []wireButton `json:"call_to_actions"`
	}
	if err := strictUnmarshal(v, &menus); err != nil {
		return errParam("Param persistent_menu must be a list of {locale, composer_input_disabled, call_to_actions}: %s", jsonProblem(err))
	}
	if _, ok := all["get_started"]; !ok {
		return errParam("Param persistent_menu needs get_started: set a Get Started button first")
	}
	var locales []string
	for i, m := range menus {
		locales = append(locales, m.Locale)
		field := "persistent_menu[" + strconv.Itoa(i) + "][call_to_actions]"
		if len(m.CallToActions) > maxMenuItems {
			return errParam("Param %s must have at most %d items; got %d", field, maxMenuItems, len(m.CallToActions))
		}
		for j, b := range m.CallToActions {
			f := field + "[" + strconv.Itoa(j) + "]"
			if b.Type != "web_url" && b.Type != "postback" {
				return errParam("Param %s[type] must be web_url or postback; got %q", f, b.Type)
			}
			if b.Title != nil {
				if n := utf8.RuneCountInString(*b.Title); n > maxMenuTitle {
					return errParam("Length of param %s[title] must be at most %d characters; got %d", f, maxMenuTitle, n)
				}
			}
			if gerr := checkButton(b, f, false); gerr != nil {
				return gerr
			}
		}
	}
	if !hasDefaultLocale(locales) {
		return errParam("Param persistent_menu needs a menu with locale \"default\"")
	}
	return nil
}

func checkIceBreakers(v json.RawMessage, _ map[string]json.RawMessage) *graphError {
	type question struct {
		Question string `json:"question"`
		Payload  string `json:"payload"`
	}
	var localized []struct {
		Locale        string     `json:"locale"`
		CallToActions []question `json:"call_to_actions"`
	}
	if strictUnmarshal(v, &localized) == nil && len(localized) > 0 && localized[0].CallToActions != nil {
		var locales []string
		for i, l := range localized {
			locales = append(locales, l.Locale)
			if len(l.CallToActions) > maxIceBreakers {
				return errParam("Param ice_breakers[%d][call_to_actions] must have at most %d questions; got %d", i, maxIceBreakers, len(l.CallToActions))
			}
		}
		if !hasDefaultLocale(locales) {
			return errParam("Param ice_breakers needs an entry with locale \"default\"")
		}
		return nil
	}
	var old []question
	if err := strictUnmarshal(v, &old); err != nil {
		return errParam("Param ice_breakers must be a list of {call_to_actions, locale} or of {question, payload}: %s", jsonProblem(err))
	}
	if len(old) > maxIceBreakers {
		return errParam("Param ice_breakers must have at most %d questions; got %d", maxIceBreakers, len(old))
	}
	return nil
}

func checkWhitelistedDomains(v json.RawMessage, _ map[string]json.RawMessage) *graphError {
	var domains []string
	if err := strictUnmarshal(v, &domains); err != nil {
		return errParam("Param whitelisted_domains must be a list of URLs: %s", jsonProblem(err))
	}
	if len(domains) > maxWhitelisted {
		return errParam("Param whitelisted_domains must have at most %d domains; got %d", maxWhitelisted, len(domains))
	}
	for i, d := range domains {
		u, err := url.Parse(d)
		if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.Hostname() == "localhost" || net.ParseIP(u.Hostname()) != nil {
			return errParam("Param whitelisted_domains[%d] must be an https URL of a fully qualified domain (no IP, no localhost); got %q", i, d)
		}
	}
	return nil
}

func checkAccountLinkingURL(v json.RawMessage, _ map[string]json.RawMessage) *graphError {
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return errParam("Param account_linking_url must be a string")
	}
	if u, err := url.Parse(s); err != nil || u.Scheme != "https" || u.Host == "" {
		return errParam("Param account_linking_url must be an https URL; got %q", s)
	}
	return nil
}
