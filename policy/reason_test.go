package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/gomessenger/messenger/tags"
)

// Reasons are read by people: the catalogue's confidence markers ([T], [C],
// [UNCONFIRMED]) are data for maintainers and never appear in them.
func TestReasonsCarryNoConfidenceMarkers(t *testing.T) {
	t.Parallel()
	dates := []time.Time{
		time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC),
	}
	for _, info := range tags.All() {
		for _, now := range dates {
			req := Request{MessagingType: MessageTag, Tag: info.Tag, Recipient: PSID}
			d := Check(req, Conversation{LastUserMessage: now.Add(-30 * time.Hour)}, now)
			texts := []string{d.Reason}
			for _, a := range d.Alternatives {
				texts = append(texts, a.Note)
			}
			for _, s := range texts {
				for _, marker := range []string{"[T]", "[C]", "[UNCONFIRMED]", "[C:", "[T:"} {
					if strings.Contains(s, marker) {
						t.Errorf("%s at %s: %q carries %s", info.Tag, now.Format(time.DateOnly), s, marker)
					}
				}
			}
		}
	}
}
