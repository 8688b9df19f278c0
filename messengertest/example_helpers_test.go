package messengertest_test

import (
	"fmt"
	"io"
	"net/http"
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

// httpHandlerFunc adapts a func of the body and its X-Hub-Signature-256 header to an
// http.Handler, for examples.
func httpHandlerFunc(f func(body []byte, signature string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f(b, r.Header.Get("X-Hub-Signature-256"))
	})
}
