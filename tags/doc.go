// Package tags is the catalogue of Messenger message tags: every tag the Send API
// ever accepted, what each is for, the window it grants, the dates it was valid, what
// replaces it and how sure the sources are.
//
// A message tag (messaging_type MESSAGE_TAG plus a tag) lets a Page message a person
// outside the 24-hour standard messaging window for one narrow, non-promotional
// purpose. The set changed on known dates, all at midnight UTC here:
//
//   - until 2020-03-04: seventeen legacy tags (SHIPPING_UPDATE, ISSUE_RESOLUTION, …),
//     usable at any time in an existing conversation. Sixteen are listed by a
//     maintained library; BUSINESS_PRODUCTIVITY is [UNCONFIRMED]. The retirement was
//     first announced for 2020-01-15 and postponed.
//   - 2019-08-29: CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE and HUMAN_AGENT (closed
//     beta) introduced beside the re-scoped ACCOUNT_UPDATE.
//   - 2020-03-04: the legacy tags retired; ACCOUNT_UPDATE survives re-scoped;
//     NON_PROMOTIONAL_SUBSCRIPTION survives for Pages in the News Page Index only.
//   - HUMAN_AGENT and CUSTOMER_FEEDBACK: within 7 days of the person's last message.
//   - 2026-04-27: CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE and ACCOUNT_UPDATE fail
//     with error 100; Meta points to Utility Message templates and the paid Marketing
//     Messages API instead.
//
// Each entry ([Info]) carries the confidence of its source in the terms of
// docs/platform.md, “How sure each fact is” ([Confirmed], [Library], [ThirdParty],
// [Unconfirmed]). The legacy→new mapping is
// third-party, not Meta's.
//
// The package is pure data and lookups: no I/O, no clock. Functions that depend on
// time take the instant as an argument. Whether a tagged message may be sent to a
// given person now (windows, approvals, templates, promotional content) is decided by
// the policy package, which builds its dated rules on the same dates.
package tags
