package messengertest

import (
	"fmt"
	"strings"
	"time"

	"github.com/gomessenger/messenger"
)

// recurringToken is a recurring notification (notification_messages) token.
type recurringToken struct {
	value     string
	psid      string
	topic     string
	frequency string
	issued    time.Time
	expires   time.Time
	interval  time.Duration // shortest time between two sends
	lastUsed  time.Time
}

// recurringFrequencies maps a frequency to the spacing of its sends and how long its
// token lives (docs/platform.md, “Recurring notifications”: DAILY 6 months, WEEKLY 9 months, MONTHLY 12 months).
// A month of spacing is 30 days.
var recurringFrequencies = map[string]struct {
	interval time.Duration
	months   int
}{
	"DAILY":   {24 * time.Hour, 6},
	"WEEKLY":  {7 * 24 * time.Hour, 9},
	"MONTHLY": {30 * 24 * time.Hour, 12},
}

// OptsInRecurring accepts a recurring notification request about topic (the
// request's payload) at frequency DAILY, WEEKLY or MONTHLY, and returns the token
// the Page receives in the notification_messages optin webhook (docs/platform.md, “Webhook events”),
// which also carries the frequency, token_expiry_timestamp and user_token_status
// NOT_REFRESHED. Sends with recipient notification_messages_token are then allowed
// until the token expires (6, 9 or 12 months), at most one per day, week or 30 days.
// The opt-in does not open the 24-hour window.
//
// Meta discontinued free recurring notifications on 2026-02-10 outside a few
// regions; on a fake clock after that date sends with the token are refused unless
// the server was built WithRecurringExemptRegion (policy.Request.RecurringExemptRegion).
func (u *User) OptsInRecurring(topic, frequency string) (string, error) {
	freq := strings.ToUpper(frequency)
	f, ok := recurringFrequencies[freq]
	if !ok {
		return "", fmt.Errorf("messengertest: OptsInRecurring: frequency must be DAILY, WEEKLY or MONTHLY, got %q", frequency)
	}
	var token string
	err := u.act(func(st *state, us *userState, now time.Time) (messenger.Event, error) {
		us.seen = true
		token = fmt.Sprintf("nmt_fake%012d", st.next())
		tok := &recurringToken{value: token, psid: us.psid, topic: topic, frequency: freq,
			issued: now, expires: now.AddDate(0, f.months, 0), interval: f.interval}
		st.recurring[token] = tok
		return &messenger.OptinEvent{Type: "notification_messages", Payload: topic, Title: topic,
			NotificationMessagesToken: token, Frequency: freq, TokenExpiry: tok.expires,
			TokenStatus: "NOT_REFRESHED"}, nil
	})
	return token, err
}

// WithRecurringExemptRegion treats every person as living where free recurring
// notifications continued after their 2026-02-10 discontinuation (AU, EU, JP, KR,
// UK per docs/platform.md, “Recurring notifications”), so recurring tokens keep working on a later fake clock.
func WithRecurringExemptRegion() Option {
	return func(c *config) error {
		c.recurringExempt = true
		return nil
	}
}
