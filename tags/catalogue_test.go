package tags

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCatalogueHoldsEveryTagEverValid(t *testing.T) {
	t.Parallel()
	var got []Tag
	for _, info := range All() {
		got = append(got, info.Tag)
	}
	want := []Tag{
		HumanAgent, CustomerFeedback, ConfirmedEventUpdate, PostPurchaseUpdate, AccountUpdate,
		NonPromotionalSubscription,
		ApplicationUpdate, AppointmentUpdate, CommunityAlert, ConfirmedEventReminder,
		FeatureFunctionalityUpdate, GameEvent, IssueResolution, PairingUpdate, PaymentUpdate,
		PersonalFinanceUpdate, ReservationUpdate, ShippingUpdate, TicketUpdate, TransportationUpdate,
		BusinessProductivity,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("All() tags (-want +got):\n%s", diff)
	}
}

// The seventeen tags retired or re-scoped on 2020-03-04, as docs/platform.md, “Message tags”, lists them.
func TestLegacySetMatchesReference(t *testing.T) {
	t.Parallel()
	legacy17 := []Tag{
		CommunityAlert, ConfirmedEventReminder, NonPromotionalSubscription, PairingUpdate,
		ApplicationUpdate, AccountUpdate, PaymentUpdate, PersonalFinanceUpdate, ShippingUpdate,
		ReservationUpdate, IssueResolution, AppointmentUpdate, GameEvent, TransportationUpdate,
		FeatureFunctionalityUpdate, TicketUpdate, BusinessProductivity,
	}
	before, after := day(2020, 3, 4).Add(-time.Nanosecond), day(2020, 3, 4)
	var retired, survived []Tag
	for _, tag := range legacy17 {
		info, ok := Lookup(tag)
		if !ok {
			t.Fatalf("Lookup(%s) not found", tag)
		}
		if !info.ValidAt(before) {
			t.Errorf("%s not valid just before 2020-03-04", tag)
		}
		if info.ValidAt(after) {
			survived = append(survived, tag)
		} else {
			retired = append(retired, tag)
			if !info.Legacy {
				t.Errorf("%s retired on 2020-03-04 but Legacy is false", tag)
			}
		}
	}
	slices.Sort(survived)
	if diff := cmp.Diff([]Tag{AccountUpdate, NonPromotionalSubscription}, survived); diff != "" {
		t.Errorf("survivors of 2020-03-04 (-want +got):\n%s", diff)
	}
	if len(retired) != 15 {
		t.Errorf("retired on 2020-03-04: %d tags, want 15", len(retired))
	}
	bp, _ := Lookup(BusinessProductivity)
	if bp.Confidence != Unconfirmed {
		t.Errorf("BUSINESS_PRODUCTIVITY confidence = %q, want %q", bp.Confidence, Unconfirmed)
	}
}

func TestCatalogueEntriesAreComplete(t *testing.T) {
	t.Parallel()
	for _, info := range All() {
		t.Run(string(info.Tag), func(t *testing.T) {
			if info.Purpose == "" || len(info.Allowed) == 0 || len(info.Prohibited) == 0 {
				t.Errorf("purpose, allowed or prohibited uses missing: %+v", info)
			}
			if !slices.ContainsFunc(info.Prohibited, func(s string) bool { return strings.Contains(s, "promotional") }) {
				t.Errorf("prohibited uses do not exclude promotional content: %q", info.Prohibited)
			}
			switch info.Confidence {
			case Confirmed, Library, ThirdParty, Unconfirmed:
			default:
				t.Errorf("confidence %q", info.Confidence)
			}
			if len(info.Sources) == 0 {
				t.Error("no sources")
			}
			if !info.ValidFrom.IsZero() && !info.ValidUntil.IsZero() && !info.ValidFrom.Before(info.ValidUntil) {
				t.Errorf("ValidFrom %v not before ValidUntil %v", info.ValidFrom, info.ValidUntil)
			}
			if !info.ValidUntil.IsZero() && len(info.Replacements) == 0 && info.ReplacementNote == "" {
				t.Error("retired without replacements and without a note saying so")
			}
			for _, r := range info.Replacements {
				ri, ok := Lookup(r)
				if !ok {
					t.Errorf("replacement %s not in the catalogue", r)
					continue
				}
				if !ri.ValidAt(info.ValidUntil) {
					t.Errorf("replacement %s not valid when %s retired (%v)", r, info.Tag, info.ValidUntil)
				}
			}
			if info.Tag == HumanAgent || info.Tag == CustomerFeedback {
				if info.Window != 7*24*time.Hour {
					t.Errorf("Window = %v, want 168h", info.Window)
				}
			} else if info.Window != 0 {
				t.Errorf("Window = %v, want 0", info.Window)
			}
		})
	}
}

func TestLookupReturnsACopy(t *testing.T) {
	t.Parallel()
	a, _ := Lookup(ShippingUpdate)
	a.Replacements[0] = HumanAgent
	a.Allowed[0] = "changed"
	b, _ := Lookup(ShippingUpdate)
	if b.Replacements[0] != PostPurchaseUpdate || b.Allowed[0] == "changed" {
		t.Errorf("Lookup shares memory with the catalogue: %+v", b)
	}
	all := All()
	all[0].Changes[0].What = "changed"
	if info, _ := Lookup(all[0].Tag); info.Changes[0].What == "changed" {
		t.Error("All shares memory with the catalogue")
	}
	if _, ok := Lookup("NOPE"); ok {
		t.Error(`Lookup("NOPE") found`)
	}
}
