package messengertest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gomessenger/messenger"
)

// Defaults of a server built without options.
const (
	// DefaultPageID is the id of the fake's Page.
	DefaultPageID = "1000000000000001"
	// DefaultPageToken is the Page access token the fake accepts.
	DefaultPageToken = "fake-page-access-token"
	// DefaultAppSecret is the app secret the fake signs webhooks with when none is given.
	DefaultAppSecret = "fake-app-secret"
	// DefaultAppID is the id of the app that the fake's clients act as; it owns every
	// thread until thread control moves.
	DefaultAppID = "2000000000000002"
	// PageInboxAppID is the app id of Meta's Page Inbox, a secondary receiver of every
	// fake Page (docs/platform.md, “Handover protocol”).
	PageInboxAppID = messenger.PageInboxAppID
)

// App is an app known to the fake's Page, as listed by secondary_receivers.
type App struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type config struct {
	addr         string
	token        string
	pageID       string
	pageName     string
	appID        string
	appSecret    string
	requireProof bool
	sentWait     time.Duration // WaitForSent's wait for a context without a deadline
	version      string        // "" serves every version of the schedule
	start        time.Time
	hook         http.Handler
	hookURL      string
	delivery     Delivery
	secondary    []App
	humanAgent   bool
	// recurringExempt: people are in a region where recurring notifications go on
	recurringExempt bool

	// versions is the schedule of Graph versions; appVersion the app's default
	// version ("" until Start settles it); unknownVersion what a version outside
	// the schedule gets.
	versions       versionTable
	appVersion     string
	unknownVersion UnknownVersion

	// webhookFields are the names subscribed_apps accepts; subscribeDefault, when
	// not nil, the fields a POST without subscribed_fields subscribes.
	webhookFields    []string
	subscribeDefault []string
	// profileFields are the user-profile fields answered when a call names none.
	profileFields []string
}

func defaultConfig() config {
	return config{
		addr:       "127.0.0.1:0",
		token:      DefaultPageToken,
		pageID:     DefaultPageID,
		pageName:   "Fake Shop",
		appID:      DefaultAppID,
		appSecret:  DefaultAppSecret,
		secondary:  []App{{ID: PageInboxAppID, Name: "Page Inbox"}},
		humanAgent: true,
		sentWait:   DefaultSentWait,
		versions:   versionTable(GraphVersions()),

		webhookFields: slices.Clone(pageWebhookFields),
		profileFields: slices.Clone(defaultProfileFields),
	}
}

// Option configures a Server. Options check their argument and make the constructor
// fail when it is unusable.
type Option func(*config) error

// WithAddr sets the address the server listens on (default "127.0.0.1:0", a free
// loopback port).
func WithAddr(addr string) Option {
	return func(c *config) error {
		if addr == "" {
			return errors.New("messengertest: WithAddr: empty address")
		}
		c.addr = addr
		return nil
	}
}

// WithPageToken sets the Page access token the server accepts (default
// DefaultPageToken). Calls with any other token fail with code 190.
func WithPageToken(token string) Option {
	return func(c *config) error {
		if token == "" {
			return errors.New("messengertest: WithPageToken: empty token")
		}
		c.token = token
		return nil
	}
}

var numericID = regexp.MustCompile(`^[0-9]{1,32}$`)

// WithPageID sets the id of the fake Page (default DefaultPageID). Calls may address
// the Page as "me" or by this id.
func WithPageID(id string) Option {
	return func(c *config) error {
		if !numericID.MatchString(id) {
			return fmt.Errorf("messengertest: WithPageID: page id must be digits, got %q", id)
		}
		c.pageID = id
		return nil
	}
}

// WithPageName sets the Page's display name (default "Fake Shop"), which the fake
// answers for GET /{page-id}.
func WithPageName(name string) Option {
	return func(c *config) error {
		c.pageName = name
		return nil
	}
}

// WithAppID sets the id of the app the clients of this server act as (default
// DefaultAppID), which matters for thread control.
func WithAppID(id string) Option {
	return func(c *config) error {
		if !numericID.MatchString(id) {
			return fmt.Errorf("messengertest: WithAppID: app id must be digits, got %q", id)
		}
		c.appID = id
		return nil
	}
}

