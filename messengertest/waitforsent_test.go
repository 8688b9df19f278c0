package messengertest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// A bot that never answers fails its test quickly, with what it did send, even
// when the test waits with a context that has no deadline (t.Context()).
func TestWaitForSentWithoutDeadlineEnds(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t, WithSentWait(20*time.Millisecond))
	if err := post(t, c, "me/messages", text(testPSID, "first"), nil); err != nil {
		t.Fatal(err)
	}
	sent, err := srv.WaitForSent(t.Context(), 2)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want one wrapping context.DeadlineExceeded", err)
	}
	for _, want := range []string{"1 of 2 sends accepted", `1. to ` + testPSID + `: text "first"`, "WithSentWait"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if len(sent) != 1 || sent[0].Message.Text != "first" {
		t.Errorf("sent = %+v, want the one send", sent)
	}
}

func TestWaitForSentErrorSaysNothingWasSent(t *testing.T) {
	t.Parallel()
	srv, _ := newFake(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := srv.WaitForSent(ctx, 1)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "0 of 1 sends accepted; nothing was sent") {
		t.Errorf("err = %v, want context.Canceled saying nothing was sent", err)
	}
}

// A context with its own deadline is the caller's choice: the sent wait does not cut
// it short.
func TestWaitForSentHonoursTheContextDeadline(t *testing.T) {
	t.Parallel()
	srv, _ := newFake(t, WithSentWait(time.Nanosecond))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err := srv.WaitForSent(ctx, 1)
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "WithSentWait") || ctx.Err() == nil {
		t.Errorf("err = %v, want the context's own deadline, not the sent wait", err)
	}
}

func TestWithSentWaitRefusesNonPositive(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{0, -time.Second} {
		if _, err := Start(WithSentWait(d)); err == nil || !strings.Contains(err.Error(), "WithSentWait") {
			t.Errorf("WithSentWait(%s): err = %v, want one naming the option", d, err)
		}
	}
}
