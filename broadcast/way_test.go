package broadcast_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/broadcast"
	"github.com/gomessenger/messenger/tags"
)

func TestWayNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		way  broadcast.Way
		want string
	}{
		{broadcast.InWindow(), "UPDATE"},
		{broadcast.Using(messenger.Utility), "UTILITY"},
		{broadcast.ByTag(tags.ConfirmedEventUpdate), "MESSAGE_TAG/CONFIRMED_EVENT_UPDATE"},
		{broadcast.ByOneTimeToken("restock"), "one_time_notif_token/restock"},
		{broadcast.ByRecurringToken("news"), "notification_messages_token/news"},
		{broadcast.Way{Topic: "restock"}, "one_time_notif_token/restock"}, // the default kind
	}
	for _, tt := range tests {
		if got := tt.way.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.way, got, tt.want)
		}
	}
}

func TestAuto(t *testing.T) {
	t.Parallel()
	names := func(ws []broadcast.Way) []string {
		var out []string
		for _, w := range ws {
			out = append(out, w.String())
		}
		return out
	}
	if diff := cmp.Diff([]string{"UPDATE"}, names(broadcast.Auto(""))); diff != "" {
		t.Errorf("no topic, no tags (-want +got):\n%s", diff)
	}
	want := []string{"UPDATE", "MESSAGE_TAG/CONFIRMED_EVENT_UPDATE", "one_time_notif_token/restock"}
	if diff := cmp.Diff(want, names(broadcast.Auto("restock", tags.ConfirmedEventUpdate))); diff != "" {
		t.Errorf("window, then the vouched-for tag, then the token (-want +got):\n%s", diff)
	}
}