// WithAppSecret sets the app secret (default DefaultAppSecret). It signs the webhooks
// the server delivers and checks any appsecret_proof a call carries (docs/platform.md, “appsecret_proof”); a call without
// one is accepted, as Graph accepts it while the app's "Require App Secret" setting is
// off, its default. WithRequireProof makes the proof mandatory.
func WithAppSecret(secret string) Option {
	return func(c *config) error {
		if secret == "" {
			return errors.New("messengertest: WithAppSecret: empty secret")
		}
		c.appSecret = secret
		return nil
	}
}

// WithRequireProof makes every Graph call carry an appsecret_proof made with the app
// secret, as Graph does for an app with "Require App Secret" switched on; a call
// without one fails with code 100.
func WithRequireProof() Option {
	return func(c *config) error {
		c.requireProof = true
		return nil
	}
}

// WithSentWait sets how long WaitForSent waits when its context has no deadline
// (default DefaultSentWait); it must be positive.
func WithSentWait(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("messengertest: WithSentWait: want a positive duration, got %s", d)
		}
		c.sentWait = d
		return nil
	}
}

var graphVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// WithGraphVersion makes the server answer only calls under /<version>/ (e.g. "v25.0")
// and calls without a version, which run as it unless WithAppGraphVersion says
// otherwise; a call under any other version fails loudly. By default every version
// of the schedule is served (see GraphVersions).
func WithGraphVersion(version string) Option {
	return func(c *config) error {
		if !graphVersion.MatchString(version) {
			return fmt.Errorf("messengertest: WithGraphVersion: want a version like v25.0, got %q", version)
		}
		c.version = version
		return nil
	}
}

// WithGraphVersions adds versions to the fake's schedule of Graph versions (see
// GraphVersions), or replaces the dates of one it knows by name: a version Meta
// released after this package, or an expiry date Meta announced later.
func WithGraphVersions(versions ...GraphVersion) Option {
	return func(c *config) error {
		merged := c.versions.merge(versions)
		if err := checkVersionTable(merged); err != nil {
			return err
		}
		c.versions = merged
		return nil
	}
}

// WithAppGraphVersion sets the app's default Graph version, which Graph uses for a
// call whose path names no version (the app's "Upgrade API Version" setting). The
// default is the version given to WithGraphVersion, else v25.0. It must be a
// version of the schedule.
func WithAppGraphVersion(version string) Option {
	return func(c *config) error {
		if !graphVersion.MatchString(version) {
			return fmt.Errorf("messengertest: WithAppGraphVersion: want a version like v25.0, got %q", version)
		}
		c.appVersion = version
		return nil
	}
}

// WithUnknownVersions sets what a call under a version Graph never released gets
// (default RefuseUnknownVersion).
func WithUnknownVersions(u UnknownVersion) Option {
	return func(c *config) error {
		if u != RefuseUnknownVersion && u != ServeUnknownAsDefault {
			return fmt.Errorf("messengertest: WithUnknownVersions: unknown mode %d", u)
		}
		c.unknownVersion = u
		return nil
	}
}

// WithWebhookFields adds Page webhook fields that POST /{page}/subscribed_apps
// accepts besides the Messenger fields, feed and group_feed.
func WithWebhookFields(fields ...string) Option {
	return func(c *config) error {
		if err := checkFieldNames("WithWebhookFields", fields); err != nil {
			return err
		}
		for _, f := range fields {
			if !slices.Contains(c.webhookFields, f) {
				c.webhookFields = append(c.webhookFields, f)
			}
		}
		return nil
	}
}

// WithSubscribeDefaultFields makes POST /{page}/subscribed_apps without
// subscribed_fields subscribe these fields, as calls written for Graph versions
// that took no fields expect. By default such a call fails with code 100, as
// current Graph answers it.
func WithSubscribeDefaultFields(fields ...string) Option {
	return func(c *config) error {
		if len(fields) == 0 {
			return errors.New("messengertest: WithSubscribeDefaultFields: no fields")
		}
		if err := checkFieldNames("WithSubscribeDefaultFields", fields); err != nil {
			return err
		}
		c.subscribeDefault = slices.Clone(fields)
		return nil
	}
}

