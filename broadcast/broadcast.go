package broadcast

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/policy"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/tags"
)

// Rate limits of the Send API per Page (docs/platform.md, “Rate limits”).
const (
	// MaxRate is the Send API's limit for text, links, reactions and stickers:
	// 300 calls per second per Page.
	MaxRate = 300
	// MaxMediaRate is the limit for audio and video: 10 calls per second per Page.
	MaxMediaRate = 10
	// DefaultRate is the rate of a Broadcast with Rate zero. It stays under 40
	// messages per second, above which Meta stops showing the Page's conversations
	// in Page Inbox until the volume drops (docs/platform.md, “Rate limits”).
	DefaultRate = 39
	// DefaultMaxAttempts is how many times a recipient is sent to when Graph fails
	// temporarily, with the whole broadcast paused in between.
	DefaultMaxAttempts = 6
	// DefaultUsageThreshold is the usage-header percentage from which the broadcast
	// slows down before Graph throttles it (Graph throttles at 100).
	DefaultUsageThreshold = 80
	// DefaultDrainTimeout bounds how long sends already on the wire may take to
	// finish after the broadcast's context is cancelled.
	DefaultDrainTimeout = 15 * time.Second
)

// Broadcast is one message fanned out to an audience: planned against the Page's
// rules ([Broadcast.Plan]) and sent at a rate Graph accepts, resumably
// ([Broadcast.Send]). Fill the fields and call the methods; a Broadcast is not
// changed by them, and Plan and Send may be called many times (Send with the same
// Journal resumes).
type Broadcast struct {
	// Page is the id of the Page sending, as the window and token stores know it.
	// Send uses the client's PageID when empty.
	Page string

	// Audience yields the recipients. It is iterated once per Plan or Send, never
	// held in memory: use a generator, a database cursor, [CSVFile] or
	// [JSONLinesFile]. Yield a *RowError for a bad row (it is counted as
	// StateInvalid); any other error stops the run.
	Audience iter.Seq2[Recipient, error]
	// Message is sent to everyone; set exactly one of Message and Render.
	Message *messenger.Message
	// Render makes the message for one recipient (from Recipient.Fields). An error
	// fails that recipient without sending; it must be safe for concurrent use.
	Render func(ctx context.Context, r Recipient) (*messenger.Message, error)
	// Notification is the notification_type of every send; empty means REGULAR.
	Notification messenger.NotificationType
	// Promotional marks promotional content, which no message tag may carry
	// (docs/platform.md, “The 24-hour window”): with it, tag ways are always refused.
	Promotional bool
	// NewsPage says the Page is in the News Page Index (NON_PROMOTIONAL_SUBSCRIPTION).
	NewsPage bool

	// Ways are the ways the broadcast may reach a person, tried in order; the first
	// one the rules allow now is used and the person is skipped when none is. See
	// [InWindow], [ByTag], [ByOneTimeToken] and [Auto]. RESPONSE (a reply) and
	// HUMAN_AGENT (human-written only) are refused: a broadcast is neither.
	Ways []Way
	// Windows tells when each person last acted (the webhook records it); needed by
	// ways that send to the PSID. Tokens holds the notification tokens; needed by
	// token ways. The stores of store/memstore, store/filestore and redisstore
	// provide both.
	Windows store.Windows
	Tokens  store.Tokens
	// Rules judges each send; nil means policy.Default().
	Rules *policy.Rules
	// Now is the policy clock, the instant every rule is judged at. nil means the
	// clock of the client given to Plan and Send (Client.Now, set with
	// messenger.WithClock), so a plan and its send judge at the same instant
	// source; time.Now only when Plan is given no client. The pacing of sends
	// always uses real time.
	Now func() time.Time

	// Rate is the most messages per second, at most MaxRate; zero means DefaultRate.
	// Audio and video messages are also held to MediaRate (zero: MaxMediaRate).
	Rate      float64
	MediaRate float64
	// Workers is the number of concurrent sends; zero picks enough to keep Rate
	// busy with half a second of Graph latency (at most 64).
	Workers int
	// BatchSize above 1 sends that many messages per Graph batch request (at most
	// messenger.MaxBatch, docs/platform.md, “Batch requests”); each still counts against Rate.
	BatchSize int
	// MaxAttempts bounds sends to one recipient that fail temporarily (after the
	// client's own retries); throttling answers may come ten times as often, as
	// Graph's throttling is about the Page and passes once the broadcast paused.
	// Zero means DefaultMaxAttempts.
	MaxAttempts int
	// UsageThreshold is the usage-header percentage (X-App-Usage,
	// X-Business-Use-Case-Usage) from which the broadcast slows down; zero means
	// DefaultUsageThreshold, 100 only reacts to throttling.
	UsageThreshold int
	// DrainTimeout bounds how long sends on the wire may take to finish after the
	// context is cancelled (their outcome is recorded); zero means
	// DefaultDrainTimeout. A send cut off by it ends StateUnknown.
	DrainTimeout time.Duration

	// Journal checkpoints each recipient; nil means a fresh MemoryJournal (no
	// resuming after a crash). Use [OpenFileJournal] to survive one.
	Journal Journal
	// Name is the broadcast's name ("spring-sale"): what its Journal is for. It
	// prefixes the id of each run, which Send generates anew on every call
	// ("spring-sale/20260501T120000Z-a1b2c3") and writes in Entry.Run and
	// Summary.Run, so a resumed run never mistakes the outcomes of the runs
	// before it for duplicates in its own audience. The journal, not the name,
	// decides who was already handled: to resume a broadcast, call Send again
	// with the same Journal; for a new broadcast, use a new Journal.
	Name string
	// RetryFailed makes a resumed run send again to recipients an earlier run
	// recorded as failed: Graph refused them, so nothing was delivered. Skipped and
	// unknown recipients are never retried.
	RetryFailed bool

	// Audit, when set, receives one JSON line (an [Entry]) per audience row: the
	// plan for Plan, the final state for Send (from earlier runs too).
	Audit io.Writer
	// Progress, when set, is called every ProgressEvery (zero: one second) and once
	// at the end, from one goroutine at a time.
	Progress      func(Progress)
	ProgressEvery time.Duration
	// Expected is the audience's size if known (a previous Plan's Recipients, a
	// line count), for Progress.ETA.
	Expected int
}

