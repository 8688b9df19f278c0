// Package policy answers "may this message go to this person now?" for the
// Messenger Platform: allowed or not, by which rule, until when, what Graph would
// answer if it were sent anyway, and what would be allowed instead.
//
// It is pure: no I/O and no clock of its own. The caller passes what it knows about
// the message ([Request]), about the person, comment or token it goes to
// ([Conversation]) and the instant to judge at; [Check] returns a [Decision]. The
// same arguments always give the same decision, so a host can answer for any
// instant, past or future, and test its own code by moving now.
//
//	d := policy.Check(policy.Request{MessagingType: policy.Response},
//		policy.Conversation{LastUserMessage: lastMsg}, time.Now())
//	if !d.Allowed {
//		log.Printf("%s (Graph would answer %d/%d); try %+v", d.Reason, d.ErrorCode, d.ErrorSubcode, d.Alternatives)
//	}
//
// # The model
//
// Meta's rules are data: a timeline of [Rule] values, each in force over a date
// range, selecting requests by messaging type, recipient kind and tag ([Match]),
// with [Condition] values that test the conversation (windows counted from an
// [Anchor], flags, templates), the Graph error it answers and the source and
// confidence behind it. Refuse rules veto; Allow rules grant a permission until
// their earliest deadline. A permission also lapses when a Refuse rule ahead comes
// into force, so Until is right across Meta's dated changes.
//
// Windows are measured in elapsed time, never in wall-clock dates, so time zones
// and daylight-saving changes do not move them: 24 hours after a message at 12:00
// New York time on the eve of the spring change ends at 13:00 the next day there.
// Every window is half-open: a message exactly 24 hours after the person's last one
// is outside. One year (one-time tokens) is a calendar year counted in UTC.
//
// # The default timeline
//
// [Default] holds the rules of docs/platform.md (“Messaging types”, “Message tags”,
// “Private replies”, “One-time notifications”, “The 24-hour window”), all dates at
// midnight UTC:
//
//   - always: RESPONSE and UPDATE within 24 hours of the person's last message or
//     action ([RuleStandardWindow]); outside it Graph answers 10/2018278.
//   - always: a longer window after a first message from a Click-to-Messenger ad
//     ([RuleAdWindow]), 72 hours by default; the length is [UNCONFIRMED].
//   - always: no promotional content under any tag ([RuleTagsNotPromotional]).
//   - always: one private reply per comment or visitor post within 7 days of it
//     ([RulePrivateReply]); a second one fails with 10900; templates only from
//     2019-09-30 ([RulePrivateReplyTextOnly]).
//   - always: one message per one-time notification token, within a year of its
//     issue, regardless of the window ([RuleOneTimeToken]).
//   - always: recurring notification tokens until they expire, spaced by their
//     frequency ([RuleRecurringToken]); discontinued on 2026-02-10 outside AU, EU,
//     JP, KR and UK ([RuleRecurringDiscontinued], a third-party date).
//   - 2018-05-07: messaging_type required ([RuleMessagingTypeRequired]).
//   - 2019-08-29: HUMAN_AGENT (7 days after the person's last message, approved
//     apps, human-written), CONFIRMED_EVENT_UPDATE and POST_PURCHASE_UPDATE.
//   - until 2020-03-04: the legacy tags ([RuleLegacyTags]), NON_PROMOTIONAL_SUBSCRIPTION
//     for any Page and the "24 + 1" rule: one more message after the window closed
//     ([Rule24Plus1]; Conversation.MessagesAfterWindow counts it).
//   - 2020-03-04: legacy tags refused with their replacement named
//     ([RuleLegacyTagsRetired]); NON_PROMOTIONAL_SUBSCRIPTION for News Page Index
//     Pages only ([RuleNewsMessaging], 10/2018065).
//   - CUSTOMER_FEEDBACK: 7 days after the person's last message, with the customer
//     feedback template only ([RuleCustomerFeedback]).
//   - 2026-03-27: UTILITY with an approved utility template ([RuleUtility]; third
//     party, start date [UNCONFIRMED]).
//   - 2026-04-27: CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE and ACCOUNT_UPDATE
//     refused with error 100 ([RuleTags2026Retired]); Meta points to utility
//     templates and the Marketing Messages API.
//
// # Changing the rules
//
// When Meta changes a rule again, or the host knows better than docs/platform.md,
// adjust a copy instead of forking:
//
//	rules := policy.Default()
//	rules.SetWindow(policy.RuleAdWindow, 7*24*time.Hour)        // an uncertain length
//	rules.SetError(policy.RuleStandardWindow, 10, 2534022)     // an uncertain code
//	rules.Move(policy.RuleRecurringDiscontinued, newDate, time.Time{}) // a moved date
//	rules.Add(policy.Rule{ID: "acme.quiet_hours", ...})         // a rule of your own
//	d := rules.Check(req, conv, now)
//
// The package-level [Check] always uses the unmodified defaults.
//
// # Bad input
//
// A zero now, an unknown messaging type, recipient kind or tag, a tag without
// MESSAGE_TAG, MESSAGE_TAG without a tag, or a conversation time after now is
// refused, never allowed by default and never a panic; the reason names the field
// and the value, and [Decision.BadInput] reports it.
package policy
