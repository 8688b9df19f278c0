package tags

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	now := day(2026, 5, 1)
	tests := []struct {
		name    string
		in      string
		at      time.Time
		want    Tag
		wantErr error
	}{
		{"exact", "HUMAN_AGENT", now, HumanAgent, nil},
		{"lower case", "human_agent", now, HumanAgent, nil},
		{"mixed case with spaces", "  Customer Feedback ", now, CustomerFeedback, nil},
		{"hyphens", "non-promotional-subscription", now, NonPromotionalSubscription, nil},
		{"legacy before retirement", "shipping_update", day(2020, 3, 4).Add(-time.Nanosecond), ShippingUpdate, nil},
		{"legacy at retirement", "shipping_update", day(2020, 3, 4), "", ErrNotValid},
		{"2026 cut", "POST_PURCHASE_UPDATE", day(2026, 4, 27), "", ErrNotValid},
		{"before introduction", "CONFIRMED_EVENT_UPDATE", day(2019, 8, 28), "", ErrNotValid},
		{"zero time accepts any tag ever valid", "game_event", time.Time{}, GameEvent, nil},
		{"unknown", "PROMO_BLAST", now, "", ErrUnknownTag},
		{"unknown at zero time", "PROMO_BLAST", time.Time{}, "", ErrUnknownTag},
		{"empty", "", now, "", ErrUnknownTag},
		{"messaging type is not a tag", "RESPONSE", now, "", ErrUnknownTag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tt.in, tt.at)
			if got != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("Parse(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			var pe *ParseError
			if err != nil && (!errors.As(err, &pe) || pe.Input != tt.in) {
				t.Errorf("error %v is not a *ParseError naming the input", err)
			}
		})
	}
}

func TestParseErrorMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		at   time.Time
		want string
	}{
		{"PROMO", day(2026, 5, 1),
			`tags: tag "PROMO" is not a message tag; valid at 2026-05-01T00:00:00Z: CUSTOMER_FEEDBACK, HUMAN_AGENT, NON_PROMOTIONAL_SUBSCRIPTION`},
		{"shipping_update", day(2021, 1, 1),
			`tags: tag SHIPPING_UPDATE is not valid at 2021-01-01T00:00:00Z (retired on 2020-03-04; use POST_PURCHASE_UPDATE); valid at 2021-01-01T00:00:00Z: ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE, CUSTOMER_FEEDBACK, HUMAN_AGENT, NON_PROMOTIONAL_SUBSCRIPTION, POST_PURCHASE_UPDATE`},
		{"account_update", day(2026, 4, 27).In(est),
			`tags: tag ACCOUNT_UPDATE is not valid at 2026-04-27T00:00:00Z (retired on 2026-04-27; replacement: no tag: Utility Message templates (messaging_type UTILITY) for transactional updates, or the paid Marketing Messages API); valid at 2026-04-27T00:00:00Z: CUSTOMER_FEEDBACK, HUMAN_AGENT, NON_PROMOTIONAL_SUBSCRIPTION`},
		{"HUMAN_AGENT", day(2019, 1, 1),
			`tags: tag HUMAN_AGENT is not valid at 2019-01-01T00:00:00Z (valid from 2019-08-29); valid at 2019-01-01T00:00:00Z: ACCOUNT_UPDATE, APPLICATION_UPDATE, APPOINTMENT_UPDATE, BUSINESS_PRODUCTIVITY, COMMUNITY_ALERT, CONFIRMED_EVENT_REMINDER, CUSTOMER_FEEDBACK, FEATURE_FUNCTIONALITY_UPDATE, GAME_EVENT, ISSUE_RESOLUTION, NON_PROMOTIONAL_SUBSCRIPTION, PAIRING_UPDATE, PAYMENT_UPDATE, PERSONAL_FINANCE_UPDATE, RESERVATION_UPDATE, SHIPPING_UPDATE, TICKET_UPDATE, TRANSPORTATION_UPDATE`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in, tt.at)
		if err == nil {
			t.Fatalf("Parse(%q) succeeded", tt.in)
		}
		if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
			t.Errorf("Parse(%q).Error() (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseErrorBoundsEchoedInput(t *testing.T) {
	t.Parallel()
	_, err := Parse(strings.Repeat("x", 10_000), day(2026, 5, 1))
	if err == nil || len(err.Error()) > 300 {
		t.Errorf("error echoes too much input: %d bytes", len(err.Error()))
	}
}
