package bench

import (
	"net/http"
	"testing"

	"github.com/gomessenger/messenger"
)

// sendOursLibs are this SDK's entries.
var sendOursLibs = []sendLib{
	{name: "messenger", setup: oursSend},
}

type oursSendBody struct {
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	MessagingType string `json:"messaging_type"`
	Message       struct {
		Text string `json:"text"`
	} `json:"message"`
}

type oursSendAnswer struct {
	RecipientID string `json:"recipient_id"`
	MessageID   string `json:"message_id"`
}

// oursSend goes through Client.Do with the SDK's defaults (retries, limiter off,
// default transport). No app secret: the peers send no appsecret_proof either.
func oursSend(tb testing.TB, srv *sendServer) func() error {
	c, err := messenger.New(pageToken, messenger.WithBaseURL(srv.URL))
	if err != nil {
		tb.Fatal(err)
	}
	return func() error {
		var body oursSendBody
		body.Recipient.ID, body.MessagingType, body.Message.Text = psid, "RESPONSE", sendText
		var out oursSendAnswer
		return c.Do(bg, http.MethodPost, "me/messages", &body, &out)
	}
}
