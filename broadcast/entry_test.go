package broadcast_test

import (
	"testing"

	"github.com/gomessenger/messenger/broadcast"
)

func TestEntryErrorKeyAndString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e          broadcast.Entry
		key, words string
	}{
		{broadcast.Entry{PSID: "1", State: broadcast.StateFailed, Code: 10, Subcode: 2018278, Reason: "outside the window"},
			"10/2018278", "1 failed [10/2018278]: outside the window"},
		{broadcast.Entry{PSID: "1", State: broadcast.StateFailed, Code: 551, Reason: "unavailable"}, "551", "1 failed [551]: unavailable"},
		{broadcast.Entry{PSID: "1", State: broadcast.StateUnknown, Reason: "connection lost"}, "outcome_unknown", "1 unknown [outcome_unknown]: connection lost"},
		{broadcast.Entry{PSID: "1", State: broadcast.StateFailed, Reason: "rendering"}, "local", "1 failed [local]: rendering"},
		{broadcast.Entry{PSID: "1", State: broadcast.StateSent, Way: "UPDATE", MessageID: "m_1"}, "local", "1 sent via UPDATE (m_1)"},
		{broadcast.Entry{PSID: "1", State: broadcast.StateSkipped, Reason: "no window"}, "local", "1 skipped: no window"},
		{broadcast.Entry{PSID: "1", State: broadcast.StateClaimed, Way: "UPDATE"}, "local", "1 claimed UPDATE"},
	}
	for _, tt := range tests {
		if got := tt.e.ErrorKey(); got != tt.key {
			t.Errorf("%+v: ErrorKey %q, want %q", tt.e, got, tt.key)
		}
		if got := tt.e.String(); got != tt.words {
			t.Errorf("%+v: String %q, want %q", tt.e, got, tt.words)
		}
	}
}

func TestFinalStates(t *testing.T) {
	t.Parallel()
	final := map[broadcast.State]bool{
		broadcast.StateSent: true, broadcast.StateSkipped: true, broadcast.StateFailed: true, broadcast.StateUnknown: true,
		broadcast.StateSendable: false, broadcast.StateClaimed: false, broadcast.StateReleased: false,
		broadcast.StateInvalid: false, broadcast.StateDuplicate: false,
	}
	for st, want := range final {
		if st.Final() != want {
			t.Errorf("%s.Final() = %v", st, !want)
		}
	}
}
