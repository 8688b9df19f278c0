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
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// OptInRequest says whom [Notifier.Request] asks, for which Page, and about what.
type OptInRequest struct {
	Page  string // the Page that asks and will notify
	User  string // PSID of the person asked
	Title string // shown above the "Notify Me" button: 1 to 65 characters
	Topic string // the opt-in payload that Notify later finds the token by
}

// Request asks r.User, inside the 24-hour window, whether r.Page may notify them
// once about r.Topic, by sending the request template built by [RequestMessage] as
// a RESPONSE message.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/send-messages/one-time-notification/
func (n *Notifier) Request(ctx context.Context, r OptInRequest) (*messenger.SendResponse, error) {
	m, err := RequestMessage(r.Title, r.Topic)
	if err != nil {
		return nil, err
	}
	s, err := n.sender(ctx, r.Page)
	if err != nil {
		return nil, err
	}
	res, err := s.Send(ctx, messenger.SendRequest{To: messenger.PSID(r.User), Type: messenger.Response, Message: m})
	if err != nil {
		return nil, fmt.Errorf("otn: request a notification from user %s on Page %s: %w", r.User, r.Page, err)
	}
	return res, nil
}
