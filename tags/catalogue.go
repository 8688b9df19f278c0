package tags

import (
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// The dates of the catalogue, at midnight UTC (Meta announces days, not instants).
var (
	// introduced2019 is when the four new tags were announced and usable
	// [C: S-Policy, S-Blog-2020-03-04].
	introduced2019 = day(2019, 8, 29)
	// firstCutover2020 is the date first announced for the 2020 cut, later postponed.
	firstCutover2020 = day(2020, 1, 15)
	// cutover2020 is when the legacy tags were retired and subscription messaging
	// was limited to news Pages [C: S-Blog-2020-03-04, S-Policy].
	cutover2020 = day(2020, 3, 4)
	// killed2026 is when CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE and
	// ACCOUNT_UPDATE started failing with error 100 [C: S-SendRef, S-SendMsg].
	killed2026 = day(2026, 4, 27)
	// research2026 dates the third-party note that CUSTOMER_FEEDBACK left the newest
	// documentation.
	research2026 = day(2026, 7, 12)
)

const (
	weekWindow = 7 * 24 * time.Hour

	noPromotion    = "promotional content of any kind (offers, discounts, upsell, cross-sell, product announcements)"
	note2026       = "no tag: Utility Message templates (messaging_type UTILITY) for transactional updates, or the paid Marketing Messages API"
	noReplacement  = "none: retired without a replacement"
	legacyPurpose  = "legacy tag retired on 2020-03-04"
	legacySrc      = "S-JG-Tag"
	mappingSrc     = "S-Amio"
	policySrc      = "S-Policy"
	announcementSr = "S-Blog-2020-03-04"
)

// catalogue holds every tag ever valid: today's tags first, then
// NON_PROMOTIONAL_SUBSCRIPTION, then the retired legacy tags in alphabetical order.
// It is never modified; lookups hand out copies.
var catalogue = []Info{
	{
		Tag:     HumanAgent,
		Purpose: "a human agent answers the person's question outside the 24-hour window",
		Allowed: []string{
			"a reply written by a person at the business to an issue the person raised",
			"follow-ups on that issue that need more time than the 24-hour window",
		},
		Prohibited: []string{
			"automated or bot-written messages",
			"messages unrelated to the person's question",
			noPromotion,
		},
		Requires:   "the Human Agent feature, granted in App Review (and business verification)",
		Window:     weekWindow,
		ValidFrom:  introduced2019,
		Confidence: Confirmed,
		Changes: []Change{
			{At: introduced2019, What: "introduced as a closed beta", Confidence: Confirmed},
			{At: cutover2020, What: "available to approved apps as part of the four-tag set", Confidence: Confirmed},
		},
		ReplacementNote: "still valid",
		Sources:         []string{"S-SendRef", "S-Tags", policySrc},
	},
	{
		Tag:     CustomerFeedback,
		Purpose: "ask for feedback with the customer feedback template",
		Allowed: []string{
			"the customer_feedback template about an interaction in the last 7 days",
		},
		Prohibited: []string{
			"any message that is not the customer_feedback template",
			noPromotion,
		},
		Requires:   "the customer_feedback template",
		Window:     weekWindow,
		Confidence: Confirmed,
		Changes: []Change{
			{At: research2026, What: "reported missing from the newest documentation", Confidence: ThirdParty},
		},
		ReplacementNote: "still valid",
		Sources:         []string{"S-SendRef", "S-CFT"},
	},
	{
		Tag:     ConfirmedEventUpdate,
		Purpose: "reminders and updates for an event the person registered for",
		Allowed: []string{
			"a reminder of an upcoming class, appointment or event the person scheduled",
			"confirmation of the person's registration or reservation",
			"a change to the event: cancelled, rescheduled, new time or place",
		},
		Prohibited: []string{
			"events the person did not register for",
			"recurring digests or newsletters",
			noPromotion,
		},
		ValidFrom:             introduced2019,
		ValidUntil:            killed2026,
		ReplacementNote:       note2026,
		ReplacementConfidence: ThirdParty,
		Confidence:            Confirmed,
		Sources:               []string{"S-SendRef", "S-SendMsg", policySrc, "S-Research-2026"},
	},
	{
		Tag:     PostPurchaseUpdate,
		Purpose: "updates about a purchase the person made",
		Allowed: []string{
			"confirmation of a transaction: receipt, invoice",
			"order status: shipped, in transit, delivered, delayed",
			"an order problem that needs the person to act: card declined, item back-ordered",
		},
		Prohibited: []string{
			"cart abandonment reminders",
			"upsell, cross-sell, coupons",
			noPromotion,
		},
		ValidFrom:             introduced2019,
		ValidUntil:            killed2026,
		ReplacementNote:       note2026,
		ReplacementConfidence: ThirdParty,
		Confidence:            Confirmed,
		Sources:               []string{"S-SendRef", "S-SendMsg", policySrc, "S-Research-2026"},
	},
	{
		Tag:     AccountUpdate,
		Purpose: "a non-recurring change to the person's application or account",
		Allowed: []string{
			"a change in the status of an application (credit card, job)",
			"notice of suspicious activity on the account, fraud alerts",
		},
		Prohibited: []string{
			"recurring content: statements, newsletters",
			"invitations to apply for new products",
			noPromotion,
		},
		ValidUntil: killed2026,
		Changes: []Change{
			{At: cutover2020, What: "survived the legacy cut, re-scoped to account and application changes", Confidence: Confirmed},
		},
		ReplacementNote:       note2026,
		ReplacementConfidence: ThirdParty,
		Confidence:            Confirmed,
		Sources:               []string{"S-SendRef", "S-SendMsg", legacySrc, policySrc, "S-Research-2026"},
	},
	{
		Tag:     NonPromotionalSubscription,
		Purpose: "news messages to people who subscribed to them",
		Allowed: []string{
			"news updates from a Page in the News Page Index (since 2020-03-04)",
			"before 2020-03-04: regular non-promotional content people subscribed to",
		},
		Prohibited: []string{
			"use by Pages outside the News Page Index (since 2020-03-04)",
			noPromotion,
		},
		Requires: "registration in the News Page Index (News Messaging permission) since 2020-03-04",
		Changes: []Change{
			{At: cutover2020, What: "limited to Pages registered in the News Page Index", Confidence: Confirmed},
		},
		ReplacementNote: "still valid for news Pages",
		Confidence:      Confirmed,
		Sources:         []string{policySrc, "S-Errors", legacySrc, "S-ShopPop"},
	},
	legacy(ApplicationUpdate, "the status of an application the person submitted", ThirdParty, AccountUpdate),
	legacy(AppointmentUpdate, "changes to an appointment the person booked", ThirdParty, ConfirmedEventUpdate),
	legacy(CommunityAlert, "safety or emergency alerts for the person's community", ThirdParty),
	legacy(ConfirmedEventReminder, "reminders for an event the person registered for", ThirdParty, ConfirmedEventUpdate),
	legacy(FeatureFunctionalityUpdate, "news about a feature of the bot the person uses", ThirdParty),
	legacy(GameEvent, "progress and events in a game the person plays", ThirdParty),
	legacy(IssueResolution, "follow-up on an issue the person raised", ThirdParty, AccountUpdate, HumanAgent),
	legacy(PairingUpdate, "pairing the person's Messenger account with a device or service", ThirdParty),
	legacy(PaymentUpdate, "the status of a payment the person made", ThirdParty, PostPurchaseUpdate),
	legacy(PersonalFinanceUpdate, "changes to the person's financial accounts", ThirdParty, AccountUpdate),
	legacy(ReservationUpdate, "changes to a reservation the person made", ThirdParty, PostPurchaseUpdate),
	legacy(ShippingUpdate, "the shipping status of a product the person bought", ThirdParty, PostPurchaseUpdate),
	legacy(TicketUpdate, "changes to a ticket the person bought", ThirdParty, ConfirmedEventUpdate),
	legacy(TransportationUpdate, "changes to a trip the person booked", ThirdParty, ConfirmedEventUpdate),
	func() Info {
		i := legacy(BusinessProductivity, "non-promotional messages from productivity tools the person uses", Unconfirmed)
		i.Confidence = Unconfirmed
		i.Sources = []string{"docs/platform.md, “Message tags”: the seventeenth legacy tag, found in no source"}
		return i
	}(),
}

// legacy builds the entry of a tag retired on 2020-03-04. The uses paraphrase
// Meta's 2018–2019 documentation and are third-party strength; the replacements
// follow a third-party mapping [T: S-Amio] (docs/platform.md, “Message tags”).
func legacy(t Tag, purpose string, mapping Confidence, replacements ...Tag) Info {
	i := Info{
		Tag:                   t,
		Purpose:               legacyPurpose + ": " + purpose,
		Allowed:               []string{purpose},
		Prohibited:            []string{noPromotion},
		ValidUntil:            cutover2020,
		Legacy:                true,
		Replacements:          replacements,
		ReplacementConfidence: mapping,
		Confidence:            Library,
		Changes: []Change{
			{At: firstCutover2020, What: "first announced retirement date, postponed to 2020-03-04", Confidence: Confirmed},
		},
		Sources: []string{legacySrc, policySrc, announcementSr},
	}
	if len(replacements) == 0 {
		i.ReplacementNote = noReplacement
	} else {
		i.Sources = append(i.Sources, mappingSrc)
	}
	return i
}

// index maps each tag to its position in catalogue.
var index = func() map[Tag]int {
	m := make(map[Tag]int, len(catalogue))
	for i, info := range catalogue {
		m[info.Tag] = i
	}
	return m
}()
