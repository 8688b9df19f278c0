package messengertest

import (
	"time"
)

// Dates the platform's rules changed (reference §1.5, §12).
var (
	legacyTagsEnd  = time.Date(2020, 3, 4, 0, 0, 0, 0, time.UTC)
	utilityTagsEnd = time.Date(2026, 4, 27, 0, 0, 0, 0, time.UTC)
)

var legacyTags = map[string]bool{
	"COMMUNITY_ALERT": true, "CONFIRMED_EVENT_REMINDER": true, "PAIRING_UPDATE": true,
	"APPLICATION_UPDATE": true, "PAYMENT_UPDATE": true, "PERSONAL_FINANCE_UPDATE": true,
	"SHIPPING_UPDATE": true, "RESERVATION_UPDATE": true, "ISSUE_RESOLUTION": true,
	"APPOINTMENT_UPDATE": true, "GAME_EVENT": true, "TRANSPORTATION_UPDATE": true,
	"FEATURE_FUNCTIONALITY_UPDATE": true, "TICKET_UPDATE": true, "BUSINESS_PRODUCTIVITY": true,
}

// judge decides whether Graph would deliver an otherwise valid send now: windows,
// tags and their dates, one-time tokens, private replies. The caller holds s.mu.
func (s *Server) judge(req *sendRequest, t target, now time.Time) *graphError {
	switch {
	case t.token != nil:
		if t.token.used {
			return errParam("Param recipient[one_time_notif_token] was already used: a one-time notification token allows one message")
		}
		if now.Sub(t.token.issued) > 365*24*time.Hour {
			return errParam("Param recipient[one_time_notif_token] expired (tokens live one year)")
		}
		return nil
	case t.comment != nil:
		if t.comment.replied {
			return errAlreadyReplied()
		}
		if now.Sub(t.comment.created) > 7*24*time.Hour {
			return errInvalidComment(req.recipientKind)
		}
		return nil
	case t.user == nil:
		return nil
	}
	u := t.user
	switch req.messagingType {
	case "MESSAGE_TAG":
		return checkTag(req.tag, u, now)
	case "UTILITY":
		return nil
	}
	// RESPONSE, UPDATE and sender actions need the standard 24-hour window.
	if u.lastAction.IsZero() || now.Sub(u.lastAction) > 24*time.Hour {
		return errOutsideWindow()
	}
	return nil
}

func checkTag(tag string, u *userState, now time.Time) *graphError {
	within := func(d time.Duration) bool {
		return !u.lastMessage.IsZero() && now.Sub(u.lastMessage) <= d
	}
	switch tag {
	case "HUMAN_AGENT", "CUSTOMER_FEEDBACK":
		if !within(7 * 24 * time.Hour) {
			return errOutsideWindow()
		}
		return nil
	case "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "ACCOUNT_UPDATE":
		if !now.Before(utilityTagsEnd) {
			return errParam("Tag %s is no longer supported since 2026-04-27: use a utility template or a one-time notification", tag)
		}
		return nil
	case "NON_PROMOTIONAL_SUBSCRIPTION":
		return errf(10, 2018065, "This message is sent outside of allowed window. You need page_messaging_subscriptions permission to be able to do it.")
	}
	if legacyTags[tag] {
		if now.Before(legacyTagsEnd) {
			return nil
		}
		return errParam("Tag %s was deprecated on 2020-03-04", tag)
	}
	return errParam("Param tag must be a message tag (HUMAN_AGENT, CUSTOMER_FEEDBACK, ...); got %q", tag)
}
