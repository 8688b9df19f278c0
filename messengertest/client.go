package messengertest

import (
	"time"

	"github.com/gomessenger/messenger"
)

// testRetry keeps the client's retry behaviour but not its waits, so suites that
// inject transient faults stay fast. Graph's longer throttling hints still make the
// call fail at once with RetryAfter set, as in production.
var testRetry = messenger.RetryPolicy{MaxAttempts: 4, MinWait: time.Millisecond, MaxWait: 20 * time.Millisecond}

// Client returns a *messenger.Client for the fake Page, pointed at this server: its
// token and app secret (so appsecret_proof is sent and checked), the Page id (so
// messenger.WithPolicyGuard works out of the box; calls then address the Page by id,
// which the fake serves like "me"), the fake clock (so the client's policy guard sees
// the fake's time) and short retry waits. opts are
// applied after those and may override them. It fails the test (or, for a server
// from Start, panics) when an option is invalid.
func (s *Server) Client(opts ...messenger.Option) *messenger.Client {
	base := []messenger.Option{
		messenger.WithBaseURL(s.URL),
		messenger.WithAppSecret(s.cfg.appSecret),
		messenger.WithPageID(s.cfg.pageID),
		messenger.WithClock(s.Now),
		messenger.WithRetry(testRetry),
	}
	c, err := messenger.New(s.cfg.token, append(base, opts...)...)
	if err != nil {
		if s.tb != nil {
			s.tb.Helper()
			s.tb.Fatalf("messengertest: Client: %v", err)
		}
		panic("messengertest: Client: " + err.Error())
	}
	return c
}
