package messenger

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSendResponseDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body    string
		want    SendResponse
		wantErr bool
	}{
		{`{"recipient_id":"1254477777772919","message_id":"AG5Hz2Uq7tuwNEhXfYYKj8mJEM"}`,
			SendResponse{RecipientID: "1254477777772919", MessageID: "AG5Hz2Uq7tuwNEhXfYYKj8mJEM"}, false},
		{`{"recipient_id":"1","message_id":"m_1","attachment_id":"687799999980546"}`,
			SendResponse{RecipientID: "1", MessageID: "m_1", AttachmentID: "687799999980546"}, false},
		{`{"message_id":"m_\u00e9"}`, SendResponse{MessageID: "m_é"}, false},                        // user_ref sends carry no recipient_id
		{`{"recipient_id":1254477777772919}`, SendResponse{RecipientID: "1254477777772919"}, false}, // a number, tolerated
		{`{"recipient_id":"1","extra":{"nested":[1,2,{"x":null}]}}`, SendResponse{RecipientID: "1"}, false},
		{`{"recipient_id":"1"`, SendResponse{RecipientID: "1"}, true},
		{`{"recipient_id":"1"} trailing`, SendResponse{RecipientID: "1"}, true},
	}
	for _, tt := range tests {
		var got SendResponse
		err := got.decodeGraph([]byte(tt.body))
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, want error %v", tt.body, err, tt.wantErr)
		}
		if err != nil && !errors.Is(err, ErrMalformedPayload) {
			t.Errorf("%s: err = %v, want ErrMalformedPayload", tt.body, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.body, diff)
		}
	}
}
