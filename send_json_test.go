package messenger

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/tags"
)

// encodingJSON is the body encoding/json writes for r, the reference for the
// hand-written encoder.
func encodingJSON(t *testing.T, r *SendRequest) string {
	t.Helper()
	var buf bytes.Buffer
	if err := encodeJSON(&buf, r.wire()); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// handJSON is the body the hand-written encoder writes for r; ok is false when
// it leaves r to encoding/json.
func handJSON(r *SendRequest) (string, bool) {
	var wb wireBuf
	r.wireTo(&wb)
	b, ok := wb.appendJSON(nil, r.Message != nil)
	return string(b), ok
}

// TestSendJSONMatchesEncodingJSON: every send the hand-written encoder takes is
// written byte for byte as encoding/json writes it, and the others are left to
// encoding/json.
func TestSendJSONMatchesEncodingJSON(t *testing.T) {
	cases := wireCases()
	extra := []struct {
		name string
		req  SendRequest
	}{
		{"every field", SendRequest{To: Phone("+1(212)555-2368", &RecipientName{FirstName: "Jo", LastName: "Doe"}),
			Type: Tagged(tags.AccountUpdate), Message: Text("a\"b\\c\n\t\x01<&>\u2028\u2029é\xff").WithMetadata("m").
				WithQuickReplies(TextReply("Yes", "Y"), EmailReply()),
			Notification: NotifyNoPush, PersonaID: "42", ReplyTo: "m_1"}},
		{"name without last name", SendRequest{To: Phone("+1", &RecipientName{FirstName: "Jo"}), Type: Update, Message: Text("x")}},
		{"empty name", SendRequest{To: Phone("+1", &RecipientName{}), Type: Update, Message: Text("x")}},
		{"empty recipient and message", SendRequest{Message: &Message{}}},
		{"quick replies without text", SendRequest{To: UserRef("u"), Message: &Message{
			QuickReplies: []QuickReply{{ContentType: QuickReplyText, Title: "t"}}}}},
	}
	cases = append(cases, extra...)
	handled := 0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := handJSON(&tc.req)
			m := tc.req.Message
			wantOK := m == nil || (m.Attachment == nil && len(m.Attachments) == 0)
			if ok != wantOK {
				t.Fatalf("hand-written encoder took the send: %v, want %v", ok, wantOK)
			}
			if !ok {
				return
			}
			handled++
			if d := cmp.Diff(encodingJSON(t, &tc.req), got); d != "" {
				t.Errorf("body (-encoding/json +hand-written):\n%s", d)
			}
		})
	}
	if handled < 8 {
		t.Errorf("the hand-written encoder took %d cases, want at least 8", handled)
	}
}

// FuzzSendJSON: for any strings in a text send with quick replies, the
// hand-written encoder writes what encoding/json writes.
func FuzzSendJSON(f *testing.F) {
	f.Add("1254459154682919", "Hello, world!", "", "Red", "COLOR_RED", "", "")
	f.Add("\x00\x1f\"\\", "<&>\u2028\u2029\xed\xa0\x80", "\xff\xfe", "\t\n\r\b\f", "é€𝄞", "p", "m_\x7f")
	f.Fuzz(func(t *testing.T, id, text, meta, title, payload, persona, replyTo string) {
		req := SendRequest{To: PSID(id), Type: Response, PersonaID: persona, ReplyTo: replyTo,
			Message: Text(text).WithMetadata(meta).WithQuickReplies(TextReply(title, payload), PhoneReply())}
		got, ok := handJSON(&req)
		if !ok {
			t.Fatal("the hand-written encoder refused a text send")
		}
		if want := encodingJSON(t, &req); got != want {
			t.Errorf("body\n got %s\nwant %s", got, want)
		}
	})
}
