package tags

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	est = time.FixedZone("EST", -5*3600)
	ist = time.FixedZone("IST", 5*3600+1800)
)

func TestValidAtBoundaries(t *testing.T) {
	t.Parallel()
	ns := time.Nanosecond
	tests := []struct {
		name string
		tag  Tag
		at   time.Time
		want bool
	}{
		{"legacy 1ns before retirement", ShippingUpdate, day(2020, 3, 4).Add(-ns), true},
		{"legacy at retirement", ShippingUpdate, day(2020, 3, 4), false},
		{"legacy at retirement in EST (19:00 the day before)", ShippingUpdate, day(2020, 3, 4).In(est), false},
		{"legacy 1ns before retirement in IST", ShippingUpdate, day(2020, 3, 4).Add(-ns).In(ist), true},
		{"legacy long ago", TicketUpdate, day(2017, 1, 1), true},
		{"business productivity at retirement", BusinessProductivity, day(2020, 3, 4), false},
		{"new tag 1ns before introduction", ConfirmedEventUpdate, day(2019, 8, 29).Add(-ns), false},
		{"new tag at introduction", ConfirmedEventUpdate, day(2019, 8, 29), true},
		{"human agent at introduction in EST", HumanAgent, day(2019, 8, 29).In(est), true},
		{"human agent 1ns before introduction", HumanAgent, day(2019, 8, 29).Add(-ns), false},
		{"post purchase 1ns before 2026 cut", PostPurchaseUpdate, day(2026, 4, 27).Add(-ns), true},
		{"post purchase at 2026 cut", PostPurchaseUpdate, day(2026, 4, 27), false},
		{"account update at 2026 cut in IST (05:30)", AccountUpdate, day(2026, 4, 27).In(ist), false},
		{"account update before 2019", AccountUpdate, day(2018, 1, 1), true},
		{"account update after 2020 cut", AccountUpdate, day(2020, 3, 4), true},
		{"subscription survives 2020", NonPromotionalSubscription, day(2020, 3, 4), true},
		{"subscription in 2030", NonPromotionalSubscription, day(2030, 1, 1), true},
		{"human agent in 2030", HumanAgent, day(2030, 1, 1), true},
		{"customer feedback in 2026", CustomerFeedback, day(2026, 5, 1), true},
		{"unknown tag", Tag("NOPE"), day(2026, 5, 1), false},
		{"empty tag", Tag(""), day(2026, 5, 1), false},
	}
	for _, tt := range tests {
		if got := tt.tag.ValidAt(tt.at); got != tt.want {
			t.Errorf("%s: %s.ValidAt(%v) = %v, want %v", tt.name, tt.tag, tt.at, got, tt.want)
		}
	}
}

func TestValidAtLists(t *testing.T) {
	t.Parallel()
	tests := []struct {
		at   time.Time
		want []Tag
	}{
		{day(2026, 4, 27), []Tag{CustomerFeedback, HumanAgent, NonPromotionalSubscription}},
		{day(2026, 4, 27).Add(-time.Nanosecond), []Tag{AccountUpdate, ConfirmedEventUpdate, CustomerFeedback, HumanAgent, NonPromotionalSubscription, PostPurchaseUpdate}},
		{day(2018, 1, 1), []Tag{
			AccountUpdate, ApplicationUpdate, AppointmentUpdate, BusinessProductivity, CommunityAlert,
			ConfirmedEventReminder, CustomerFeedback, FeatureFunctionalityUpdate, GameEvent, IssueResolution,
			NonPromotionalSubscription, PairingUpdate, PaymentUpdate, PersonalFinanceUpdate,
			ReservationUpdate, ShippingUpdate, TicketUpdate, TransportationUpdate,
		}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ValidAt(tt.at)); diff != "" {
			t.Errorf("ValidAt(%v) (-want +got):\n%s", tt.at, diff)
		}
	}
}

func TestReplacementsAt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tag  Tag
		at   time.Time
		want []Tag
	}{
		{ShippingUpdate, day(2019, 1, 1), []Tag{ShippingUpdate}},
		{ShippingUpdate, day(2021, 1, 1), []Tag{PostPurchaseUpdate}},
		{ShippingUpdate, day(2026, 5, 1), nil},
		{IssueResolution, day(2021, 1, 1), []Tag{AccountUpdate, HumanAgent}},
		{IssueResolution, day(2026, 5, 1), []Tag{HumanAgent}},
		{GameEvent, day(2021, 1, 1), nil},
		{PostPurchaseUpdate, day(2026, 5, 1), nil},
		{HumanAgent, day(2026, 5, 1), []Tag{HumanAgent}},
		{Tag("NOPE"), day(2026, 5, 1), nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ReplacementsAt(tt.tag, tt.at)); diff != "" {
			t.Errorf("ReplacementsAt(%s, %v) (-want +got):\n%s", tt.tag, tt.at, diff)
		}
	}
}

func TestKnown(t *testing.T) {
	t.Parallel()
	for _, info := range All() {
		if !info.Tag.Known() {
			t.Errorf("%s.Known() = false", info.Tag)
		}
		if info.Tag.String() != string(info.Tag) {
			t.Errorf("String() = %q", info.Tag.String())
		}
	}
	if Tag("human_agent").Known() {
		t.Error("Known is case-insensitive; only Parse should be")
	}
}
