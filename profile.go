package messenger

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// PageProfile is the Page's Messenger Profile: the Get Started button,
// greetings, persistent menu, ice breakers, whitelisted domains and account linking
// URL (docs/platform.md, “Messenger Profile”). SetProfile overwrites only the properties that are set; Graph
// allows 10 profile calls per 10 minutes per Page.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/messenger-profile-api
type PageProfile struct {
	// GetStarted shows a Get Started button on a new conversation; its tap arrives as
	// a postback. It is needed for a persistent menu and for m.me refs on new threads.
	GetStarted *GetStarted `json:"get_started,omitempty"`
	// Greeting is the text on the welcome screen, per locale; one entry must have
	// locale "default".
	Greeting []Greeting `json:"greeting,omitempty"`
	// PersistentMenu is the always-available menu, per locale; one entry must have
	// locale "default".
	PersistentMenu []PersistentMenu `json:"persistent_menu,omitempty"`
	// IceBreakers are up to 4 questions a person can tap to start, per locale; one
	// entry must have locale "default".
	IceBreakers []IceBreakers `json:"ice_breakers,omitempty"`
	// WhitelistedDomains are up to 50 https origins allowed to use Messenger
	// Extensions and the chat plugin.
	WhitelistedDomains []string `json:"whitelisted_domains,omitempty"`
	// AccountLinkingURL is the https URL of the account linking flow.
	AccountLinkingURL string `json:"account_linking_url,omitempty"`
}

// GetStarted is the Get Started button; Payload comes back in its postback.
type GetStarted struct {
	Payload string `json:"payload"`
}

// Greeting is the welcome text for a locale: at most 160 characters, and may
// contain the placeholders GreetingFirstName, GreetingLastName, GreetingFullName.
type Greeting struct {
	Locale string `json:"locale"`
	Text   string `json:"text"`
}

// PersistentMenu is the menu for a locale: at most 20 web_url or postback items,
// titles up to 30 characters (docs/platform.md, “Messenger Profile”, Graph v8.0+).
type PersistentMenu struct {
	Locale                string `json:"locale"`
	ComposerInputDisabled bool   `json:"composer_input_disabled,omitempty"`
	// DisabledSurfaces may hold "CUSTOMER_CHAT_PLUGIN".
	DisabledSurfaces []string `json:"disabled_surfaces,omitempty"`
	CallToActions    []Button `json:"call_to_actions"`
}

// IceBreakers are the questions for a locale (the current format of the property).
type IceBreakers struct {
	Locale        string       `json:"locale"`
	CallToActions []IceBreaker `json:"call_to_actions"`
}

// IceBreaker is one question; a tap arrives as a message with Payload.
type IceBreaker struct {
	Question string `json:"question"`
	Payload  string `json:"payload"`
}

// DefaultLocale is the locale every per-locale profile property must include.
const DefaultLocale = "default"

// Greeting placeholders, replaced by the person's name when shown.
const (
	GreetingFirstName = "{{user_first_name}}"
	GreetingLastName  = "{{user_last_name}}"
	GreetingFullName  = "{{user_full_name}}"
)

// Limits of the Messenger Profile (docs/platform.md, “Messenger Profile”, “Limits”).
const (
	MaxGreetingLen        = 160
	MaxMenuItems          = 20
	MaxMenuItemTitle      = 30
	MaxIceBreakers        = 4
	MaxWhitelistedDomains = 50
)

// PageProfileField names a Messenger Profile property for GetProfile and DeleteProfile.
type PageProfileField string

// The Messenger Profile properties.
const (
	ProfileGetStarted         PageProfileField = "get_started"
	ProfileGreeting           PageProfileField = "greeting"
	ProfilePersistentMenu     PageProfileField = "persistent_menu"
	ProfileIceBreakers        PageProfileField = "ice_breakers"
	ProfileWhitelistedDomains PageProfileField = "whitelisted_domains"
	ProfileAccountLinkingURL  PageProfileField = "account_linking_url"
)

// AllProfileFields lists every property GetProfile reads when given none.
var AllProfileFields = []PageProfileField{ProfileGetStarted, ProfileGreeting, ProfilePersistentMenu,
	ProfileIceBreakers, ProfileWhitelistedDomains, ProfileAccountLinkingURL}

