package reliability

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// secretSink is a slog.Handler that fails the test when a record, rendered with
// every attribute and group, contains one of the secrets. It also counts the
// lines (and keeps the first hundred) so a test can check that something was
// logged at all.
type secretSink struct {
	t       testing.TB
	secrets []string
	attrs   []slog.Attr // from WithAttrs, rendered with each record
	group   string

	mu    *sync.Mutex
	lines *[]string
	n     *int
}

func newSecretSink(t testing.TB, secrets ...string) *secretSink {
	return &secretSink{t: t, secrets: secrets, mu: &sync.Mutex{}, lines: new([]string), n: new(int)}
}

// logger returns a logger at Debug level writing to the sink.
func (s *secretSink) logger() *slog.Logger { return slog.New(s) }

func (s *secretSink) Enabled(context.Context, slog.Level) bool { return true }

func (s *secretSink) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
	for _, a := range s.attrs {
		writeAttr(&b, s.group, a)
	}
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, s.group, a)
		return true
	})
	line := b.String()
	s.check("log line", line)
	s.mu.Lock()
	if *s.n < 100 {
		*s.lines = append(*s.lines, line)
	}
	*s.n++
	s.mu.Unlock()
	return nil
}

func writeAttr(b *strings.Builder, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	key := a.Key
	if prefix != "" {
		key = prefix + "." + key
	}
	if v.Kind() == slog.KindGroup {
		for _, g := range v.Group() {
			writeAttr(b, key, g)
		}
		return
	}
	// %+v of the value, so an error or struct attribute is rendered in full.
	fmt.Fprintf(b, " %s=%+v", key, v.Any())
}

func (s *secretSink) WithAttrs(as []slog.Attr) slog.Handler {
	c := *s
	c.attrs = append(append([]slog.Attr(nil), s.attrs...), as...)
	return &c
}

func (s *secretSink) WithGroup(name string) slog.Handler {
	c := *s
	if c.group != "" {
		name = c.group + "." + name
	}
	c.group = name
	return &c
}

// check fails the test when text contains a secret. It names the secret by its
// position, never by its value.
func (s *secretSink) check(what, text string) {
	s.t.Helper()
	for i, sec := range s.secrets {
		if sec != "" && strings.Contains(text, sec) {
			s.t.Errorf("%s contains secret #%d: %q", what, i, strings.ReplaceAll(text, sec, "<SECRET>"))
		}
	}
}

// checkErr fails the test when err, rendered every way a program might print
// it, contains a secret.
func (s *secretSink) checkErr(err error) {
	s.t.Helper()
	if err == nil {
		return
	}
	s.check("error", err.Error())
	s.check("error (%+v)", fmt.Sprintf("%+v", err))
	s.check("error (%#v)", fmt.Sprintf("%#v", err))
}

// count returns how many lines were logged so far.
func (s *secretSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.n
}

// TestSecretSinkCatchesSecrets checks the sink itself: a test that could not fail
// would prove nothing.
func TestSecretSinkCatchesSecrets(t *testing.T) {
	ft := &fakeT{TB: t}
	s := newSecretSink(ft, "s3cr3t")
	l := s.logger().With("client", "x").WithGroup("call")
	l.Info("ok", "path", "me/messages")
	if ft.failed {
		t.Fatal("sink failed on a clean line")
	}
	l.Debug("call", slog.Group("req", "url", "https://graph/?access_token=s3cr3t"))
	if !ft.failed {
		t.Error("sink missed a secret inside a group")
	}
	ft.failed = false
	s.checkErr(fmt.Errorf("wrapped: %w", fmt.Errorf("token s3cr3t")))
	if !ft.failed {
		t.Error("sink missed a secret in an error")
	}
}

// fakeT records failures instead of failing.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Helper()               {}
