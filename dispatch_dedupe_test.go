package messenger

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestDispatchDefaultDedupe follows one message through the default webhook: handled
// once, its redeliveries dropped until DefaultDedupeTTL has passed by the webhook's
// clock, handled again after that.
func TestDispatchDefaultDedupe(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var s sink
	w := newTestWebhook(t, WithWebhookClock(clock.Now))
	w.OnEvent(s.handle)
	body, err := MarshalEnvelope(&MessageEvent{
		EventInfo: EventInfo{PageID: "p", Sender: Party{ID: "u"}, Recipient: Party{ID: "p"}, Time: millis(1000)},
		Message:   ReceivedMessage{MID: "m_default", Text: "hi"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, step := range []time.Duration{0, DefaultDedupeTTL - time.Nanosecond, time.Nanosecond, 0} {
		clock.Advance(step)
		if code := postSigned(w, body); code != 200 {
			t.Fatalf("status %d", code)
		}
		waitIdle(t, w)
		evs, _ := s.snapshot()
		got = append(got, len(evs))
	}
	// handled; dropped 1 ns before the TTL; handled at the TTL; dropped again.
	if diff := cmp.Diff([]int{1, 1, 2, 2}, got); diff != "" {
		t.Errorf("events handled after each delivery (-want +got):\n%s", diff)
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
