package messenger

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The handler context behaves as context.WithTimeout's does: it ends at its
// deadline, when its parent ends, and when the handlers return, whether or not
// anyone asked for Done first.
func TestHandlerContext(t *testing.T) {
	t.Parallel()
	t.Run("deadline, waiting on Done", func(t *testing.T) {
		h := newHandlerContext(context.Background(), 10*time.Millisecond)
		defer h.release()
		if d, ok := h.Deadline(); !ok || time.Until(d) > 10*time.Millisecond {
			t.Errorf("Deadline = %v, %v", d, ok)
		}
		<-h.Done()
		if !errors.Is(h.Err(), context.DeadlineExceeded) {
			t.Errorf("Err = %v, want DeadlineExceeded", h.Err())
		}
	})
	t.Run("deadline already passed, Err alone", func(t *testing.T) {
		h := newHandlerContext(context.Background(), -time.Second)
		if !errors.Is(h.Err(), context.DeadlineExceeded) {
			t.Errorf("Err = %v, want DeadlineExceeded", h.Err())
		}
		select {
		case <-h.Done():
		default:
			t.Error("Done not closed for a context already past its deadline")
		}
		h.release()
	})
	t.Run("parent ends", func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		h := newHandlerContext(parent, time.Hour)
		defer h.release()
		done := h.Done()
		if h.Err() != nil {
			t.Fatalf("Err before anything ended = %v", h.Err())
		}
		cancel()
		<-done
		if !errors.Is(h.Err(), context.Canceled) {
			t.Errorf("Err = %v, want Canceled", h.Err())
		}
	})
	t.Run("parent ended before Done was asked", func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		cancel()
		h := newHandlerContext(parent, time.Hour)
		defer h.release()
		<-h.Done()
		if !errors.Is(h.Err(), context.Canceled) {
			t.Errorf("Err = %v, want Canceled", h.Err())
		}
	})
	t.Run("released", func(t *testing.T) {
		type key struct{}
		h := newHandlerContext(context.WithValue(context.Background(), key{}, "v"), time.Hour)
		if h.Value(key{}) != "v" {
			t.Error("Value not looked up in the parent")
		}
		done := h.Done()
		h.release()
		<-done
		if !errors.Is(h.Err(), context.Canceled) {
			t.Errorf("Err after release = %v, want Canceled", h.Err())
		}
		h.release() // twice is harmless
	})
}
