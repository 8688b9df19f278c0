// Package storetest is the conformance suite for implementations of [store.Store].
//
// The memory store, the bbolt file store and the Redis store all pass [Run], so code
// written against one behaves the same on another; a store of your own should pass it
// too:
//
//	func TestConformance(t *testing.T) {
//		clock := storetest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
//		storetest.Run(t, func(t *testing.T) store.Store {
//			return mystore.New(mystore.WithClock(clock.Now))
//		}, storetest.WithClock(clock))
//	}
//
// The suite checks the concurrency contracts under real contention (a thousand
// goroutines claiming one token, a thousand delivering one webhook), expiry to the
// nanosecond, the inbox's order and replay, closing, and, for durable stores given
// [WithReopen], that closing and opening again keeps everything. Stores that also
// implement the optional [store.TopicTokens] and [store.Intake] are checked for them
// too (the TopicTokens/ and Intake/ tests skip for those that do not).
package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/gomessenger/messenger/store"
)

// Option configures [Run]. A bad argument fails the test that passed it, naming the
// option.
type Option func(*config) error

type config struct {
	clock  *Clock
	reopen func(t *testing.T, closed store.Store) store.Store
}

// WithClock tells the suite that the stores open returns read c for their own
// clock (dedupe TTLs, window retention). The suite then moves c to test expiry;
// without it those tests are skipped. Since the clock is shared, the suite's tests
// run one after another.
func WithClock(c *Clock) Option {
	return func(cfg *config) error {
		if c == nil {
			return errors.New("storetest: WithClock: clock must not be nil")
		}
		cfg.clock = c
		return nil
	}
}

// WithReopen marks the store as durable: reopen gets a store the suite has closed
// and must open the same data again (the same file, the same Redis prefix). The
// suite then checks that everything written before Close is there after reopen.
func WithReopen(reopen func(t *testing.T, closed store.Store) store.Store) Option {
	return func(cfg *config) error {
		if reopen == nil {
			return errors.New("storetest: WithReopen: reopen must not be nil")
		}
		cfg.reopen = reopen
		return nil
	}
}

// Run runs the conformance suite as subtests of t. open must return a new, empty
// store each time it is called; the suite closes it when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) store.Store, opts ...Option) {
	t.Helper()
	cfg := &config{}
	for _, o := range opts {
		if o == nil {
			t.Fatal("storetest: Run: nil Option")
		}
		if err := o(cfg); err != nil {
			t.Fatal(err)
		}
	}
	s := &suite{cfg: cfg, open: open}
	for _, tc := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Windows/Empty", s.windowsEmpty},
		{"Windows/LatestPerKind", s.windowsLatestPerKind},
		{"Windows/Isolated", s.windowsIsolated},
		{"Windows/ForgottenAfterRetention", s.windowsForgotten},
		{"Windows/Invalid", s.windowsInvalid},
		{"Tokens/OneTimeOneWinner", s.tokensOneWinner},
		{"Tokens/EachTokenOnce", s.tokensEachOnce},
		{"Tokens/SoonestExpiryFirst", s.tokensSoonestFirst},
		{"Tokens/Matching", s.tokensMatching},
		{"Tokens/ExpiryToTheNanosecond", s.tokensExpiryNanosecond},
		{"Tokens/RecurringMinInterval", s.tokensRecurring},
		{"Tokens/RecurringOneWinner", s.tokensRecurringOneWinner},
		{"Tokens/Release", s.tokensRelease},
		{"Tokens/ReleaseRecurring", s.tokensReleaseRecurring},
		{"Tokens/Kill", s.tokensKill},
		{"Tokens/PutReplaces", s.tokensPutReplaces},
		{"Tokens/ListOldestFirst", s.tokensList},
		{"Tokens/Purge", s.tokensPurge},
		{"Tokens/Invalid", s.tokensInvalid},
		{"TopicTokens/Listed", s.topicsListed},
		{"TopicTokens/FollowChanges", s.topicsFollowChanges},
		{"TopicTokens/Reopen", s.topicsReopen},
		{"TopicTokens/Closed", s.topicsClosed},
		{"Dedupe/FirstThenSeen", s.dedupeBasic},
		{"Dedupe/Concurrent", s.dedupeConcurrent},
		{"Dedupe/TTL", s.dedupeTTL},
		{"Dedupe/Forget", s.dedupeForget},
		{"Dedupe/Invalid", s.dedupeInvalid},
		{"Inbox/OrderAndReplay", s.inboxOrder},
		{"Inbox/ConcurrentAppend", s.inboxConcurrent},
		{"Inbox/DoneUnknown", s.inboxDoneUnknown},
		{"Inbox/Lease", s.inboxLease},
		{"Inbox/ClaimConcurrent", s.inboxClaimConcurrent},
		{"Inbox/Release", s.inboxRelease},
		{"Inbox/DeadLetter", s.inboxDeadLetter},
		{"Inbox/Invalid", s.inboxInvalid},
		{"Intake/Admit", s.intakeAdmit},
		{"Intake/AdmitDone", s.intakeAdmitDone},
		{"Intake/TTL", s.intakeTTL},
		{"Intake/Concurrent", s.intakeConcurrent},
		{"Intake/Invalid", s.intakeInvalid},
		{"Intake/Closed", s.intakeClosed},
		{"Closed", s.closed},
		{"Reopen", s.reopen},
	} {
		t.Run(tc.name, tc.run)
	}
}

type suite struct {
	cfg  *config
	open func(t *testing.T) store.Store
}

// fresh opens a store that is closed when t ends.
func (s *suite) fresh(t *testing.T) store.Store {
	t.Helper()
	st := s.open(t)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// now is the suite's notion of the present: the shared clock when there is one,
// else a fixed instant with nanoseconds, so stores must keep them.
func (s *suite) now() time.Time {
	if s.cfg.clock != nil {
		return s.cfg.clock.Now()
	}
	return time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
}

// needClock skips t when the suite cannot move the stores' clock.
func (s *suite) needClock(t *testing.T) *Clock {
	t.Helper()
	if s.cfg.clock == nil {
		t.Skip("storetest: this test moves the store's clock; pass storetest.WithClock(c) and build the store on c.Now")
	}
	return s.cfg.clock
}
