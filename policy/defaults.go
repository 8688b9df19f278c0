package policy

import (
	"time"

	"github.com/gomessenger/messenger/tags"
)

// Ids of the decisions that refuse bad input rather than apply a rule. Decisions
// with them have [Decision.BadInput] true.
const (
	inputPrefix = "input."
	// RuleInputNow: now is zero (or past year 9999).
	RuleInputNow = "input.now"
	// RuleInputMessagingType: the messaging type is not one the rules know.
	RuleInputMessagingType = "input.messaging_type"
	// RuleInputRecipient: the recipient kind is not one the rules know.
	RuleInputRecipient = "input.recipient"
	// RuleInputTag: an unknown tag, a tag without MESSAGE_TAG, or MESSAGE_TAG
	// without a tag.
	RuleInputTag = "input.tag"
	// RuleInputConversation: a conversation time after now, or a negative count or
	// frequency.
	RuleInputConversation = "input.conversation"
	// RuleNone: no rule in force matches the request, so nothing allows it.
	RuleNone = "none"
)

// Ids of the default rules, for [Rules.Rule], [Rules.Edit], [Rules.Move],
// [Rules.SetWindow] and [Rules.SetError].
const (
	// RuleMessagingTypeRequired refuses PSID, user_ref and phone sends without a
	// messaging_type from 2018-05-07.
	RuleMessagingTypeRequired = "messaging_type.required"
	// RuleTagsNotPromotional refuses promotional content under any tag.
	RuleTagsNotPromotional = "tags.not_promotional"
	// RuleLegacyTagsRetired refuses the legacy tags from 2020-03-04.
	RuleLegacyTagsRetired = "tags.legacy_retired"
	// RuleTags2026Retired refuses CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE and
	// ACCOUNT_UPDATE from 2026-04-27.
	RuleTags2026Retired = "tags.2026_retired"
	// RuleRecurringDiscontinued refuses recurring-notification tokens from
	// 2026-02-10 outside the exempt regions [T]; the date is a parameter (Move).
	RuleRecurringDiscontinued = "token.recurring_discontinued"
	// RulePrivateReplyTextOnly refuses templates in private replies before
	// 2019-09-30.
	RulePrivateReplyTextOnly = "private_reply.text_only"

	// RuleStandardWindow allows RESPONSE and UPDATE within 24 hours of the person's
	// last action; outside it Graph answers 10/2018278 (10/2534022 is also
	// documented: SetError switches).
	RuleStandardWindow = "window.standard"
	// RuleAdWindow allows RESPONSE and UPDATE within a longer window after a first
	// message from a Click-to-Messenger ad. Its length, 72 hours by default, is
	// [UNCONFIRMED]: SetWindow changes it.
	RuleAdWindow = "window.ad"
	// Rule24Plus1 allows one more message after the standard window closed, until
	// 2020-03-04.
	Rule24Plus1 = "window.24plus1"
	// RuleHumanAgent allows HUMAN_AGENT within 7 days of the person's last message,
	// with HumanAgentApproved.
	RuleHumanAgent = "tag.human_agent"
	// RuleCustomerFeedback allows CUSTOMER_FEEDBACK within 7 days of the person's
	// last message, with the customer feedback template only.
	RuleCustomerFeedback = "tag.customer_feedback"
	// RuleLegacyTags allows the legacy tags at any time in an existing conversation;
	// RuleLegacyTagsRetired ends them.
	RuleLegacyTags = "tag.legacy"
	// RuleAccountUpdate allows ACCOUNT_UPDATE at any time in an existing
	// conversation; RuleTags2026Retired ends it.
	RuleAccountUpdate = "tag.account_update"
	// RuleUpdateTags allows CONFIRMED_EVENT_UPDATE and POST_PURCHASE_UPDATE from
	// 2019-08-29; RuleTags2026Retired ends them.
	RuleUpdateTags = "tag.update"
	// RuleSubscription allows NON_PROMOTIONAL_SUBSCRIPTION for any Page until
	// 2020-03-04.
	RuleSubscription = "tag.subscription"
	// RuleNewsMessaging allows NON_PROMOTIONAL_SUBSCRIPTION for News Page Index
	// Pages from 2020-03-04.
	RuleNewsMessaging = "tag.news"
	// RuleOneTimeToken allows one message per one-time notification token within a
	// year of its issue, regardless of the window.
	RuleOneTimeToken = "token.one_time"
	// RuleRecurringToken allows recurring-notification sends until the token
	// expires, spaced by its frequency.
	RuleRecurringToken = "token.recurring"
	// RulePrivateReply allows one private reply to a comment or visitor post within
	// 7 days of its creation. Graph's code for a late reply is unsure (100/2018292
	// or 100/2534025): SetError switches.
	RulePrivateReply = "private_reply"
	// RuleUtility allows messaging type UTILITY with an approved utility template in
	// an existing conversation [T]; its start date is [UNCONFIRMED].
	RuleUtility = "utility.template"
	// RulePhone allows phone-number recipients to apps with
	// pages_messaging_phone_number.
	RulePhone = "recipient.phone"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// The dates of the default timeline, at midnight UTC: Meta announces days.
var (
	messagingTypeRequired = day(2018, 5, 7)
	tags2019              = day(2019, 8, 29)
	privateReplyAnyType   = day(2019, 9, 30)
	policy2020            = day(2020, 3, 4)
	recurringDiscontinued = day(2026, 2, 10)
	utilityDocumented     = day(2026, 3, 27)
	tagsKilled2026        = day(2026, 4, 27)
)

const (
	day1  = 24 * time.Hour
	days7 = 7 * day1
	// adWindow is the default length of the Click-to-Messenger window [UNCONFIRMED].
	adWindow = 72 * time.Hour
)

// Graph error codes the default rules answer (docs/platform.md, “Private replies”, “Recurring notifications”, “Errors”).
const (
	codeInvalidParameter = 100
	codePermission       = 10
	subOutsideWindow     = 2018278
	subNewsMessaging     = 2018065
	subUserStopped       = 1893015
	codeThrottled        = 4
	subMinimumDelay      = 2018354
	codeAbusiveTag       = 613
	subAbusiveTag        = 2018338
	codeAlreadyReplied   = 10900
	subInvalidCommentID  = 2018292
	codePermissionDenied = 200
	subPhonePermission   = 2018027
)

var (
	conversational = []RecipientKind{PSID, UserRef}
	windowTypes    = []MessagingType{Response, Update, Omitted}
	tagTypes       = []MessagingType{MessageTag, Omitted}
	tokenTypes     = []MessagingType{Response, Update, Omitted}
	legacyRetired  = []tags.Tag{
		tags.ApplicationUpdate, tags.AppointmentUpdate, tags.BusinessProductivity, tags.CommunityAlert,
		tags.ConfirmedEventReminder, tags.FeatureFunctionalityUpdate, tags.GameEvent, tags.IssueResolution,
		tags.PairingUpdate, tags.PaymentUpdate, tags.PersonalFinanceUpdate, tags.ReservationUpdate,
		tags.ShippingUpdate, tags.TicketUpdate, tags.TransportationUpdate,
	}
	killed2026 = []tags.Tag{tags.ConfirmedEventUpdate, tags.PostPurchaseUpdate, tags.AccountUpdate}
)

// inConversation fails tags and utility sends to a person who never acted in the
// conversation: they only continue an existing one.
func inConversation() Condition {
	return IsSet(AnchorLastUserAction).Because("the person never messaged the Page, so there is no conversation to continue")
}

// defaultTimeline builds the default rules afresh: Refuse rules first, then Allow
// rules with the most common first (its failure explains a refusal best).
func defaultTimeline() []Rule {
	return []Rule{
		{
			ID:         RuleMessagingTypeRequired,
			Summary:    "messaging_type is required since 2018-05-07 (MESSAGE_TAG for a tag)",
			From:       messagingTypeRequired,
			Effect:     Refuse,
			Match:      Match{MessagingTypes: []MessagingType{Omitted}, Recipients: []RecipientKind{PSID, UserRef, Phone}},
			ErrorCode:  codeInvalidParameter,
			Source:     "docs/platform.md, “Send API”, “Messaging types” [C: S-SendRef]; date from Meta's 2018 announcement, error code [UNCONFIRMED]",
			Confidence: tags.Confirmed,
		},
		{
			ID:           RuleTagsNotPromotional,
			Summary:      "message tags may not carry promotional content",
			Effect:       Refuse,
			Match:        Match{Tagged: true},
			Conditions:   []Condition{FlagIs(FlagPromotional, true).Because("the message is promotional (Promotional is true)")},
			ErrorCode:    codeAbusiveTag,
			ErrorSubcode: subAbusiveTag,
			Source:       "docs/platform.md, “Messaging types”, “The 24-hour window” [C: S-SendRef, S-SendMsg]; Graph flags tag misuse with 613/2018338 and policy enforcement, not always at send time",
			Confidence:   tags.Confirmed,
		},
		{
			ID:         RuleLegacyTagsRetired,
			Summary:    "the legacy message tags were retired on 2020-03-04",
			From:       policy2020,
			Effect:     Refuse,
			Match:      Match{Tags: legacyRetired},
			ErrorCode:  codeInvalidParameter,
			Source:     "docs/platform.md, “Message tags”, “The 24-hour window” [C: S-Policy, S-Blog-2020-03-04]; error code [UNCONFIRMED]",
			Confidence: tags.Confirmed,
		},
		{
			ID:         RuleTags2026Retired,
			Summary:    "CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE and ACCOUNT_UPDATE fail with error 100 since 2026-04-27",
			From:       tagsKilled2026,
			Effect:     Refuse,
			Match:      Match{Tags: killed2026},
			ErrorCode:  codeInvalidParameter,
			Source:     "docs/platform.md, “Message tags” [C: S-SendRef, S-SendMsg]",
			Confidence: tags.Confirmed,
		},
		{
			ID:         RuleRecurringDiscontinued,
			Summary:    "free recurring notifications were discontinued on 2026-02-10 outside AU, EU, JP, KR and UK; the paid Marketing Messages API replaces them",
			From:       recurringDiscontinued,
			Effect:     Refuse,
			Match:      Match{Recipients: []RecipientKind{RecurringToken}},
			Conditions: []Condition{FlagIs(FlagRecurringExemptRegion, false).Because("the person is not in an exempt region (RecurringExemptRegion is false)")},
			ErrorCode:  codeInvalidParameter,
			Source:     "docs/platform.md, “Recurring notifications” [T: S-Research-2026 citing Meta's FAQ]; deprecated 2026-01-12",
			Confidence: tags.ThirdParty,
		},
		{
			ID:         RulePrivateReplyTextOnly,
			Summary:    "private replies could only be text before 2019-09-30",
			Until:      privateReplyAnyType,
			Effect:     Refuse,
			Match:      Match{Recipients: []RecipientKind{Comment, Post}},
			Conditions: []Condition{AnyTemplate()},
			ErrorCode:  codeInvalidParameter,
			Source:     "docs/platform.md, “Private replies” [C: S-PR-2019]; error code [UNCONFIRMED]",
			Confidence: tags.Confirmed,
		},

		{
			ID:           RuleStandardWindow,
			Summary:      "RESPONSE and UPDATE are allowed within 24 hours of the person's last message or action",
			Effect:       Allow,
			Match:        Match{MessagingTypes: windowTypes, Recipients: conversational},
			Conditions:   []Condition{Within(AnchorLastUserAction, day1)},
			ErrorCode:    codePermission,
			ErrorSubcode: subOutsideWindow,
			Source:       "docs/platform.md, “Messaging types”, “The 24-hour window”, “Errors” [C: S-SendRef, S-SendMsg, S-Errors]",
			Confidence:   tags.Confirmed,
		},
		{
			ID:           RuleAdWindow,
			Summary:      "RESPONSE and UPDATE are allowed for a longer window after the person's first message from a Click-to-Messenger ad",
			Effect:       Allow,
			Match:        Match{MessagingTypes: windowTypes, Recipients: conversational},
			Conditions:   []Condition{Within(AnchorAdReferral, adWindow)},
			ErrorCode:    codePermission,
			ErrorSubcode: subOutsideWindow,
			Source:       "docs/platform.md, “The 24-hour window” item 3 [C: an ad click then a message opens the window]; the 72-hour length is [UNCONFIRMED]",
			Confidence:   tags.Unconfirmed,
		},
		{
			ID:      Rule24Plus1,
			Summary: `one more message was allowed after the 24-hour window closed (the "24 + 1" rule) until 2020-03-04`,
			Until:   policy2020,
			Effect:  Allow,
			Match:   Match{MessagingTypes: windowTypes, Recipients: conversational},
			Conditions: []Condition{
				WindowClosed(AnchorLastUserAction, day1),
				FewerAfterWindow(1).Because("the Page already sent its one message after the window closed"),
			},
			ErrorCode:    codePermission,
			ErrorSubcode: subOutsideWindow,
			Source:       "docs/platform.md, “The 24-hour window” [C: S-Policy, S-Blog-2020-03-04; T: S-Recart, S-Intelepeer]",
			Confidence:   tags.Confirmed,
		},
		{
			ID:      RuleHumanAgent,
			Summary: "HUMAN_AGENT is allowed within 7 days of the person's last message, written by a person, for apps approved for Human Agent",
			From:    tags2019,
			Effect:  Allow,
			Match:   Match{MessagingTypes: tagTypes, Recipients: conversational, Tags: []tags.Tag{tags.HumanAgent}},
			Conditions: []Condition{
				FlagIs(FlagHumanAgentApproved, true).WithError(codePermission, 0).
					Because("HumanAgentApproved is false: HUMAN_AGENT needs the Human Agent feature from App Review and a reply written by a person"),
				Within(AnchorLastUserMessage, days7),
			},
			ErrorCode:    codePermission,
			ErrorSubcode: subOutsideWindow,
			Source:       "docs/platform.md, “Message tags”, “The 24-hour window” [C: S-SendRef, S-Tags]; the permission error code is [UNCONFIRMED]",
			Confidence:   tags.Confirmed,
		},
		{
			ID:     RuleCustomerFeedback,
			Effect: Allow,
			Summary: "CUSTOMER_FEEDBACK is allowed within 7 days of the person's last message, " +
				"with the customer feedback template only",
			Match: Match{MessagingTypes: tagTypes, Recipients: conversational, Tags: []tags.Tag{tags.CustomerFeedback}},
			Conditions: []Condition{
				TemplateIs(CustomerFeedbackTemplate).WithError(codeInvalidParameter, 0),
				Within(AnchorLastUserMessage, days7),
			},
			ErrorCode:    codePermission,
			ErrorSubcode: subOutsideWindow,
			Source:       "docs/platform.md, “Message tags”, “Templates” [C: S-SendRef, S-CFT]; its start date is [UNCONFIRMED]",
			Confidence:   tags.Confirmed,
		},
		{
			ID:           RuleLegacyTags,
			Summary:      "the legacy message tags are allowed at any time in an existing conversation, for their use only",
			Effect:       Allow,
			Match:        Match{MessagingTypes: tagTypes, Recipients: conversational, Tags: legacyRetired},
			Conditions:   []Condition{inConversation()},
			ErrorCode:    codePermission,
			ErrorSubcode: subOutsideWindow,
			Source:       "docs/platform.md, “Message tags” [L: S-JG-Tag; C: S-Policy]",
			Confidence:   tags.Library,
		},
		{
			ID:           RuleAccountUpdate,
			Summary:      "ACCOUNT_UPDATE is allowed at any time in an existing conversation, for account and application changes only",
			Effect:       Allow,
			Match:        Match{MessagingTypes: tagTypes, Recipients: conversational, Tags: []tags.Tag{tags.AccountUpdate}},
			Conditions:   []Condition{inConversation()},
			ErrorCode:    codePermission,
			ErrorSubcode: subOutsideWindow,
			Source:       "docs/platform.md, “Message tags” [C: S-SendRef, S-Policy; L: S-JG-Tag]",
			Confidence:   tags.Confirmed,
		},
		{
			ID:           RuleUpdateTags,
			Summary:      "CONFIRMED_EVENT_UPDATE and POST_PURCHASE_UPDATE are allowed at any time in an existing conversation, for their use only",
			From:         tags2019,
			Effect:       Allow,
			Match:        Match{MessagingTypes: tagTypes, Recipients: conversational, Tags: []tags.Tag{tags.ConfirmedEventUpdate, tags.PostPurchaseUpdate}},
			Conditions:   []Condition{inConversation()},
			ErrorCode:    codePermission,
			ErrorSubcode: subOutsideWindow,
			Source:       "docs/platform.md, “Message tags” [C: S-SendRef, S-Policy, S-Blog-2020-03-04]",
			Confidence:   tags.Confirmed,
		},
		{
			ID:           RuleSubscription,
			Summary:      "NON_PROMOTIONAL_SUBSCRIPTION was allowed for subscribed, non-promotional content until 2020-03-04",
			Until:        policy2020,
			Effect:       Allow,
			Match:        Match{MessagingTypes: tagTypes, Recipients: conversational, Tags: []tags.Tag{tags.NonPromotionalSubscription}},
			Conditions:   []Condition{inConversation()},
			ErrorCode:    codePermission,
			ErrorSubcode: subOutsideWindow,
			Source:       "docs/platform.md, “Message tags” [L: S-JG-Tag, S-MAPI-Types; C: S-Policy]",
			Confidence:   tags.Library,
		},
		{
			ID:      RuleNewsMessaging,
			Summary: "NON_PROMOTIONAL_SUBSCRIPTION is allowed since 2020-03-04 only for Pages in the News Page Index",
			From:    policy2020,
			Effect:  Allow,
			Match:   Match{MessagingTypes: tagTypes, Recipients: conversational, Tags: []tags.Tag{tags.NonPromotionalSubscription}},
			Conditions: []Condition{
				FlagIs(FlagNewsPage, true).Because("the Page is not in the News Page Index (NewsPage is false)"),
				inConversation().WithError(codePermission, subOutsideWindow),
			},
			ErrorCode:    codePermission,
			ErrorSubcode: subNewsMessaging,
			Source:       "docs/platform.md, “Message tags”, “Errors” [C: S-Policy, S-Errors 10/2018065]",
			Confidence:   tags.Confirmed,
		},
		{
			ID:      RuleOneTimeToken,
			Summary: "a one-time notification token allows one message within a year of its issue, regardless of the window",
			Effect:  Allow,
			Match:   Match{MessagingTypes: tokenTypes, Recipients: []RecipientKind{OTNToken}},
			Conditions: []Condition{
				FlagIs(FlagTokenUsed, false).Because("the one-time token was already used (TokenUsed is true)"),
				WithinYears(AnchorTokenIssued, 1),
				Before(AnchorTokenExpires).OrUnset(),
			},
			ErrorCode:  codeInvalidParameter,
			Source:     "docs/platform.md, “One-time notifications” [C: S-OTN]; the error code for a used or expired token is [UNCONFIRMED]",
			Confidence: tags.Confirmed,
		},
		{
			ID:      RuleRecurringToken,
			Summary: "a recurring notification token allows messages until it expires, no closer together than its frequency",
			Effect:  Allow,
			Match:   Match{MessagingTypes: tokenTypes, Recipients: []RecipientKind{RecurringToken}},
			Conditions: []Condition{
				FlagIs(FlagTokenStopped, false).WithError(codePermission, subUserStopped).
					Because("the person stopped these notifications (TokenStopped is true)"),
				Before(AnchorTokenExpires),
				Spaced(AnchorTokenLastUsed, 0).WithError(codeThrottled, subMinimumDelay),
			},
			ErrorCode:  codeInvalidParameter,
			Source:     "docs/platform.md, “Recurring notifications”, “Errors” [C: S-WH-optins, S-Errors; T: S-Blip-RN, S-Kogno]",
			Confidence: tags.Confirmed,
		},
		{
			ID:      RulePrivateReply,
			Summary: "one private reply is allowed per comment or visitor post, within 7 days of its creation",
			Effect:  Allow,
			Match:   Match{Recipients: []RecipientKind{Comment, Post}},
			Conditions: []Condition{
				FlagIs(FlagPrivateReplySent, false).WithError(codeAlreadyReplied, 0).
					Because("the Page already sent its one private reply (PrivateReplySent is true)"),
				Within(AnchorCommentCreated, days7),
			},
			ErrorCode:    codeInvalidParameter,
			ErrorSubcode: subInvalidCommentID,
			Source:       "docs/platform.md, “Private replies” [C: S-PR, S-PageMessages 10900]; the code for a late reply (2018292 or 2534025) is [UNCONFIRMED]",
			Confidence:   tags.Confirmed,
		},
		{
			ID:      RuleUtility,
			Summary: "UTILITY sends an approved utility message template in an existing conversation, never promotional",
			From:    utilityDocumented,
			Effect:  Allow,
			Match:   Match{MessagingTypes: []MessagingType{Utility}, Recipients: conversational},
			Conditions: []Condition{
				TemplateIs(UtilityTemplate).Because(`UTILITY needs an approved utility template (Template "utility")`),
				FlagIs(FlagPromotional, false).Because("utility messages may not be promotional (Promotional is true)"),
				inConversation().WithError(codePermission, subOutsideWindow),
			},
			ErrorCode:  codeInvalidParameter,
			Source:     "docs/platform.md, “Send API”, “Message tags” [C: S-PageMessages enum; T: S-Research-2026 citing the 2026-03-27 changelog]; start date [UNCONFIRMED]",
			Confidence: tags.ThirdParty,
		},
		{
			ID:           RulePhone,
			Summary:      "phone-number recipients need pages_messaging_phone_number (Customer Matching)",
			Effect:       Allow,
			Match:        Match{MessagingTypes: []MessagingType{Response, Update, Omitted}, Recipients: []RecipientKind{Phone}},
			Conditions:   []Condition{FlagIs(FlagPhoneNumberApproved, true).Because("the app lacks pages_messaging_phone_number (PhoneNumberApproved is false)")},
			ErrorCode:    codePermissionDenied,
			ErrorSubcode: subPhonePermission,
			Source:       "docs/platform.md, “Recipients”, “Errors” [C: S-SendOld, S-Errors 200/2018027]",
			Confidence:   tags.Confirmed,
		},
	}
}
