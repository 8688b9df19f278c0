package broadcast

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/otn"
	"github.com/gomessenger/messenger/store"
)

// Send sends the broadcast with client: for each recipient it finds a way the rules
// allow now (as Plan does), claims the recipient in the Journal, sends at the
// paced rate and records the outcome. It returns when the audience is exhausted,
// ctx ends, or an error stops the run; the Summary counts what happened either way.
//
// Guarantees:
//   - Nobody gets the message twice: a recipient is claimed in the journal before
//     the send, a PSID already in the journal (from this run or an earlier one) is
//     not sent to again, and a claim without an outcome (a run stopped mid-send)
//     becomes StateUnknown rather than a second send. Ambiguous answers (Graph's
//     1/1357046, a temporary failure 1, 2 or 1200, a connection lost or timed out
//     after the request went out) are StateUnknown too.
//   - Every recipient ends in exactly one of StateSent, StateSkipped, StateFailed
//     and StateUnknown, written to the journal and, if set, to Audit.
//   - Nothing is lost to throttling: a send Graph throttled (613, 4, 17, 32, ...)
//     is tried again after the pause Graph asked for (up to 10×MaxAttempts times;
//     other temporary failures up to MaxAttempts), while the whole broadcast slows down (the rate halves on each throttling wave, a fifth
//     when usage headers pass UsageThreshold, and climbs back gradually).
//   - Cancelling ctx stops the run cleanly: no new send starts, sends on the wire
//     finish (up to DrainTimeout) and are recorded, and claims whose send did not
//     happen are released. Run Send again with the same Journal to resume.
//
// Memory: Send streams the audience like Plan; what grows with the audience is the
// journal (a MemoryJournal holds every entry, a FileJournal an index of PSIDs) and,
// on a resumed run, the set of PSIDs finished by earlier runs met so far, kept to
// count a repeated row once.
//
// An error from the audience (other than a *RowError), a store or the journal
// stops the run, and so does a Graph answer that refuses the Page itself (invalid
// token 190, Page restricted 10/1893063, blocked 368).
func (b *Broadcast) Send(ctx context.Context, client *messenger.Client) (*Summary, error) {
	if client == nil {
		return nil, invalid("Send", "a *messenger.Client", "nil", "")
	}
	c, err := b.prepare(client)
	if err != nil {
		return nil, err
	}
	run := newRunID(b.Name, time.Now())
	journal := b.Journal
	if journal == nil {
		journal = NewMemoryJournal()
	}
	s := &sender{
		config:  c,
		client:  client,
		journal: journal,
		run:     run,
		tally:   newTally(false, run, b.Audit),
		pacer:   newPacer(c.rate),
		media:   newPacer(c.mediaRate),
	}
	started := time.Now()
	if b.Progress != nil {
		stop, finished := make(chan struct{}), make(chan struct{})
		m := &progressMeter{start: started, expected: b.Expected, limit: s.pacer.rate}
		go runProgress(m, s.tally, c.every, b.Progress, stop, finished)
		defer func() { close(stop); <-finished }()
	}
	err = s.dispatch(ctx)
	sum := s.tally.snapshot()
	sum.Elapsed = time.Since(started)
	sum.Interrupted = err != nil
	return &sum, err
}

// newRunID names one run (one Send call) of the broadcast name by its start time
// and a random suffix, so no two runs share an id even within a second.
func newRunID(name string, now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	id := now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
	if name != "" {
		id = name + "/" + id
	}
	return id
}

type sender struct {
	*config
	client  *messenger.Client
	journal Journal
	run     string
	tally   *tally
	pacer   *pacer
	media   *pacer
}

// dispatch hands the audience to the workers. Each PSID always goes to the same
// worker, so two rows with one PSID are never handled at the same time.
func (s *sender) dispatch(ctx context.Context) error {
	work, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	shards := make([]chan Recipient, s.workers)
	var wg sync.WaitGroup
	for i := range shards {
		shards[i] = make(chan Recipient, 2*s.batch)
		wg.Go(func() {
			if err := s.worker(work, shards[i]); err != nil {
				stop(err)
			}
		})
	}
	seed := maphash.MakeSeed()
	var audienceErr error
dispatch:
	for r, err := range s.Audience {
		if work.Err() != nil {
			break
		}
		if err != nil {
			var re *RowError
			if !errors.As(err, &re) {
				audienceErr = err
				break
			}
			s.tally.record(&Entry{State: StateInvalid, Run: s.run, At: s.now(), Reason: err.Error()}, false)
			continue
		}
		ch := shards[maphash.String(seed, r.PSID)%uint64(len(shards))]
		select {
		case ch <- r:
		case <-work.Done():
			break dispatch
		}
	}
	for _, ch := range shards {
		close(ch)
	}
	wg.Wait()
	switch {
	case audienceErr != nil:
		return fmt.Errorf("broadcast: reading the audience: %w", audienceErr)
	case ctx.Err() != nil:
		return ctx.Err()
	case context.Cause(work) != nil:
		return context.Cause(work)
	}
	return s.tally.err()
}

