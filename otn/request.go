package otn

import (
	"context"
	"fmt"

	"github.com/gomessenger/messenger"
)

// RequestMessage is the one-time notification request template (docs/platform.md, “One-time notifications”):
// title (1 to 65 characters) above a "Notify Me" button; a tap sends an opt-in whose
// payload is topic, which [Notifier.Notify] later looks the token up by. Both are
// checked here, before anything is sent.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/send-messages/one-time-notification/
func RequestMessage(title, topic string) (*messenger.Message, error) {
	if topic == "" {
		return nil, &messenger.ValidationError{
			Field: "message.attachment.payload.payload", Limit: "required", Value: `""`,
			Reason: "the payload is the topic Notify finds the token by",
		}
	}
	m := messenger.TemplateMessage(messenger.NewOneTimeNotifRequest(title, topic))
	// A stand-in recipient: only the message is being checked.
	if err := (messenger.SendRequest{To: messenger.PSID("validation"), Type: messenger.Response, Message: m}).Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// Request asks user, inside the 24-hour window, whether page may notify them once
// about topic, by sending the request template built by [RequestMessage] as a
// RESPONSE message.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/send-messages/one-time-notification/
func (n *Notifier) Request(ctx context.Context, page, user, title, topic string) (*messenger.SendResponse, error) {
	m, err := RequestMessage(title, topic)
	if err != nil {
		return nil, err
	}
	s, err := n.sender(ctx, page)
	if err != nil {
		return nil, err
	}
	res, err := s.Send(ctx, messenger.SendRequest{To: messenger.PSID(user), Type: messenger.Response, Message: m})
	if err != nil {
		return nil, fmt.Errorf("otn: request a notification from user %s on Page %s: %w", user, page, err)
	}
	return res, nil
}
