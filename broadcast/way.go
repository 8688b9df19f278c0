package broadcast

import (
	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/tags"
)

// Way is one way a broadcast may reach a person: a messaging type (and tag) for a
// send to the PSID, or a notification token the person granted for a topic.
// A broadcast tries its ways in order for each person and uses the first one the
// rules allow now (see [Broadcast.Ways]).
type Way struct {
	// Type is the messaging type of a send to the PSID: messenger.Update, or
	// messenger.Tagged(tag) for a message tag. Ignored when Topic is set.
	Type messenger.MessagingType
	// Topic, when set, sends with one of the person's notification tokens for this
	// topic (the payload of the opt-in request) instead of the PSID.
	Topic string
	// TokenKind is the kind of token for Topic: store.OneTimeKind (the default)
	// or store.RecurringKind.
	TokenKind store.TokenKind
}

// Using is the way of sending to the PSID with messaging type t:
// Using(messenger.Update) inside the 24-hour window,
// Using(messenger.Tagged(tags.ConfirmedEventUpdate)) with a tag whose rule allows it.
func Using(t messenger.MessagingType) Way { return Way{Type: t} }

// InWindow is Using(messenger.Update): a proactive message inside the person's
// 24-hour standard messaging window (docs/platform.md, “Messaging types”).
func InWindow() Way { return Using(messenger.Update) }

// ByTag is Using(messenger.Tagged(t)): a message tag, for non-promotional content
// that fits the tag's use, allowed by the tag's own rule (docs/platform.md, “Message tags”).
func ByTag(t tags.Tag) Way { return Using(messenger.Tagged(t)) }

// ByOneTimeToken is the way of sending with a one-time notification token the person
// granted for topic: one message per token, within a year, window or not
// (docs/platform.md, “One-time notifications”). Sending claims the token in the token store first, so no token
// is used twice.
func ByOneTimeToken(topic string) Way { return Way{Topic: topic, TokenKind: store.OneTimeKind} }

// ByRecurringToken is the way of sending with a recurring notification token for
// topic, spaced by its frequency (docs/platform.md, “Recurring notifications”).
func ByRecurringToken(topic string) Way { return Way{Topic: topic, TokenKind: store.RecurringKind} }

// Auto is "whatever the rules allow": inside the window first, then each of
// fitting (tags the caller vouches fit the message's content and use), then a
// one-time token for topic when topic is not empty. A broadcast cannot judge
// content, so no tag is tried unless named here.
func Auto(topic string, fitting ...tags.Tag) []Way {
	ways := []Way{InWindow()}
	for _, t := range fitting {
		ways = append(ways, ByTag(t))
	}
	if topic != "" {
		ways = append(ways, ByOneTimeToken(topic))
	}
	return ways
}

// token reports whether w sends with a notification token.
func (w Way) token() bool { return w.Topic != "" }

func (w Way) kind() store.TokenKind {
	if w.TokenKind == "" {
		return store.OneTimeKind
	}
	return w.TokenKind
}

// String names the way in entries and summaries: "UPDATE",
// "MESSAGE_TAG/CONFIRMED_EVENT_UPDATE", "one_time_notif_token/back-in-stock".
func (w Way) String() string {
	if w.token() {
		return string(w.kind()) + "/" + w.Topic
	}
	if w.Type.Tag != "" {
		return w.Type.Kind + "/" + string(w.Type.Tag)
	}
	return w.Type.Kind
}
