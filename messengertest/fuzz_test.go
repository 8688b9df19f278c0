package messengertest

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzDecodeSend: no request body makes the fake panic; every one is accepted or
// answered with a Graph error.
func FuzzDecodeSend(f *testing.F) {
	for _, seed := range []string{
		`{"recipient":{"id":"1"},"messaging_type":"RESPONSE","message":{"text":"hi"}}`,
		`{"recipient":{"id":1},"message":{"attachment":{"type":"template","payload":{"template_type":"generic","elements":[{"title":"t","buttons":[{"type":"postback"}]}]}}}}`,
		`{"recipient":{"comment_id":"1_2"},"message":{"attachments":[{"type":"image","payload":null}]}}`,
		`{"recipient":"x","sender_action":7}`,
		`[]`, `null`, `{"message":{"quick_replies":[{"content_type":"text","payload":{}}]}}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req, err := http.NewRequest(http.MethodPost, "/v25.0/me/messages", strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		p, gerr := readParams(req)
		if gerr != nil {
			return
		}
		_, _ = decodeSend(p, "v25.0")
	})
}
