package storekit_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storekit"
)

// Each check refuses bad input with an error that names the method, the field, the
// limit and the value, and accepts good input.
func TestChecks(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	msg := store.Action{Kind: store.ActionMessage, At: at}
	long := strings.Repeat("x", store.MaxIDLen+1)
	tests := []struct {
		name string
		err  error
		want string // empty: accepted
	}{
		{"action ok", storekit.CheckAction("p", "u", msg), ""},
		{"action no page", storekit.CheckAction("", "u", msg), `store: RecordAction: page must not be empty (got "")`},
		{"action long user", storekit.CheckAction("p", long, msg), "store: RecordAction: user must be at most 256 bytes (got 257 bytes)"},
		{"action no kind", storekit.CheckAction("p", "u", store.Action{At: at}), `store: RecordAction: Action.Kind must not be empty (got "")`},
		{"action no time", storekit.CheckAction("p", "u", store.Action{Kind: store.ActionMessage}), "store: RecordAction: Action.At must not be the zero time (got 0001-01-01 00:00:00 +0000 UTC)"},
		{"window ok", storekit.CheckWindowKey("Window", "p", "u"), ""},
		{"window no user", storekit.CheckWindowKey("ListTokens", "p", ""), `store: ListTokens: user must not be empty (got "")`},
		{"claim ok", storekit.CheckClaim(store.TokenQuery{Page: "p", User: "u", Kind: store.OneTimeKind}), ""},
		{"claim no kind", storekit.CheckClaim(store.TokenQuery{Page: "p", User: "u"}), `store: ClaimToken: kind must be "one_time_notif_token" or "notification_messages_token" (got "")`},
		{"claim no page", storekit.CheckClaim(store.TokenQuery{User: "u", Kind: store.OneTimeKind}), `store: ClaimToken: page must not be empty (got "")`},
		{"topic ok, empty topic", storekit.CheckTopicTokens("p"), ""},
		{"topic no page", storekit.CheckTopicTokens(""), `store: TokensByTopic: page must not be empty (got "")`},
		{"delivery ok", storekit.CheckDelivery(delivery(at, nil)), ""},
		{"delivery no owner", storekit.CheckDelivery(delivery(at, func(d *store.Delivery) { d.Lease.Owner = "" })), `store: Admit: Delivery.Lease.Owner must not be empty (got "")`},
		{"delivery empty key", storekit.CheckDelivery(delivery(at, func(d *store.Delivery) { d.Keys[1] = "" })), `store: Admit: Delivery.Keys[1] must not be empty (got "")`},
		{"delivery no ttl", storekit.CheckDelivery(delivery(at, func(d *store.Delivery) { d.TTL = 0 })), "store: Admit: Delivery.TTL must be positive (got 0s)"},
		{"delivery action no user", storekit.CheckDelivery(delivery(at, func(d *store.Delivery) { d.Actions[0].User = "" })), `store: Admit: Delivery.Actions[0].User must not be empty (got "")`},
		{"dedupe ok", storekit.CheckDedupe("k", time.Second), ""},
		{"dedupe negative ttl", storekit.CheckDedupe("k", -time.Second), "store: FirstSeen: ttl must be positive (got -1s)"},
		{"dedupe long key", storekit.CheckDedupe(strings.Repeat("k", store.MaxKeyLen+1), time.Second), "store: FirstSeen: key must be at most 1024 bytes (got 1025 bytes)"},
		{"key at the limit", storekit.CheckKey("Op", "f", strings.Repeat("k", 8), 8), ""},
		{"key over the limit", storekit.CheckKey("Op", "f", "secret-value", 8), "store: Op: f must be at most 8 bytes (got 12 bytes)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == "" {
				if tc.err != nil {
					t.Fatalf("refused good input: %v", tc.err)
				}
				return
			}
			if !errors.Is(tc.err, store.ErrInvalidInput) {
				t.Fatalf("err = %v, want an ErrInvalidInput", tc.err)
			}
			if diff := cmp.Diff(tc.want, tc.err.Error()); diff != "" {
				t.Errorf("Error() (-want +got):\n%s", diff)
			}
		})
	}
}

// delivery is a valid store.Delivery, changed by change when it is not nil.
func delivery(at time.Time, change func(*store.Delivery)) store.Delivery {
	d := store.Delivery{
		Body: []byte("{}"), Received: at, Lease: store.Lease{Owner: "a", Until: at.Add(time.Minute)},
		Keys: []string{"k1", "k2"}, TTL: time.Hour,
		Actions: []store.WindowAction{{Page: "p", User: "u", Action: store.Action{Kind: store.ActionMessage, At: at}}},
	}
	if change != nil {
		change(&d)
	}
	return d
}