// RuleNoToken is the rule id of a token way refused because the person holds no
// live token of the way's kind for its topic.
const RuleNoToken = "token.none"

// config is a Broadcast checked and completed with its defaults.
type config struct {
	*Broadcast
	page        string
	now         func() time.Time
	rate        float64
	mediaRate   float64
	workers     int
	batch       int
	maxAttempts int
	usage       int
	drain       time.Duration
	every       time.Duration
}

func invalid(field, limit, value, reason string) error {
	return &messenger.ValidationError{Field: "Broadcast." + field, Limit: limit, Value: value, Reason: reason}
}

// prepare checks b and fills in defaults; client may be nil for Plan.
func (b *Broadcast) prepare(client *messenger.Client) (*config, error) {
	c := &config{Broadcast: b, page: b.Page}
	var errs []error
	fail := func(err error) { errs = append(errs, err) }
	if c.page == "" && client != nil {
		c.page = client.PageID()
	}
	if c.page == "" {
		fail(invalid("Page", "the id of the sending Page", `""`, "the window and token stores are keyed by Page; the client does not know its Page id either (messenger.WithPageID)"))
	}
	if b.Audience == nil {
		fail(invalid("Audience", "set", "nil", ""))
	}
	switch {
	case b.Message == nil && b.Render == nil:
		fail(invalid("Message", "set, or Render set", "neither", "a broadcast needs something to send"))
	case b.Message != nil && b.Render != nil:
		fail(invalid("Message", "unset when Render is set", "both", ""))
	case b.Message != nil:
		if err := b.Message.Validate(); err != nil {
			fail(fmt.Errorf("broadcast: Broadcast.Message: %w", err))
		}
	}
	switch b.Notification {
	case "", messenger.NotifyRegular, messenger.NotifySilentPush, messenger.NotifyNoPush:
	default:
		fail(invalid("Notification", fmt.Sprintf("one of %s, %s, %s", messenger.NotifyRegular, messenger.NotifySilentPush, messenger.NotifyNoPush),
			fmt.Sprintf("%q", b.Notification), ""))
	}
	c.now = b.Now
	if c.now == nil {
		if client != nil {
			c.now = client.Now
		} else {
			c.now = time.Now
		}
	}
	if len(b.Ways) == 0 {
		fail(invalid("Ways", "at least one way", "none", "say how people may be reached: InWindow(), ByTag(t), ByOneTimeToken(topic) or Auto(...)"))
	}
	for i, w := range b.Ways {
		if err := c.checkWay(i, w); err != nil {
			fail(err)
		}
	}
	c.rate, c.mediaRate = b.Rate, b.MediaRate
	if c.rate == 0 {
		c.rate = DefaultRate
	}
	if c.mediaRate == 0 {
		c.mediaRate = MaxMediaRate
	}
	if !(c.rate > 0 && c.rate <= MaxRate) {
		fail(invalid("Rate", "above 0 and at most "+strconv.Itoa(MaxRate)+" messages per second", fmt.Sprint(b.Rate), "Meta's Send API limit per Page (docs/platform.md, “Rate limits”)"))
	}
	if !(c.mediaRate > 0 && c.mediaRate <= MaxMediaRate) {
		fail(invalid("MediaRate", "above 0 and at most "+strconv.Itoa(MaxMediaRate)+" messages per second", fmt.Sprint(b.MediaRate), "Meta's limit for audio and video per Page (docs/platform.md, “Rate limits”)"))
	}
	c.batch = max(b.BatchSize, 1)
	if b.BatchSize < 0 || b.BatchSize > messenger.MaxBatch {
		fail(invalid("BatchSize", "between 0 and "+strconv.Itoa(messenger.MaxBatch), strconv.Itoa(b.BatchSize), "a Graph batch holds at most 50 operations (docs/platform.md, “Batch requests”)"))
	}
	c.workers = b.Workers
	if c.workers == 0 {
		c.workers = min(64, max(2, int(c.rate/2/float64(c.batch))+1))
	}
	if b.Workers < 0 || b.Workers > 1024 {
		fail(invalid("Workers", "between 0 and 1024", strconv.Itoa(b.Workers), ""))
	}
	c.maxAttempts = b.MaxAttempts
	if c.maxAttempts == 0 {
		c.maxAttempts = DefaultMaxAttempts
	}
	if b.MaxAttempts < 0 || b.MaxAttempts > 100 {
		fail(invalid("MaxAttempts", "between 0 and 100", strconv.Itoa(b.MaxAttempts), ""))
	}
	c.usage = b.UsageThreshold
	if c.usage == 0 {
		c.usage = DefaultUsageThreshold
	}
	if b.UsageThreshold < 0 || b.UsageThreshold > 100 {
		fail(invalid("UsageThreshold", "a percentage between 0 and 100", strconv.Itoa(b.UsageThreshold), ""))
	}
	c.drain = b.DrainTimeout
	if c.drain == 0 {
		c.drain = DefaultDrainTimeout
	}
	if b.DrainTimeout < 0 {
		fail(invalid("DrainTimeout", "not negative", b.DrainTimeout.String(), ""))
	}
	c.every = b.ProgressEvery
	if c.every <= 0 {
		c.every = time.Second
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// checkWay refuses ways no broadcast may use, and ways the rules cannot read.
func (c *config) checkWay(i int, w Way) error {
	field := fmt.Sprintf("Ways[%d]", i)
	if w.token() {
		if w.kind() != store.OneTimeKind && w.kind() != store.RecurringKind {
			return invalid(field+".TokenKind", "one_time_notif_token or notification_messages_token", string(w.TokenKind), "")
		}
		if c.Tokens == nil {
			return invalid("Tokens", "set when a way uses notification tokens", "nil", field+" is "+w.String())
		}
		return nil
	}
	switch {
	case w.Type.IsZero():
		return invalid(field+".Type", "a messaging type, or Topic for a token", "none", "")
	case w.Type.Kind == messenger.Response.Kind:
		return invalid(field+".Type", "UPDATE, MESSAGE_TAG or UTILITY", w.Type.Kind, "RESPONSE answers a message the person sent; a broadcast is proactive: use InWindow() (UPDATE, docs/platform.md, “Messaging types”)")
	case w.Type.Tag == tags.HumanAgent:
		return invalid(field+".Type", "a tag for automated messages", string(w.Type.Tag), "HUMAN_AGENT is for replies a person writes, never automated messages (docs/platform.md, “Message tags”)")
	case c.Windows == nil:
		return invalid("Windows", "set when a way sends to the PSID", "nil", field+" is "+w.String())
	}
	now := c.now()
	req := policy.Request{MessagingType: policy.MessagingType(w.Type.Kind), Tag: w.Type.Tag, Recipient: policy.PSID}
	if d := c.Rules.Check(req, policy.Conversation{LastUserMessage: now.Add(-time.Minute)}, now); d.BadInput() {
		return invalid(field+".Type", "a messaging type and tag the rules know", w.String(), d.Reason)
	}
	return nil
}

// judgement is the way chosen for one recipient, or why there is none.
type judgement struct {
	way         int // index into Ways; -1 when skipped
	until       time.Time
	rule        string
	reason      string
	reachableAt time.Time
}

func (j *judgement) allowed() bool { return j.way >= 0 }

// judge finds the first way the rules allow now for psid and msg. It reads the
// window and token stores; their errors are returned (the run stops: a store that
// cannot be read is not a reason to skip anyone).
func (c *config) judge(ctx context.Context, psid string, msg *messenger.Message, now time.Time) (judgement, error) {
	j := judgement{way: -1}
	var (
		conv     policy.Conversation
		haveConv bool
		toks     []store.Token
		haveToks bool
		rules    []string
		reasons  []string
	)
	refuse := func(w Way, rule, reason string, notBefore time.Time) {
		rules = append(rules, w.String()+": "+rule)
		reasons = append(reasons, w.String()+": "+reason)
		if !notBefore.IsZero() && (j.reachableAt.IsZero() || notBefore.Before(j.reachableAt)) {
			j.reachableAt = notBefore
		}
	}
	for i, w := range c.Ways {
		if !w.token() {
			if !haveConv {
				var err error
				if conv, err = messenger.LookupConversation(ctx, c.Windows, c.page, psid); err != nil {
					return j, fmt.Errorf("broadcast: reading the window of %s: %w", psid, err)
				}
				haveConv = true
			}
			d := c.Rules.Check(c.policyRequest(messenger.PSID(psid), w.Type, msg), conv, now)
			if d.Allowed {
				j.way, j.until = i, d.Until
				return j, nil
			}
			refuse(w, d.Rule, d.Reason, d.NotBefore)
			continue
		}
		if !haveToks {
			var err error
			if toks, err = c.Tokens.ListTokens(ctx, c.page, psid); err != nil {
				return j, fmt.Errorf("broadcast: listing the tokens of %s: %w", psid, err)
			}
			haveToks = true
		}
		d, found := c.judgeTokens(w, toks, msg, now)
		if d.Allowed {
			j.way, j.until = i, d.Until
			return j, nil
		}
		if !found {
			refuse(w, RuleNoToken, fmt.Sprintf("no live %s for topic %q", w.kind(), w.Topic), time.Time{})
			continue
		}
		refuse(w, d.Rule, d.Reason, d.NotBefore)
	}
	j.rule, j.reason = join(rules), join(reasons)
	return j, nil
}

// judgeTokens checks the live tokens of w's kind and topic, soonest to expire first
// (the one a claim would pick), and returns the first allowed decision or the
// refusal with the earliest NotBefore. found is false when there is no such token.
func (c *config) judgeTokens(w Way, toks []store.Token, msg *messenger.Message, now time.Time) (best policy.Decision, found bool) {
	var to messenger.Recipient
	if w.kind() == store.RecurringKind {
		to = messenger.RecurringToken("-")
	} else {
		to = messenger.OneTimeToken("-")
	}
	req := c.policyRequest(to, messenger.MessagingType{}, msg)
	for _, t := range toks {
		if t.Kind != w.kind() || t.Topic != w.Topic || t.State != store.TokenLive {
			continue
		}
		d := c.Rules.Check(req, tokenConversation(t), now)
		if d.Allowed {
			if !found || !best.Allowed || d.Until.Before(best.Until) {
				best = d
			}
		} else if !found || (!best.Allowed && !d.NotBefore.IsZero() && (best.NotBefore.IsZero() || d.NotBefore.Before(best.NotBefore))) {
			best = d
		}
		found = true
	}
	return best, found
}

func tokenConversation(t store.Token) policy.Conversation {
	kind := policy.OTNToken
	if t.Kind == store.RecurringKind {
		kind = policy.RecurringToken
	}
	return policy.Conversation{
		TokenKind:      kind,
		TokenIssued:    t.IssuedAt,
		TokenExpires:   t.ExpiresAt,
		TokenUsed:      t.State != store.TokenLive,
		TokenFrequency: t.MinInterval,
		TokenLastUsed:  t.LastUsed,
	}
}

func (c *config) policyRequest(to messenger.Recipient, t messenger.MessagingType, msg *messenger.Message) policy.Request {
	pr := messenger.SendRequest{To: to, Type: t, Message: msg, Promotional: c.Promotional}.PolicyRequest()
	pr.NewsPage = c.NewsPage
	return pr
}

// message is the message for r: Message, or Render's.
func (c *config) message(ctx context.Context, r Recipient) (*messenger.Message, error) {
	if c.Render == nil {
		return c.Message, nil
	}
	m, err := c.Render(ctx, r)
	if err == nil && m == nil {
		err = errors.New("broadcast: Render returned no message")
	}
	return m, err
}

func join(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	n := 0
	for _, p := range parts {
		n += len(p) + 2
	}
	b := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			b = append(b, "; "...)
		}
		b = append(b, p...)
	}
	return string(b)
}