// Validate checks p against the Messenger Profile limits of docs/platform.md, “Messenger Profile” without
// touching the network; violations are *ValidationErrors joined, matching
// ErrInvalidRequest.
func (p *PageProfile) Validate() error {
	var v validator
	p.validate(&v)
	return v.err()
}

func (p *PageProfile) validate(v *validator) {
	if p.GetStarted == nil && p.Greeting == nil && p.PersistentMenu == nil && p.IceBreakers == nil &&
		p.WhitelistedDomains == nil && p.AccountLinkingURL == "" {
		v.fail("messenger_profile", "", "at least one property", "none", "nothing to set")
	}
	if p.GetStarted != nil {
		v.required("get_started.payload", "", p.GetStarted.Payload, "the Get Started button needs a payload")
		v.maxRunes("get_started.payload", "", p.GetStarted.Payload, MaxPayloadLen)
	}
	if p.Greeting != nil {
		locales := make([]string, len(p.Greeting))
		for i, g := range p.Greeting {
			f := index("greeting", i)
			locales[i] = g.Locale
			v.required(f, ".text", g.Text, "a greeting needs a text")
			v.maxRunes(f, ".text", g.Text, MaxGreetingLen)
		}
		checkLocales(v, "greeting", locales)
	}
	if p.PersistentMenu != nil {
		locales := make([]string, len(p.PersistentMenu))
		for i := range p.PersistentMenu {
			m, f := &p.PersistentMenu[i], index("persistent_menu", i)
			locales[i] = m.Locale
			v.count(f, ".call_to_actions", len(m.CallToActions), 1, MaxMenuItems, "items")
			for j := range m.CallToActions {
				b, bf := &m.CallToActions[j], index(f+".call_to_actions", j)
				if b.Type != ButtonURL && b.Type != ButtonPostback {
					v.fail(bf, ".type", "web_url or postback", preview(string(b.Type)), "a menu item opens a URL or sends a postback")
					continue
				}
				b.validateWithTitle(v, bf, MaxMenuItemTitle)
			}
			for j, s := range m.DisabledSurfaces {
				v.oneOf(index(f+".disabled_surfaces", j), "", s, "CUSTOMER_CHAT_PLUGIN")
			}
		}
		checkLocales(v, "persistent_menu", locales)
	}
	if p.IceBreakers != nil {
		locales := make([]string, len(p.IceBreakers))
		for i := range p.IceBreakers {
			ib, f := &p.IceBreakers[i], index("ice_breakers", i)
			locales[i] = ib.Locale
			v.count(f, ".call_to_actions", len(ib.CallToActions), 1, MaxIceBreakers, "questions")
			for j, q := range ib.CallToActions {
				qf := index(f+".call_to_actions", j)
				v.required(qf, ".question", q.Question, "an ice breaker needs a question")
				v.required(qf, ".payload", q.Payload, "an ice breaker needs a payload")
				v.maxRunes(qf, ".payload", q.Payload, MaxPayloadLen)
			}
		}
		checkLocales(v, "ice_breakers", locales)
	}
	if p.WhitelistedDomains != nil {
		v.count("whitelisted_domains", "", len(p.WhitelistedDomains), 1, MaxWhitelistedDomains, "domains")
		for i, d := range p.WhitelistedDomains {
			checkDomain(v, index("whitelisted_domains", i), d)
		}
	}
	if p.AccountLinkingURL != "" {
		v.webURL("account_linking_url", "", p.AccountLinkingURL, true)
	}
}

// checkLocales requires a "default" entry and no locale twice.
func checkLocales(v *validator, field string, locales []string) {
	seen := make(map[string]bool, len(locales))
	for i, l := range locales {
		if l == "" {
			v.fail(index(field, i), ".locale", "set", `""`, "each entry names its locale")
			continue
		}
		if seen[l] {
			v.fail(index(field, i), ".locale", "unique", preview(l), "locale given twice")
		}
		seen[l] = true
	}
	if !seen[DefaultLocale] {
		v.fail(field, "", `an entry with locale "default"`, strings.Join(locales, ", "), "the default locale is required")
	}
}

