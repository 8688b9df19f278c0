package tags

import "time"

// Tag is the value of the Send API's "tag" parameter, sent with messaging_type
// MESSAGE_TAG to message a person outside the 24-hour standard messaging window
// for one narrow, non-promotional purpose (docs/platform.md, “Message tags”).
//
// The zero value means "no tag". A Tag that is not in the catalogue is not an error
// by itself; [Parse] and the policy package reject it where it matters.
type Tag string

// The tags of today's Send API reference [C: S-SendRef].
const (
	// HumanAgent lets a person at the business answer within 7 days of the person's
	// last message. It needs the Human Agent feature granted in App Review.
	HumanAgent Tag = "HUMAN_AGENT"
	// CustomerFeedback sends the customer feedback template within 7 days of the
	// person's last message; nothing else may be sent with it.
	CustomerFeedback Tag = "CUSTOMER_FEEDBACK"
	// ConfirmedEventUpdate sends reminders and changes for an event the person
	// registered for. Refused with error 100 from 2026-04-27.
	ConfirmedEventUpdate Tag = "CONFIRMED_EVENT_UPDATE"
	// PostPurchaseUpdate sends updates about a purchase the person made. Refused with
	// error 100 from 2026-04-27.
	PostPurchaseUpdate Tag = "POST_PURCHASE_UPDATE"
	// AccountUpdate sends non-recurring changes to the person's application or
	// account, and fraud alerts. One of the legacy tags, re-scoped on 2020-03-04;
	// refused with error 100 from 2026-04-27.
	AccountUpdate Tag = "ACCOUNT_UPDATE"
	// NonPromotionalSubscription sends news to people who subscribed. Since
	// 2020-03-04 only Pages in the News Page Index may use it.
	NonPromotionalSubscription Tag = "NON_PROMOTIONAL_SUBSCRIPTION"
)

// The legacy tags retired on 2020-03-04 (docs/platform.md, “Message tags”). Sixteen tags are listed by
// a maintained library [L: S-JG-Tag]; ACCOUNT_UPDATE and NON_PROMOTIONAL_SUBSCRIPTION
// survived the cut and are declared above. BusinessProductivity is the seventeenth
// and is [UNCONFIRMED].
const (
	CommunityAlert             Tag = "COMMUNITY_ALERT"
	ConfirmedEventReminder     Tag = "CONFIRMED_EVENT_REMINDER"
	PairingUpdate              Tag = "PAIRING_UPDATE"
	ApplicationUpdate          Tag = "APPLICATION_UPDATE"
	PaymentUpdate              Tag = "PAYMENT_UPDATE"
	PersonalFinanceUpdate      Tag = "PERSONAL_FINANCE_UPDATE"
	ShippingUpdate             Tag = "SHIPPING_UPDATE"
	ReservationUpdate          Tag = "RESERVATION_UPDATE"
	IssueResolution            Tag = "ISSUE_RESOLUTION"
	AppointmentUpdate          Tag = "APPOINTMENT_UPDATE"
	GameEvent                  Tag = "GAME_EVENT"
	TransportationUpdate       Tag = "TRANSPORTATION_UPDATE"
	FeatureFunctionalityUpdate Tag = "FEATURE_FUNCTIONALITY_UPDATE"
	TicketUpdate               Tag = "TICKET_UPDATE"
	BusinessProductivity       Tag = "BUSINESS_PRODUCTIVITY"
)

// String returns the tag as sent on the wire.
func (t Tag) String() string { return string(t) }

// Known reports whether t is in the catalogue: a tag that was valid at some time.
func (t Tag) Known() bool {
	_, ok := index[t]
	return ok
}

// ValidAt reports whether t is accepted by the platform at the instant at.
// It is false for tags outside the catalogue.
func (t Tag) ValidAt(at time.Time) bool {
	i, ok := index[t]
	return ok && catalogue[i].ValidAt(at)
}

// Confidence says how sure a fact is (docs/platform.md, “How sure each fact is”).
type Confidence string

// The confidence levels of docs/platform.md.
const (
	// Confirmed facts are stated in Meta's documentation.
	Confirmed Confidence = "C"
	// Library facts are encoded in a maintained client library's types.
	Library Confidence = "L"
	// ThirdParty facts come from third-party write-ups.
	ThirdParty Confidence = "T"
	// Unconfirmed facts were found in no source; they are inferences, and whatever
	// depends on them should be configurable.
	Unconfirmed Confidence = "UNCONFIRMED"
)

// Change is a dated change to a tag that did not end its validity, such as a
// re-scoping.
type Change struct {
	At         time.Time
	What       string
	Confidence Confidence
}

// Info is what the catalogue knows about one tag.
type Info struct {
	Tag Tag
	// Purpose says in one line what the tag is for.
	Purpose string
	// Allowed lists the uses the tag was meant for.
	Allowed []string
	// Prohibited lists uses that are refused or punished. Promotional content is
	// prohibited for every tag.
	Prohibited []string
	// Requires names what the Page or app needs besides the tag, "" when nothing.
	Requires string
	// Window is how long after the person's last message the tag may be used.
	// Zero means the tag is not tied to the last message: it may be used at any time
	// in an existing conversation.
	Window time.Duration
	// ValidFrom is the first instant the tag was accepted. Zero means the tag
	// predates the history this catalogue records (docs/platform.md has no date for it).
	ValidFrom time.Time
	// ValidUntil is the first instant the tag is no longer accepted; zero while it is
	// still valid.
	ValidUntil time.Time
	// Legacy is true for the tags retired on 2020-03-04.
	Legacy bool
	// Replacements are the tags to use instead once this one is retired, most
	// fitting first. Empty when the tag was retired without a tag to replace it.
	Replacements []Tag
	// ReplacementNote names replacements that are not tags (templates, paid
	// products), or says that there is none.
	ReplacementNote string
	// ReplacementConfidence is how sure the replacements are.
	ReplacementConfidence Confidence
	// Changes lists dated changes that did not end the tag's validity.
	Changes []Change
	// Confidence is how sure the tag's existence and dates are.
	Confidence Confidence
	// Sources are the source keys (docs/platform.md, “Sources”) behind this entry.
	Sources []string
}

// ValidAt reports whether the tag is accepted at the instant at: ValidFrom <= at <
// ValidUntil, with zero bounds open.
func (i Info) ValidAt(at time.Time) bool {
	if !i.ValidFrom.IsZero() && at.Before(i.ValidFrom) {
		return false
	}
	return i.ValidUntil.IsZero() || at.Before(i.ValidUntil)
}

func (i Info) clone() Info {
	i.Allowed = append([]string(nil), i.Allowed...)
	i.Prohibited = append([]string(nil), i.Prohibited...)
	i.Replacements = append([]Tag(nil), i.Replacements...)
	i.Changes = append([]Change(nil), i.Changes...)
	i.Sources = append([]string(nil), i.Sources...)
	return i
}
