package broadcast_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/broadcast"
	"github.com/gomessenger/messenger/tags"
)

func TestBroadcastValidation(t *testing.T) {
	t.Parallel()
	st := newStore(t, time.Now())
	ok := func() broadcast.Broadcast {
		return broadcast.Broadcast{Page: testPage, Audience: broadcast.PSIDs("1"), Message: messenger.Text("hi"),
			Ways: []broadcast.Way{broadcast.InWindow()}, Windows: st, Tokens: st}
	}
	tests := []struct {
		name   string
		change func(b *broadcast.Broadcast)
		want   string
	}{
		{"no page", func(b *broadcast.Broadcast) { b.Page = "" }, "Broadcast.Page must be the id of the sending Page"},
		{"no audience", func(b *broadcast.Broadcast) { b.Audience = nil }, "Broadcast.Audience must be set"},
		{"no message", func(b *broadcast.Broadcast) { b.Message = nil }, "Broadcast.Message must be set, or Render set"},
		{"message and render", func(b *broadcast.Broadcast) {
			b.Render = func(context.Context, broadcast.Recipient) (*messenger.Message, error) { return nil, nil }
		}, "Broadcast.Message must be unset when Render is set"},
		{"message too long", func(b *broadcast.Broadcast) { b.Message = messenger.Text(strings.Repeat("x", 2000)) }, "Broadcast.Message: messenger: invalid request: message.text"},
		{"unknown notification type", func(b *broadcast.Broadcast) { b.Notification = "LOUD" }, `Broadcast.Notification must be one of REGULAR, SILENT_PUSH, NO_PUSH, got "LOUD"`},
		{"no ways", func(b *broadcast.Broadcast) { b.Ways = nil }, "Broadcast.Ways must be at least one way"},
		{"response", func(b *broadcast.Broadcast) { b.Ways = []broadcast.Way{broadcast.Using(messenger.Response)} }, "Broadcast.Ways[0].Type must be UPDATE, MESSAGE_TAG or UTILITY, got RESPONSE"},
		{"human agent", func(b *broadcast.Broadcast) { b.Ways = broadcast.Auto("", tags.HumanAgent) }, "Broadcast.Ways[1].Type must be a tag for automated messages, got HUMAN_AGENT"},
		{"unknown tag", func(b *broadcast.Broadcast) { b.Ways = []broadcast.Way{broadcast.ByTag("NOT_A_TAG")} }, "Broadcast.Ways[0].Type must be a messaging type and tag the rules know, got MESSAGE_TAG/NOT_A_TAG"},
		{"zero way", func(b *broadcast.Broadcast) { b.Ways = []broadcast.Way{{}} }, "Broadcast.Ways[0].Type must be a messaging type, or Topic for a token"},
		{"token kind", func(b *broadcast.Broadcast) { b.Ways = []broadcast.Way{{Topic: "x", TokenKind: "sms"}} }, "Broadcast.Ways[0].TokenKind must be one_time_notif_token or notification_messages_token, got sms"},
		{"no window store", func(b *broadcast.Broadcast) { b.Windows = nil }, "Broadcast.Windows must be set when a way sends to the PSID"},
		{"no token store", func(b *broadcast.Broadcast) { b.Ways, b.Tokens = broadcast.Auto("t"), nil }, "Broadcast.Tokens must be set when a way uses notification tokens"},
		{"rate too high", func(b *broadcast.Broadcast) { b.Rate = 301 }, "Broadcast.Rate must be above 0 and at most 300 messages per second, got 301"},
		{"negative rate", func(b *broadcast.Broadcast) { b.Rate = -1 }, "Broadcast.Rate must be above 0"},
		{"media rate", func(b *broadcast.Broadcast) { b.MediaRate = 11 }, "Broadcast.MediaRate must be above 0 and at most 10 messages per second, got 11"},
		{"batch", func(b *broadcast.Broadcast) { b.BatchSize = 51 }, "Broadcast.BatchSize must be between 0 and 50, got 51"},
		{"workers", func(b *broadcast.Broadcast) { b.Workers = -1 }, "Broadcast.Workers must be between 0 and 1024, got -1"},
		{"attempts", func(b *broadcast.Broadcast) { b.MaxAttempts = 101 }, "Broadcast.MaxAttempts must be between 0 and 100, got 101"},
		{"usage", func(b *broadcast.Broadcast) { b.UsageThreshold = 120 }, "Broadcast.UsageThreshold must be a percentage between 0 and 100, got 120"},
		{"drain", func(b *broadcast.Broadcast) { b.DrainTimeout = -time.Second }, "Broadcast.DrainTimeout must be not negative, got -1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := ok()
			tt.change(&b)
			_, err := b.Plan(t.Context(), nil)
			require.ErrorIs(t, err, messenger.ErrInvalidRequest)
			require.ErrorContains(t, err, tt.want)
		})
	}
	b := ok()
	_, err := b.Send(t.Context(), nil)
	require.ErrorIs(t, err, messenger.ErrInvalidRequest)
}
