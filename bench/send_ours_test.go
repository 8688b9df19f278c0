package bench

import (
	"testing"

	"github.com/gomessenger/messenger"
)

// sendOursLibs are this SDK's entries.
var sendOursLibs = []sendLib{
	{name: "messenger", setup: oursSend},
}

// oursSend goes through Client.Send with the SDK's defaults: local validation,
// retry policy, default pooled transport, the answer decoded into a
// SendResponse. No app secret: the peers send no appsecret_proof either.
func oursSend(tb testing.TB, srv *sendServer) func() error {
	c, err := messenger.New(pageToken, messenger.WithBaseURL(srv.URL))
	if err != nil {
		tb.Fatal(err)
	}
	return func() error {
		_, err := c.Send(bg, messenger.SendRequest{
			To:      messenger.PSID(psid),
			Type:    messenger.Response,
			Message: messenger.Text(sendText),
		})
		return err
	}
}
