package persona

import (
	"context"
	"fmt"

	"github.com/gomessenger/messenger"
)

// Send sends req as the persona personaID: the message shows the persona's name and
// picture (docs/platform.md, “Personas”). Everything else about req is unchanged.
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/send-messages/personas
func (p *Client) Send(ctx context.Context, personaID string, req messenger.SendRequest) (*messenger.SendResponse, error) {
	if err := validateID(personaID); err != nil {
		return nil, err
	}
	req.PersonaID = personaID
	res, err := p.c.Send(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("persona: send as %s: %w", personaID, err)
	}
	return res, nil
}

// SendText answers a person with text as the persona personaID (a RESPONSE
// message, inside the 24-hour window). For another messaging type use
// [Client.SendTextAs].
func (p *Client) SendText(ctx context.Context, personaID string, to messenger.Recipient, text string) (*messenger.SendResponse, error) {
	return p.SendTextAs(ctx, personaID, to, messenger.Response, text)
}

// SendTextAs sends text as the persona personaID with the messaging type typ,
// typically a human agent's reply after the 24-hour window:
//
//	personas.SendTextAs(ctx, anna.ID, messenger.PSID(psid), messenger.Tagged(tags.HumanAgent), "Sorry for the wait: ...")
//
// The type is checked like any send (the client's validation and, if enabled, its
// policy guard); a persona changes who the message appears from, not what the rules
// allow. A zero typ is refused rather than guessed.
func (p *Client) SendTextAs(ctx context.Context, personaID string, to messenger.Recipient, typ messenger.MessagingType, text string) (*messenger.SendResponse, error) {
	if typ.IsZero() {
		return nil, &messenger.ValidationError{Field: "messaging type", Limit: "RESPONSE, UPDATE, MESSAGE_TAG with a tag, or UTILITY", Value: "none",
			Reason: "SendText sends a RESPONSE; name any other type explicitly"}
	}
	return p.Send(ctx, personaID, messenger.SendRequest{To: to, Type: typ, Message: messenger.Text(text)})
}

// TypingOn shows the typing indicator as the persona personaID; typing_on and
// typing_off are the only sender actions a persona may send (docs/platform.md, “Personas”).
func (p *Client) TypingOn(ctx context.Context, personaID string, to messenger.Recipient) error {
	_, err := p.Send(ctx, personaID, messenger.SendRequest{To: to, Action: messenger.TypingOn})
	return err
}

// TypingOff hides the typing indicator [Client.TypingOn] showed as the persona
// personaID.
func (p *Client) TypingOff(ctx context.Context, personaID string, to messenger.Recipient) error {
	_, err := p.Send(ctx, personaID, messenger.SendRequest{To: to, Action: messenger.TypingOff})
	return err
}