// item is one recipient on its way to a send.
type item struct {
	r        Recipient
	msg      *messenger.Message
	way      int
	until    time.Time
	media    bool
	claimed  bool
	token    *store.Token
	attempts int // sends tried
	throttle int // of which Graph throttled
}

// throttleBudget is how many throttling answers one recipient may get, per
// MaxAttempts, before it fails: Graph's throttling is about the Page, not the
// person, and passes once the broadcast has paused as asked.
const throttleBudget = 10

func (it *item) request(s *sender) messenger.SendRequest {
	w := s.Ways[it.way]
	req := messenger.SendRequest{Message: it.msg, Notification: s.Notification}
	switch {
	case it.token != nil && it.token.Kind == store.RecurringKind:
		req.To = messenger.RecurringToken(it.token.Value)
	case it.token != nil:
		req.To = messenger.OneTimeToken(it.token.Value)
	default:
		req.To, req.Type = messenger.PSID(it.r.PSID), w.Type
	}
	return req
}

// worker handles the recipients of one shard, in batches of up to BatchSize.
// Items Graph throttled wait in retry for the next batch.
func (s *sender) worker(ctx context.Context, in <-chan Recipient) (err error) {
	var retry []*item
	// resumed holds the PSIDs of this shard whose outcome an earlier run recorded,
	// to tell a repeated row from the first meeting; it stays empty on a first run.
	resumed := map[string]struct{}{}
	defer func() {
		// Whatever is still held was not sent: give it back for a later run.
		if rerr := s.release(retry); err == nil {
			err = rerr
		}
	}()
	for {
		n := min(len(retry), s.batch)
		batch := append([]*item(nil), retry[:n]...)
		retry = retry[n:]
		closed := false
	fill:
		for len(batch) < s.batch {
			var r Recipient
			var ok bool
			if len(batch) == 0 {
				select {
				case r, ok = <-in:
				case <-ctx.Done():
					return nil
				}
			} else {
				select {
				case r, ok = <-in:
				default:
					break fill
				}
			}
			if !ok {
				closed = true
				break
			}
			if ctx.Err() != nil {
				continue // stopping: leave the rest untouched for a later run
			}
			it, err := s.prepare(ctx, r, resumed)
			if err != nil {
				retry = append(retry, batch...)
				return err
			}
			if it != nil {
				batch = append(batch, it)
			}
		}
		if len(batch) > 0 {
			again, err := s.send(ctx, batch)
			retry = append(retry, again...)
			if err != nil {
				return err
			}
		}
		if closed && len(retry) == 0 {
			return nil
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// prepare looks the recipient up in the journal and judges it. It returns nil
// when the recipient needs no send (done earlier, a duplicate, skipped, failed).
func (s *sender) prepare(ctx context.Context, r Recipient, resumed map[string]struct{}) (*item, error) {
	now := s.now()
	prev, found, err := s.journal.Get(ctx, r.PSID)
	if err != nil {
		return nil, fmt.Errorf("broadcast: reading the journal: %w", err)
	}
	if found {
		switch {
		case prev.Run == s.run:
			s.tally.record(&Entry{PSID: r.PSID, State: StateDuplicate, Run: s.run, At: now, Reason: "the PSID appeared earlier in the audience"}, false)
			return nil, nil
		case prev.State == StateReleased, prev.State == StateFailed && s.RetryFailed:
			// sent to as if new
		case prev.State == StateClaimed:
			e := Entry{PSID: r.PSID, State: StateUnknown, Run: s.run, At: now, Way: prev.Way,
				Reason: claimLost(prev.Run)}
			return nil, s.finish(ctx, &e, true)
		default:
			if _, dup := resumed[r.PSID]; dup {
				s.tally.record(&Entry{PSID: r.PSID, State: StateDuplicate, Run: s.run, At: now, Reason: "the PSID appeared earlier in the audience"}, false)
				return nil, nil
			}
			resumed[r.PSID] = struct{}{}
			s.tally.record(&prev, true)
			return nil, nil
		}
	}
	e := Entry{PSID: r.PSID, Run: s.run, At: now}
	msg, err := s.message(ctx, r)
	if err != nil {
		e.State, e.Reason = StateFailed, "rendering the message: "+err.Error()
		return nil, s.finish(ctx, &e, false)
	}
	if err := s.validate(msg); err != nil {
		e.State, e.Reason = StateFailed, err.Error()
		return nil, s.finish(ctx, &e, false)
	}
	j, err := s.judge(ctx, r.PSID, msg, now)
	if err != nil {
		return nil, err
	}
	if !j.allowed() {
		e.State, e.Rule, e.Reason, e.ReachableAt = StateSkipped, j.rule, j.reason, j.reachableAt
		return nil, s.finish(ctx, &e, false)
	}
	it := &item{r: r, msg: msg, way: j.way, until: j.until, media: isMedia(msg)}
	return it, nil
}

func isMedia(m *messenger.Message) bool {
	return m.Attachment != nil && (m.Attachment.Type == messenger.AttachmentAudio || m.Attachment.Type == messenger.AttachmentVideo)
}

// validate checks a rendered message; a fixed Message was checked once.
func (c *config) validate(msg *messenger.Message) error {
	if c.Render == nil {
		return nil
	}
	return msg.Validate()
}

// finish records a final entry in the journal and the tally.
func (s *sender) finish(ctx context.Context, e *Entry, resumed bool) error {
	if err := s.journal.Put(context.WithoutCancel(ctx), *e); err != nil {
		return fmt.Errorf("broadcast: writing the journal: %w", err)
	}
	s.tally.record(e, resumed)
	return nil
}

// result is the answer to one send.
type result struct {
	resp *messenger.SendResponse
	err  error
}

// send paces, claims and sends one batch, and settles each item. It returns the
// items to try again.
func (s *sender) send(ctx context.Context, batch []*item) (retry []*item, err error) {
	media := 0
	for _, it := range batch {
		if it.media {
			media++
		}
	}
	sentAt, err := s.pacer.wait(ctx, len(batch))
	if err == nil && media > 0 {
		_, err = s.media.wait(ctx, media)
	}
	if err != nil { // stopping while waiting: nothing of this batch was sent
		return batch, nil
	}
	now := s.now()
	ready := make([]*item, 0, len(batch))
	for i, it := range batch {
		ok, err := s.claim(ctx, it, now)
		if err != nil { // nothing was sent: hand the claimed items back for release
			return append(ready, batch[i:]...), err
		}
		if ok {
			ready = append(ready, it)
		}
	}
	if len(ready) == 0 {
		return nil, nil
	}
	results := s.call(ctx, ready)
	// Every item was sent: settle them all, even after an error. Throttling
	// answers cut the rate before the usage headers that came with them do.
	var first error
	for i, it := range ready {
		again, err := s.settle(ctx, it, results[i], sentAt)
		if err != nil && first == nil {
			first = err
		}
		if again {
			retry = append(retry, it)
		}
	}
	s.observeUsage(results, sentAt)
	return retry, first
}

// claim prepares an item for the send that starts now: it judges again if the
// permission found earlier has lapsed, puts the claim in the journal (first
// attempt) and claims a notification token. ok is false when the item was
// settled instead (skipped).
func (s *sender) claim(ctx context.Context, it *item, now time.Time) (ok bool, err error) {
	if !it.until.IsZero() && !now.Before(it.until) {
		j, err := s.judge(ctx, it.r.PSID, it.msg, now)
		if err != nil {
			return false, err
		}
		if !j.allowed() {
			e := Entry{PSID: it.r.PSID, Run: s.run, At: now, State: StateSkipped, Rule: j.rule, Reason: j.reason, ReachableAt: j.reachableAt, Attempts: it.attempts}
			return false, s.finish(ctx, &e, false)
		}
		it.way, it.until = j.way, j.until
	}
	w := s.Ways[it.way]
	if !it.claimed {
		e := Entry{PSID: it.r.PSID, State: StateClaimed, Run: s.run, At: now, Way: w.String()}
		if err := s.journal.Put(context.WithoutCancel(ctx), e); err != nil {
			return false, fmt.Errorf("broadcast: claiming %s in the journal: %w", it.r.PSID, err)
		}
		it.claimed = true
	}
	if w.token() {
		tok, err := s.Tokens.ClaimToken(context.WithoutCancel(ctx), store.TokenQuery{Page: s.page, User: it.r.PSID, Topic: w.Topic, Kind: w.kind()}, now)
		if errors.Is(err, store.ErrNoToken) {
			e := Entry{PSID: it.r.PSID, Run: s.run, At: now, State: StateSkipped, Rule: w.String() + ": " + RuleNoToken,
				Reason: w.String() + ": the token found when planning was used or expired before the send", Attempts: it.attempts}
			return false, s.finish(ctx, &e, false)
		}
		if err != nil {
			return false, fmt.Errorf("broadcast: claiming a token of %s: %w", it.r.PSID, err)
		}
		it.token = &tok
	}
	it.attempts++
	return true, nil
}

// call sends the ready items, one by one or as a Graph batch. Sends already on
// the wire when ctx ends get DrainTimeout to finish.
func (s *sender) call(ctx context.Context, ready []*item) []result {
	sendCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	go func() {
		select {
		case <-ctx.Done():
			t := time.NewTimer(s.drain)
			defer t.Stop()
			select {
			case <-t.C:
				cancel()
			case <-sendCtx.Done():
			}
		case <-sendCtx.Done():
		}
	}()
	results := make([]result, len(ready))
	if len(ready) == 1 {
		resp, err := s.client.Send(sendCtx, ready[0].request(s))
		results[0] = result{resp, err}
		return results
	}
	reqs := make([]messenger.SendRequest, len(ready))
	for i, it := range ready {
		reqs[i] = it.request(s)
	}
	answers, err := s.client.SendBatch(sendCtx, reqs)
	for i := range results {
		switch {
		case err != nil:
			results[i].err = err
		default:
			results[i] = result{answers[i].Response, answers[i].Err}
		}
	}
	return results
}

// settle records the outcome of one send, or says to try again.
func (s *sender) settle(ctx context.Context, it *item, res result, sentAt time.Time) (again bool, err error) {
	w := s.Ways[it.way]
	e := Entry{PSID: it.r.PSID, Run: s.run, At: s.now(), Way: w.String(), Attempts: it.attempts}
	if res.err == nil {
		e.State = StateSent
		if res.resp != nil {
			e.MessageID = res.resp.MessageID
		}
		return false, s.finish(ctx, &e, false)
	}
	if err := s.settleToken(ctx, it, res.err); err != nil {
		return false, err
	}
	var (
		ge    *messenger.GraphError
		pe    *messenger.PolicyError
		fatal error
	)
	switch err := res.err; {
	case errors.As(err, &pe): // the client's own policy guard: nothing was sent
		e.State, e.Rule, e.Reason = StateSkipped, w.String()+": "+pe.Decision.Rule, w.String()+": "+pe.Decision.Reason
		e.Way = ""
	case errors.Is(err, messenger.ErrInvalidRequest):
		e.State, e.Reason = StateFailed, err.Error()
	case errors.Is(err, messenger.ErrAmbiguous):
		e.State, e.Reason = StateUnknown, err.Error() // the token stays claimed: it may be used
		if errors.As(err, &ge) {
			e.Code, e.Subcode, e.FBTraceID = ge.Code, ge.Subcode, ge.FBTraceID
		}
	case errors.As(err, &ge):
		e.Code, e.Subcode, e.FBTraceID, e.Reason = ge.Code, ge.Subcode, ge.FBTraceID, ge.Error()
		limited := errors.Is(ge, messenger.ErrRateLimited)
		if limited {
			s.tally.throttled()
			pause := ge.RetryAfter
			if pause <= 0 {
				pause = defaultPause
			}
			s.throttle(sentAt, cutOnThrottle, pause)
		}
		if ge.Retryable {
			again := it.attempts-it.throttle < s.maxAttempts
			if limited {
				it.throttle++
				again = it.throttle < throttleBudget*s.maxAttempts
			} else {
				s.pause(defaultPause)
			}
			if again || ctx.Err() != nil {
				return true, nil // when stopping, the claim is released
			}
			e.State = StateFailed
			break
		}
		e.State = StateFailed
		if pageRefused(ge) {
			fatal = fmt.Errorf("broadcast: stopped: Graph refuses the Page itself: %w (run again with RetryFailed once it is fixed)", ge)
		}
	case errors.Is(err, messenger.ErrNotSent): // nothing left the process
		s.pause(defaultPause)
		if it.attempts-it.throttle < s.maxAttempts || ctx.Err() != nil {
			return true, nil
		}
		e.State, e.Reason = StateFailed, err.Error()
	default: // the context ended or the connection broke with the request out
		e.State, e.Reason = StateUnknown, err.Error()
	}
	if err := s.finish(ctx, &e, false); err != nil {
		return false, err
	}
	return false, fatal
}

// pageRefused reports Graph errors about the Page or token rather than the
// recipient: sending on would fail for everyone.
func pageRefused(ge *messenger.GraphError) bool {
	return ge.Code == 190 || ge.Code == 368 || (ge.Code == 10 && ge.Subcode == 1893063)
}

// settleToken decides what a failed send did to the notification token it
// claimed, as the otn package does for Notify (otn.FateOf): given back when the
// failure proves nothing was delivered (a retry claims it again), dead when Graph
// refused the token, kept claimed when the message may have gone out.
func (s *sender) settleToken(ctx context.Context, it *item, sendErr error) error {
	if it.token == nil {
		return nil
	}
	switch otn.FateOf(sendErr) {
	case otn.TokenRestored:
		return s.releaseToken(ctx, it)
	case otn.TokenDead:
		tok := it.token
		it.token = nil
		if err := s.Tokens.KillToken(context.WithoutCancel(ctx), tok.Value); err != nil {
			return fmt.Errorf("broadcast: marking a refused token dead: %w", err)
		}
	default:
		it.token = nil // kept claimed: the message may have been delivered with it
	}
	return nil
}

func (s *sender) releaseToken(ctx context.Context, it *item) error {
	if it.token == nil {
		return nil
	}
	tok := it.token
	it.token = nil
	if err := s.Tokens.ReleaseToken(context.WithoutCancel(ctx), *tok); err != nil {
		return fmt.Errorf("broadcast: releasing an unused token: %w", err)
	}
	return nil
}

// release gives back the claims of items that were not sent.
func (s *sender) release(items []*item) error {
	var errs []error
	for _, it := range items {
		if err := s.releaseToken(context.Background(), it); err != nil {
			errs = append(errs, err)
		}
		if !it.claimed {
			continue
		}
		e := Entry{PSID: it.r.PSID, State: StateReleased, Run: s.run, At: s.now(), Way: s.Ways[it.way].String(), Attempts: it.attempts,
			Reason: "the run stopped before this recipient could be sent to; nothing was sent"}
		if err := s.journal.Put(context.Background(), e); err != nil {
			errs = append(errs, fmt.Errorf("broadcast: releasing %s in the journal: %w", it.r.PSID, err))
		}
	}
	return errors.Join(errs...)
}

// throttle slows both pacers down.
func (s *sender) throttle(sentAt time.Time, factor float64, pause time.Duration) {
	now := time.Now()
	s.pacer.throttled(now, sentAt, factor, pause)
	s.media.throttled(now, sentAt, factor, pause)
}

// pause holds every send back for d without changing the rate.
func (s *sender) pause(d time.Duration) {
	now := time.Now()
	s.pacer.pause(now, d)
	s.media.pause(now, d)
}

// observeUsage slows the broadcast down when the usage headers that came with the
// batch's answers pass the threshold, and pauses it when they say how long access
// is lost. Each answer carries the usage of its own response (a success's
// SendResponse.Usage, a failure's GraphError.Usage); the newest one counts.
func (s *sender) observeUsage(results []result, sentAt time.Time) {
	var u messenger.Usage
	for _, r := range results {
		var ge *messenger.GraphError
		switch {
		case r.resp != nil && !r.resp.Usage.Empty():
			u = r.resp.Usage
		case errors.As(r.err, &ge) && !ge.Usage.Empty():
			u = ge.Usage
		}
	}
	if u.Empty() {
		return
	}
	pct := 0
	if u.App != nil {
		pct = max(pct, u.App.Max())
	}
	if u.Page != nil {
		pct = max(pct, u.Page.Max())
	}
	for _, b := range u.Business {
		pct = max(pct, b.Max())
	}
	if pct >= s.usage || u.RegainAccessIn() > 0 {
		s.throttle(sentAt, cutOnUsage, u.RegainAccessIn())
	}
}