// checkDomain accepts an https origin with a fully qualified host name: no IP
// address, no localhost, no path (docs/platform.md, “Messenger Profile”).
func checkDomain(v *validator, field, d string) {
	u, err := url.Parse(d)
	ok := err == nil && u.Scheme == "https" && u.Host != "" && (u.Path == "" || u.Path == "/") &&
		u.RawQuery == "" && u.User == nil
	if ok {
		h := u.Hostname()
		ok = strings.Contains(h, ".") && net.ParseIP(h) == nil && !strings.EqualFold(h, "localhost")
	}
	if !ok {
		v.fail(field, "", "an https URL of a fully qualified domain", preview(d), "not a domain Meta can whitelist")
	}
}

// SetProfile sets the properties of p that are non-empty, leaving the others as they
// are (POST /{page}/messenger_profile).
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/messenger-profile-api
func (c *Client) SetProfile(ctx context.Context, p PageProfile) error {
	if err := p.Validate(); err != nil {
		return err
	}
	var out resultWire
	if err := c.Do(ctx, http.MethodPost, c.PagePath("messenger_profile"), &p, &out); err != nil {
		return err
	}
	return out.err("messenger_profile")
}

// GetProfile reads the given properties (all of them when none is given). Ice
// breakers stored in the old format come back as one entry with the default locale.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/messenger-profile-api
func (c *Client) GetProfile(ctx context.Context, fields ...PageProfileField) (*PageProfile, error) {
	if len(fields) == 0 {
		fields = AllProfileFields
	}
	var out struct {
		Data []struct {
			PageProfile
			IceBreakers []iceBreakersWire `json:"ice_breakers"`
		} `json:"data"`
	}
	path := c.PagePath("messenger_profile") + "?" + url.Values{"fields": {joinFields(fields)}}.Encode()
	if err := c.Do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	p := &PageProfile{}
	if len(out.Data) == 0 {
		return p, nil
	}
	*p = out.Data[0].PageProfile
	var old *IceBreakers
	for _, ib := range out.Data[0].IceBreakers {
		if ib.Question != "" { // old format: one question per item
			if old == nil {
				p.IceBreakers = append(p.IceBreakers, IceBreakers{Locale: DefaultLocale})
				old = &p.IceBreakers[len(p.IceBreakers)-1]
			}
			old.CallToActions = append(old.CallToActions, IceBreaker{Question: ib.Question, Payload: ib.Payload})
			continue
		}
		p.IceBreakers = append(p.IceBreakers, IceBreakers{Locale: ib.Locale, CallToActions: ib.CallToActions})
		old = nil
	}
	return p, nil
}

// iceBreakersWire reads both formats of the ice_breakers property.
type iceBreakersWire struct {
	Locale        string       `json:"locale"`
	CallToActions []IceBreaker `json:"call_to_actions"`
	Question      string       `json:"question"`
	Payload       string       `json:"payload"`
}

// DeleteProfile removes the given properties (DELETE /{page}/messenger_profile).
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/messenger-profile-api
func (c *Client) DeleteProfile(ctx context.Context, fields ...PageProfileField) error {
	var v validator
	if len(fields) == 0 {
		v.fail("fields", "", "at least one property", "none", "nothing to delete")
	}
	for i, f := range fields {
		v.required(index("fields", i), "", string(f), "a property name is needed")
	}
	if err := v.err(); err != nil {
		return err
	}
	body := struct {
		Fields []PageProfileField `json:"fields"`
	}{fields}
	var out resultWire
	if err := c.Do(ctx, http.MethodDelete, c.PagePath("messenger_profile"), body, &out); err != nil {
		return err
	}
	return out.err("messenger_profile")
}

func joinFields[T ~string](fs []T) string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(string(f))
	}
	return b.String()
}

// resultWire is the {"result":"success"} answer of the profile calls.
type resultWire struct {
	Result string `json:"result"`
}

func (r resultWire) err(call string) error {
	if r.Result != "success" {
		return fmt.Errorf("messenger: %s answered %q instead of success", call, r.Result)
	}
	return nil
}
