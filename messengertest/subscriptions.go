package messengertest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// pageWebhookFields are the fields a Page may subscribe the app to with
// POST /{page}/subscribed_apps: the Messenger webhook fields and the Page feed
// (docs/platform.md, “Webhook subscription”). WithWebhookFields adds others.
var pageWebhookFields = []string{
	"feed", "group_feed",
	"message_deliveries", "message_echoes", "message_edits", "message_reactions", "message_reads", "messages",
	"messaging_account_linking", "messaging_feedback", "messaging_game_plays", "messaging_handovers",
	"messaging_optins", "messaging_policy_enforcement", "messaging_postbacks", "messaging_referrals",
	"messaging_seen", "messenger_template_status_update", "response_feedback", "send_cart", "standby",
}

// fakeAppName is the name GET subscribed_apps lists the fake's app under.
const fakeAppName = "Fake App"

// subscription is the app's installation on the Page: subscribed is false until a
// POST subscribed_apps and after a DELETE.
type subscription struct {
	subscribed bool
	fields     []string
}

// SubscribedFields returns the webhook fields the app is subscribed to on the Page
// through POST /{page}/subscribed_apps, in the order sent; ok is false while the app
// is not subscribed. The subscription is recorded and answered but does not gate
// webhook delivery: simulated users' webhooks arrive either way.
func (s *Server) SubscribedFields() (fields []string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.subscription.fields), s.st.subscription.subscribed
}

// handleSubscribe serves POST /{page}/subscribed_apps: subscribed_fields (a comma
// list or a JSON array) replaces the fields the app is subscribed to.
func (s *Server) handleSubscribe(c *call, r *http.Request) (any, *graphError) {
	fields, gerr := s.subscribedFields(c.params)
	if gerr != nil {
		return nil, gerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.subscription = subscription{subscribed: true, fields: fields}
	return success, nil
}

// handleListSubscribed serves GET /{page}/subscribed_apps: the fake's app with its
// fields while subscribed, else an empty list.
func (s *Server) handleListSubscribed(c *call, r *http.Request) (any, *graphError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	type app struct {
		ID               string   `json:"id"`
		Name             string   `json:"name"`
		SubscribedFields []string `json:"subscribed_fields"`
	}
	data := []app{}
	if sub := s.st.subscription; sub.subscribed {
		data = append(data, app{ID: s.cfg.appID, Name: fakeAppName, SubscribedFields: slices.Clone(sub.fields)})
	}
	return map[string]any{"data": data}, nil
}

// handleUnsubscribe serves DELETE /{page}/subscribed_apps: the app is removed from
// the Page (a success also when it was not subscribed).
func (s *Server) handleUnsubscribe(c *call, r *http.Request) (any, *graphError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.subscription = subscription{}
	return success, nil
}

func (s *Server) subscribedFields(p *params) ([]string, *graphError) {
	list, ok, gerr := p.list("subscribed_fields")
	if gerr != nil {
		return nil, gerr
	}
	if !ok {
		if s.cfg.subscribeDefault != nil {
			return slices.Clone(s.cfg.subscribeDefault), nil
		}
		return nil, errParam("The parameter subscribed_fields is required")
	}
	if len(list) == 0 {
		return nil, errParam("Param subscribed_fields must name at least one webhook field")
	}
	var out []string
	for i, f := range list {
		if !slices.Contains(s.cfg.webhookFields, f) {
			return nil, errParam("Param subscribed_fields[%d] must be one of {%s}; got %q", i, strings.Join(s.cfg.webhookFields, ", "), f)
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

func checkFieldNames(option string, fields []string) error {
	for _, f := range fields {
		if f == "" || strings.Trim(f, "abcdefghijklmnopqrstuvwxyz_") != "" {
			return fmt.Errorf("messengertest: %s: want webhook field names like messages, got %q", option, f)
		}
	}
	return nil
}
