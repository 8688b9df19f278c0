package messenger

import (
	"context"
	"strings"
)

// PrivateReply answers a Page comment or a visitor post with a private message
// (docs/platform.md, “Private replies”). to must be Comment(id) or Post(id); any other recipient is refused
// with a *ValidationError before the network. Each comment or post takes one private
// reply, within 7 days of its creation: a second one fails with a *GraphError that
// matches ErrAlreadyReplied. The reply does not open the 24-hour window; the
// conversation continues when the person answers.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/discovery/private-replies/
func (c *Client) PrivateReply(ctx context.Context, to Recipient, m *Message) (*SendResponse, error) {
	if !to.isPrivateReply() {
		found := strings.Join(to.identifiers(), ", ")
		if found == "" {
			found = "none"
		}
		return nil, &ValidationError{Field: "recipient", Limit: "a comment_id or a post_id", Value: found,
			Reason: "private replies go to a comment or visitor post: use Comment(id) or Post(id)"}
	}
	return c.Send(ctx, SendRequest{To: to, Message: m})
}
