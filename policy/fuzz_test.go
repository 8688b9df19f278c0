package policy

import (
	"testing"
	"time"

	"github.com/gomessenger/messenger/tags"
)

// FuzzCheck feeds Check arbitrary requests and conversations: it must never panic
// and must keep the properties of checkProperties.
//
// present has one bit per conversation time (1 LastUserMessage, 2 LastUserAction,
// 4 AdReferral, 8 CommentCreated, 16 TokenIssued, 32 TokenExpires, 64 TokenLastUsed,
// 128 zero now); each offset is how long before now that time is (negative: after).
// flags sets the request's and conversation's booleans bit by bit.
func FuzzCheck(f *testing.F) {
	f.Fuzz(func(t *testing.T, typ, tag, recipient, template string, flags uint16, nowNanos int64, zone uint8, present uint8,
		lastMsg, lastAction, ad, comment, issued, expires, lastUsed, frequency int64, count int) {
		zones := []*time.Location{time.UTC, jst, est}
		now := time.Unix(0, nowNanos).In(zones[int(zone)%len(zones)])
		if present&128 != 0 {
			now = time.Time{}
		}
		at := func(bit uint8, offset int64) time.Time {
			if present&bit == 0 || now.IsZero() {
				return time.Time{}
			}
			return now.Add(-time.Duration(offset))
		}
		bit := func(i uint) bool { return flags&(1<<i) != 0 }
		req := Request{
			MessagingType:         MessagingType(typ),
			Tag:                   tags.Tag(tag),
			Recipient:             RecipientKind(recipient),
			Template:              template,
			HumanAgentApproved:    bit(0),
			Promotional:           bit(1),
			NewsPage:              bit(2),
			PhoneNumberApproved:   bit(3),
			RecurringExemptRegion: bit(4),
		}
		conv := Conversation{
			LastUserMessage:     at(1, lastMsg),
			LastUserAction:      at(2, lastAction),
			AdReferral:          at(4, ad),
			MessagesAfterWindow: count,
			CommentCreated:      at(8, comment),
			PrivateReplySent:    bit(5),
			TokenIssued:         at(16, issued),
			TokenExpires:        at(32, expires),
			TokenUsed:           bit(6),
			TokenFrequency:      time.Duration(frequency),
			TokenLastUsed:       at(64, lastUsed),
			TokenStopped:        bit(7),
		}
		switch {
		case bit(8):
			conv.TokenKind = OTNToken
		case bit(9):
			conv.TokenKind = RecurringToken
		}
		d := Check(req, conv, now)
		if d.Allowed && now.IsZero() {
			t.Fatalf("allowed with zero now: %+v", d)
		}
		if !now.IsZero() {
			checkProperties(t, req, conv, now)
		}
	})
}
