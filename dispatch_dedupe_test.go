package messenger

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDispatchMemoryDedupe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	d := newMemoryDedupe(clock.Now, 3)
	first := func(key string, ttl time.Duration) bool {
		t.Helper()
		ok, err := d.FirstSeen(ctx, key, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	steps := []struct {
		name string
		do   func() bool
		want bool
	}{
		{"new key", func() bool { return first("a", time.Hour) }, true},
		{"seen", func() bool { return first("a", time.Hour) }, false},
		{"expired", func() bool { clock.Advance(time.Hour); return first("a", time.Hour) }, true},
		{"seen again after renewal", func() bool { return first("a", time.Hour) }, false},
		{"forgotten", func() bool { _ = d.Forget(ctx, "a"); return first("a", time.Hour) }, true},
		{"b", func() bool { return first("b", time.Hour) }, true},
		{"c", func() bool { return first("c", time.Hour) }, true},
		{"d evicts the oldest", func() bool { return first("d", time.Hour) }, true},
		{"a was evicted", func() bool { return first("a", time.Hour) }, true},
		{"d still there", func() bool { return first("d", time.Hour) }, false},
	}
	for _, s := range steps {
		if got := s.do(); got != s.want {
			t.Errorf("%s: FirstSeen = %v, want %v", s.name, got, s.want)
		}
	}
	if len(d.seen) > 3 || d.n > 3 {
		t.Errorf("store grew past its bound: %d keys, %d ring entries", len(d.seen), d.n)
	}
	// Expired keys leave as new ones come.
	clock.Advance(2 * time.Hour)
	first("e", time.Hour)
	if len(d.seen) != 1 {
		t.Errorf("%d keys after everything expired, want 1", len(d.seen))
	}
}

func TestDispatchDedupeKeys(t *testing.T) {
	t.Parallel()
	in := EventInfo{PageID: "p", Sender: Party{ID: "u"}, Time: millis(1000)}
	sb := in
	sb.Standby = true
	tests := []struct {
		ev   Event
		want string
	}{
		{&MessageEvent{EventInfo: in, Message: ReceivedMessage{MID: "m1"}}, "message:m1"},
		{&MessageEvent{EventInfo: sb, Message: ReceivedMessage{MID: "m1"}}, "smessage:m1"},
		{&EchoEvent{EventInfo: in, Message: ReceivedMessage{MID: "m1"}}, "echo:m1"},
		{&PostbackEvent{EventInfo: in, MID: "m2"}, "postback:m2"},
		{&MessageEditEvent{EventInfo: in, MID: "m3", NumEdit: 2}, "edit:m3:2"},
		{&ReactionEvent{EventInfo: in, MID: "m4", Action: "react"}, "reaction:m4:react:u:1000"},
		{&DeliveryEvent{EventInfo: in, Watermark: millis(900)}, "delivery:p:u:900"},
		{&ReadEvent{EventInfo: in, Watermark: millis(900)}, "read:p:u:900"},
	}
	for _, tt := range tests {
		if got := dedupeKey(tt.ev); got != tt.want {
			t.Errorf("dedupeKey(%s) = %q, want %q", tt.ev.Kind(), got, tt.want)
		}
	}
	// Everything else: a hash of Page and bytes, stable across parses and distinct
	// across Pages and contents.
	keys := map[string]string{}
	for name := range webhookCorpus {
		for i, ev := range mustParse(t, name) {
			k := dedupeKey(ev)
			again := dedupeKey(mustParse(t, name)[i])
			if k != again {
				t.Errorf("%s #%d: key %q then %q", name, i, k, again)
			}
			if prev, dup := keys[k]; dup && strings.Contains(k, "hash:") {
				t.Errorf("%s #%d and %s share key %q", name, i, prev, k)
			}
			keys[k] = name
		}
	}
	a := &GamePlayEvent{EventInfo: EventInfo{PageID: "p1"}, Score: 1}
	b := &GamePlayEvent{EventInfo: EventInfo{PageID: "p2"}, Score: 1}
	if ka, kb := dedupeKey(a), dedupeKey(b); ka == kb || !strings.HasPrefix(ka, "hash:") {
		t.Errorf("keys %q and %q", ka, kb)
	}
	if diff := cmp.Diff("shash:", dedupeKey(&GamePlayEvent{EventInfo: sb})[:6]); diff != "" {
		t.Errorf("standby hash prefix (-want +got):\n%s", diff)
	}
}

func TestDispatchHandlerPanicError(t *testing.T) {
	t.Parallel()
	cause := errors.New("nil map")
	err := call(context.Background(), func(context.Context, Event) error { panic(cause) }, &ReadEvent{})
	var pe *HandlerPanicError
	if !errors.As(err, &pe) || !errors.Is(err, ErrHandlerPanic) || !errors.Is(err, cause) {
		t.Fatalf("call = %v, want a HandlerPanicError wrapping the panic value", err)
	}
	if got, want := err.Error(), "messenger: webhook handler panicked: nil map"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if err := call(context.Background(), func(context.Context, Event) error { panic(42) }, &ReadEvent{}); errors.Unwrap(err) != nil {
		t.Errorf("a non-error panic value unwraps to %v", errors.Unwrap(err))
	}
}