// WithProfileDefaultFields sets the user-profile fields GET /{psid} answers when
// the call names none (default: name, first_name, last_name, profile_pic); id is
// always answered. Each must be one of id, name, first_name, last_name,
// profile_pic, locale, timezone, gender.
func WithProfileDefaultFields(fields ...string) Option {
	return func(c *config) error {
		if len(fields) == 0 {
			return errors.New("messengertest: WithProfileDefaultFields: no fields")
		}
		for _, f := range fields {
			if !slices.Contains(userFields, f) {
				return fmt.Errorf("messengertest: WithProfileDefaultFields: %q is not a user profile field (%s)", f, strings.Join(userFields, ", "))
			}
		}
		c.profileFields = slices.Clone(fields)
		return nil
	}
}

// WithNow sets the time the fake clock starts at (default: the real time when the
// server starts). The fake clock moves only through Advance and SetNow.
func WithNow(t time.Time) Option {
	return func(c *config) error {
		if t.IsZero() {
			return errors.New("messengertest: WithNow: zero time")
		}
		c.start = t
		return nil
	}
}

// WithWebhook delivers the webhooks of simulated users to h, in process.
func WithWebhook(h http.Handler) Option {
	return func(c *config) error {
		if h == nil {
			return errors.New("messengertest: WithWebhook: nil handler")
		}
		c.hook, c.hookURL = h, ""
		return nil
	}
}

// WithWebhookURL delivers the webhooks of simulated users by POSTing to rawURL.
func WithWebhookURL(rawURL string) Option {
	return func(c *config) error {
		if err := checkWebhookURL(rawURL); err != nil {
			return fmt.Errorf("messengertest: WithWebhookURL: %w", err)
		}
		c.hook, c.hookURL = nil, rawURL
		return nil
	}
}

func checkWebhookURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want an absolute http(s) URL, got %q", rawURL)
	}
	return nil
}

// WithDelivery sets how webhooks are delivered: duplicates, batching, order, retries.
// It keeps echoes on when WithEchoes came first.
func WithDelivery(d Delivery) Option {
	return func(c *config) error {
		if err := d.check(); err != nil {
			return err
		}
		d.Echoes = d.Echoes || c.delivery.Echoes
		c.delivery = d
		return nil
	}
}

// WithEchoes makes the server deliver a message_echoes webhook (docs/platform.md, “Webhook events”) for
// every accepted message send while a webhook target is set, as a Page subscribed
// to message_echoes receives: sender the Page, recipient the person, message with
// is_echo, app_id, metadata, mid, text and attachments. Sender actions are not
// echoed, nor are sends to user_ref or phone_number recipients (docs/platform.md, “Recipients”).
//
// An echo is delivered after the send's HTTP answer was written, by the goroutine
// that served the send, so a webhook handler that sends from inside its delivery
// cannot deadlock: its Send returns first. A test that needs the echo right after
// Send returned calls Server.Flush, which delivers it or waits for its delivery.
// Echoes follow the Delivery settings (Hold, BatchSize, …) like every event.
// Delivery.Echoes (and the control API's POST /_fake/delivery {"echoes": true})
// is the same switch.
func WithEchoes() Option {
	return func(c *config) error {
		c.delivery.Echoes = true
		return nil
	}
}

// WithSecondaryReceivers sets the apps the Page lists as secondary receivers (default:
// Page Inbox). Thread control can be passed to these apps only.
func WithSecondaryReceivers(apps ...App) Option {
	return func(c *config) error {
		for _, a := range apps {
			if !numericID.MatchString(a.ID) {
				return fmt.Errorf("messengertest: WithSecondaryReceivers: app id must be digits, got %q", a.ID)
			}
		}
		c.secondary = append([]App(nil), apps...)
		return nil
	}
}

// WithoutHumanAgent makes the fake's app lack the Human Agent feature of App Review,
// so HUMAN_AGENT sends are refused as Graph refuses them (docs/platform.md, “Message tags”).
func WithoutHumanAgent() Option {
	return func(c *config) error {
		c.humanAgent = false
		return nil
	}
}
