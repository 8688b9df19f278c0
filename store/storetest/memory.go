package storetest

import (
	"testing"

	"github.com/gomessenger/messenger/store/memstore"
)

// NewMemory returns a [memstore.Store] built with opts for a test, and fails tb when
// an option is refused. tb's cleanup closes the store.
func NewMemory(tb testing.TB, opts ...memstore.Option) *memstore.Store {
	tb.Helper()
	m, err := memstore.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	return m
}
