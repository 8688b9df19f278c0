package storetest

import (
	"testing"

	"github.com/gomessenger/messenger/store"
)

// NewMemory returns a [store.Memory] built with opts for a test, and fails tb when
// an option is refused. tb's cleanup closes the store.
func NewMemory(tb testing.TB, opts ...store.MemoryOption) *store.Memory {
	tb.Helper()
	m, err := store.NewMemory(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	return m
}
