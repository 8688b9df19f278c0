package otn

import (
	"context"
	"fmt"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store"
)

// The opt-in types of the messaging_optins webhook (docs/platform.md, “Webhook events”).
const (
	OptinOneTime   = "one_time_notif_req"
	OptinRecurring = "notification_messages"
)

// The values of OptinEvent.NotificationStatus (docs/platform.md, “Webhook events”).
const (
	StatusStop   = "STOP NOTIFICATIONS"
	StatusResume = "RESUME NOTIFICATIONS"
)

// oneTimeExpiry is when a one-time token issued at issued stops being usable: it
// "expires within 1 year of creation" (docs/platform.md, “One-time notifications”), taken as the same calendar
// date and time one year later in UTC (a token issued on 29 February expires on
// 1 March).
func oneTimeExpiry(issued time.Time) time.Time { return issued.UTC().AddDate(1, 0, 0) }

// MinIntervalOf is the shortest time between two messages with a recurring token of
// the given notification_messages_frequency: 24 hours for DAILY (and for an absent
// frequency: since Graph v16 the platform sets none and Marketing Messages allow one
// message per person per day), 7 days for WEEKLY, 30 days for MONTHLY (never shorter
// than a calendar month's worth of days Meta could count from, so a send is never
// early).
func MinIntervalOf(frequency string) time.Duration {
	switch frequency {
	case string(messenger.FrequencyWeekly):
		return 7 * 24 * time.Hour
	case string(messenger.FrequencyMonthly):
		return 30 * 24 * time.Hour
	}
	return 24 * time.Hour
}

// recurringExpiry is token_expiry_timestamp when the webhook has it; otherwise the
// opt-in periods the platform documented per frequency (DAILY 6 months, WEEKLY 9,
// MONTHLY 12; docs/platform.md, “Recurring notifications”), and a year without a frequency.
func recurringExpiry(ev *messenger.OptinEvent, issued time.Time) time.Time {
	if !ev.TokenExpiry.IsZero() {
		return ev.TokenExpiry
	}
	months := 12
	switch ev.Frequency {
	case string(messenger.FrequencyDaily):
		months = 6
	case string(messenger.FrequencyWeekly):
		months = 9
	}
	return issued.UTC().AddDate(0, months, 0)
}

// TokenFromOptin reads the notification token an opt-in carries, as the store keeps
// it, and reports whether there is one (plugin opt-ins carry none). Page is the
// entry's Page id (else the recipient), User the sender's PSID (else its user_ref),
// Topic the opt-in payload, IssuedAt the event time (now if the event has none).
// A one-time token expires one year after issue; a recurring token at its
// token_expiry_timestamp, with MinInterval from its frequency ([MinIntervalOf]) and
// State dead when the person stopped notifications.
func TokenFromOptin(ev *messenger.OptinEvent, now time.Time) (store.Token, bool) {
	if ev == nil {
		return store.Token{}, false
	}
	t := store.Token{
		Page:     ev.PageID,
		User:     ev.Sender.ID,
		Topic:    ev.Payload,
		IssuedAt: ev.Time,
		State:    store.TokenLive,
	}
	if t.Page == "" {
		t.Page = ev.Recipient.ID
	}
	if t.User == "" {
		t.User = ev.Sender.UserRef
	}
	if t.IssuedAt.IsZero() {
		t.IssuedAt = now
	}
	switch {
	case ev.OneTimeNotifToken != "" && (ev.Type == OptinOneTime || ev.Type == ""):
		t.Kind = store.OneTimeKind
		t.Value = ev.OneTimeNotifToken
		t.ExpiresAt = oneTimeExpiry(t.IssuedAt)
	case ev.NotificationMessagesToken != "" && (ev.Type == OptinRecurring || ev.Type == ""):
		t.Kind = store.RecurringKind
		t.Value = ev.NotificationMessagesToken
		t.ExpiresAt = recurringExpiry(ev, t.IssuedAt)
		t.MinInterval = MinIntervalOf(ev.Frequency)
		if ev.NotificationStatus == StatusStop {
			t.State = store.TokenDead
		}
	default:
		return store.Token{}, false
	}
	return t, true
}

// Capture stores the token of a notification opt-in and returns it as stored; ok is
// false for opt-ins that carry no token (Send to Messenger and checkbox plugins).
//
// Redeliveries are harmless: a one-time token already in the store is left as it is
// (a used token is never made live again). For a recurring token, "STOP
// NOTIFICATIONS" marks it dead and "RESUME NOTIFICATIONS" or a new opt-in makes it
// live again, keeping when it was last used so the frequency still holds; a stop or
// resume without a token applies to the person's recurring tokens for the topic.
func (n *Notifier) Capture(ctx context.Context, ev *messenger.OptinEvent) (tok store.Token, ok bool, err error) {
	if ev == nil {
		return store.Token{}, false, nil
	}
	if ev.Type == OptinRecurring && ev.NotificationMessagesToken == "" && ev.NotificationStatus != "" {
		return store.Token{}, false, n.setRecurringStatus(ctx, ev)
	}
	t, ok := TokenFromOptin(ev, n.now())
	if !ok {
		return store.Token{}, false, nil
	}
	old, found, err := n.find(ctx, t.Page, t.User, t.Value)
	if err != nil {
		return store.Token{}, false, err
	}
	if found {
		if t.Kind == store.OneTimeKind {
			return old, true, nil
		}
		t.IssuedAt, t.LastUsed, t.Uses = old.IssuedAt, old.LastUsed, old.Uses
	}
	if err := n.tokens.PutToken(ctx, t); err != nil {
		return store.Token{}, false, fmt.Errorf("otn: store the token of user %s on Page %s: %w", t.User, t.Page, err)
	}
	return t, true, nil
}

// HandleOptin is Capture shaped as a webhook handler:
//
//	messenger.On(webhook, notifier.HandleOptin)
func (n *Notifier) HandleOptin(ctx context.Context, ev *messenger.OptinEvent) error {
	_, _, err := n.Capture(ctx, ev)
	return err
}

func (n *Notifier) find(ctx context.Context, page, user, value string) (store.Token, bool, error) {
	toks, err := n.tokens.ListTokens(ctx, page, user)
	if err != nil {
		return store.Token{}, false, fmt.Errorf("otn: list the tokens of user %s on Page %s: %w", user, page, err)
	}
	for _, t := range toks {
		if t.Value == value {
			return t, true, nil
		}
	}
	return store.Token{}, false, nil
}

// setRecurringStatus applies a stop or resume that names no token to the person's
// recurring tokens for the topic (all topics when the payload is empty).
func (n *Notifier) setRecurringStatus(ctx context.Context, ev *messenger.OptinEvent) error {
	page, user := ev.PageID, ev.Sender.ID
	if page == "" {
		page = ev.Recipient.ID
	}
	if user == "" {
		user = ev.Sender.UserRef
	}
	toks, err := n.tokens.ListTokens(ctx, page, user)
	if err != nil {
		return fmt.Errorf("otn: list the tokens of user %s on Page %s: %w", user, page, err)
	}
	for _, t := range toks {
		if t.Kind != store.RecurringKind || (ev.Payload != "" && t.Topic != ev.Payload) {
			continue
		}
		switch ev.NotificationStatus {
		case StatusStop:
			err = n.tokens.KillToken(ctx, t.Value)
		case StatusResume:
			t.State = store.TokenLive
			err = n.tokens.PutToken(ctx, t)
		}
		if err != nil {
			return fmt.Errorf("otn: update a recurring token of user %s on Page %s: %w", user, page, err)
		}
	}
	return nil
}
