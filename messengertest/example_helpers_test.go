package messengertest_test

import (
	"fmt"
	"slices"
	"testing"
)

// exampleT is a testing.TB for examples: it runs cleanups when finish is called.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func newExampleT() *exampleT                       { return &exampleT{} }
func (t *exampleT) Helper()                        {}
func (t *exampleT) Cleanup(f func())               { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }
func (t *exampleT) finish() {
	for _, f := range slices.Backward(t.cleanups) {
		f()
	}
}
