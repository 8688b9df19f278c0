package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/broadcast"
	"github.com/gomessenger/messenger/messengertest"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/filestore"
	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/tags"
)

// Environment variables that hold the credentials of a real broadcast: the names the
// examples use.
const (
	envPageToken = "PAGE_ACCESS_TOKEN"
	envAppSecret = "APP_SECRET"
	envPageID    = "PAGE_ID"
	// envBaseURL points the client at another Graph address, such as the base_url
	// "messenger fake" prints.
	envBaseURL = "GRAPH_BASE_URL"
)

// runBroadcast is the broadcast verb: plan or send one text to an audience file.
func runBroadcast(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("broadcast", "--audience FILE --text TEXT [--tag TAG] [--topic TOPIC] [--dry-run] [--journal PATH] [--rate N] [--now TIME]",
		`Sends one message to everyone in an audience file (CSV with a "psid" column, or JSON
lines with a "psid" member), each by a way the platform's rules allow now: inside the
24-hour window (UPDATE), else with --tag if its rule allows, else with a one-time
notification token for --topic. Nobody is sent to twice, even across a crash when
--journal is given (run the same command again to resume). Progress goes to stderr;
the summary to stdout; --audit writes one JSON line per recipient.

With `+envPageToken+` (and `+envPageID+`, optionally `+envAppSecret+` and
`+envBaseURL+`) set, it sends for real, reading windows and tokens from --store
(the file store your bot's webhook writes). Without them it sends to an in-process
fake Graph server: the audience's optional columns "last_message" (a duration ago
such as 3h or 2d, or an RFC 3339 time) and "optin" (a topic) make the simulated
people write to the Page and opt in first; the fake clock starts at --now (default:
the current time).

--text may name audience columns in braces: "Hi {first_name}, it is back".
The audience is checked before anything is sent: a CSV needs a "psid" column (or
no header at all), every PSID must be digits, and every {column} must be in every
row. Exit status: 0 when the whole audience was gone through (whatever each
person's outcome, see the summary), 1 when the run stopped early, 2 for bad flags
or a bad audience.`)
	audience := fs.String("audience", "", "audience `file`: .csv, or .jsonl/.ndjson (JSON lines)")
	text := fs.String("text", "", "the message `text`; {column} is replaced by the recipient's column")
	tag := fs.String("tag", "", "also send outside the window with this message `tag`, where its rule allows")
	topic := fs.String("topic", "", "also send with one-time notification tokens for this `topic`")
	dryRun := fs.Bool("dry-run", false, "print the plan: who would be sent to, how, and why not the others; send nothing")
	journalPath := fs.String("journal", "", "journal `file` (JSON lines) that makes the broadcast resumable")
	auditPath := fs.String("audit", "", "write one JSON line per recipient to this `file`")
	rate := fs.Float64("rate", broadcast.DefaultRate, "at most `N` messages per second, above 0 and at most 300 (Meta's limit per Page)")
	batch := fs.Int("batch", 0, "send `N` messages per Graph batch request, at most 50 (0: one per request)")
	nowFlag := fs.String("now", "", "without credentials: start the fake clock at this `time`, RFC 3339 or a date (default: now)")
	storePath := fs.String("store", "", "the bot's window and token store `file` (store/filestore); needed with credentials")
	retryFailed := fs.Bool("retry-failed", false, "when resuming, send again to recipients an earlier run recorded as failed")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *audience == "" || *text == "" {
		return usagef("--audience and --text are required")
	}
	if !(*rate > 0 && *rate <= broadcast.MaxRate) {
		return usagef("--rate: want a number of messages per second above 0 and at most %d (Meta's limit per Page), got %v", broadcast.MaxRate, *rate)
	}
	if *batch < 0 || *batch > messenger.MaxBatch {
		return usagef("--batch: want 0 (one message per request) to %d (a Graph batch's most), got %d", messenger.MaxBatch, *batch)
	}
	token := os.Getenv(envPageToken)
	start := time.Now().UTC().Truncate(time.Second)
	if *nowFlag != "" {
		if token != "" {
			return usagef("--now sets the fake's clock: it cannot be used with %s (a real broadcast runs now)", envPageToken)
		}
		t, ok := parseNow(*nowFlag)
		if !ok {
			return usagef("--now: want an RFC 3339 time (2026-07-01T12:00:00Z) or a date (2026-07-01), got %q", *nowFlag)
		}
		start = t
	}
	aud, err := audienceFile(*audience)
	if err != nil {
		return err
	}
	expected, err := checkAudience(*audience, aud, placeholders(*text))
	if err != nil {
		return err
	}
	env, err := newBroadcastEnv(ctx, token, *storePath, start, aud)
	if err != nil {
		return err
	}
	defer env.close()
	if env.fake != nil {
		fmt.Fprintf(stderr, "no %s: sending to an in-process fake Graph server (nothing leaves this machine)\n", envPageToken)
	}

	b := &broadcast.Broadcast{
		Page:        env.page,
		Audience:    aud,
		Ways:        []broadcast.Way{broadcast.InWindow()},
		Windows:     env.windows,
		Tokens:      env.tokens,
		Now:         env.now,
		Rate:        *rate,
		BatchSize:   *batch,
		RetryFailed: *retryFailed,
		Progress:    broadcast.ProgressBar(stderr),
	}
	if strings.Contains(*text, "{") {
		b.Render = renderText(*text)
	} else {
		b.Message = messenger.Text(*text)
	}
	if *tag != "" {
		t, err := tags.Parse(*tag, env.now())
		if err != nil {
			return usagef("--tag: %v", err)
		}
		b.Ways = append(b.Ways, broadcast.ByTag(t))
	}
	if *topic != "" {
		b.Ways = append(b.Ways, broadcast.ByOneTimeToken(*topic))
	}
	b.Expected = expected
	if *auditPath != "" {
		f, err := os.OpenFile(*auditPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		b.Audit = f
	}

	if *dryRun {
		sum, err := b.Plan(ctx, env.client)
		if sum != nil {
			_ = sum.WriteText(stdout)
		}
		return err
	}
	if *journalPath != "" {
		j, err := broadcast.OpenFileJournal(*journalPath)
		if err != nil {
			return err
		}
		defer j.Close()
		b.Journal = j
	} else if env.fake == nil {
		fmt.Fprintln(stderr, "warning: without --journal an interrupted broadcast cannot be resumed safely")
	}
	sum, err := b.Send(ctx, env.client)
	if sum != nil {
		_ = sum.WriteText(stdout)
	}
	if env.fake != nil {
		fmt.Fprintf(stdout, "the fake Graph server accepted %d messages\n", len(env.fake.Sent()))
	}
	if errors.Is(err, context.Canceled) && *journalPath != "" {
		return fmt.Errorf("interrupted; run the same command again to resume from %s", *journalPath)
	}
	return err
}

// audienceFile picks the reader by the file's extension.
func audienceFile(path string) (iter.Seq2[broadcast.Recipient, error], error) {
	if _, err := os.Stat(path); err != nil {
		return nil, usagef("--audience: %v", err)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return broadcast.CSVFile(path), nil
	case ".jsonl", ".ndjson", ".json":
		return broadcast.JSONLinesFile(path), nil
	}
	return nil, usagef("--audience: want a .csv or .jsonl file, got %q", path)
}

// renderText replaces {column} with the recipient's column; a missing column fails
// that recipient.
func renderText(tmpl string) func(context.Context, broadcast.Recipient) (*messenger.Message, error) {
	return func(_ context.Context, r broadcast.Recipient) (*messenger.Message, error) {
		var b strings.Builder
		rest := tmpl
		for {
			open := strings.IndexByte(rest, '{')
			if open < 0 {
				b.WriteString(rest)
				break
			}
			end := strings.IndexByte(rest[open:], '}')
			if end < 0 {
				b.WriteString(rest)
				break
			}
			name := rest[open+1 : open+end]
			v, ok := r.Fields[name]
			if name == "psid" {
				v, ok = r.PSID, true
			}
			if !ok {
				return nil, fmt.Errorf("the audience has no column %q for {%s}", name, name)
			}
			b.WriteString(rest[:open])
			b.WriteString(v)
			rest = rest[open+end+1:]
		}
		return messenger.Text(b.String()), nil
	}
}

// broadcastEnv is where a broadcast sends and what it knows of people: Graph and
// the bot's store, or a fake Graph and a store seeded from the audience.
type broadcastEnv struct {
	client  *messenger.Client
	page    string
	windows store.Windows
	tokens  store.Tokens
	now     func() time.Time
	fake    *messengertest.Server
	close   func()
}

// newBroadcastEnv connects to Graph with the credentials in the environment and
// opens the bot's store, or, without credentials, starts a fake Graph server and
// seeds it from the audience.
func newBroadcastEnv(ctx context.Context, token, storePath string, start time.Time, aud iter.Seq2[broadcast.Recipient, error]) (*broadcastEnv, error) {
	if token != "" {
		pageID := os.Getenv(envPageID)
		if pageID == "" {
			return nil, usagef("%s is set: set %s too (the store is keyed by Page)", envPageToken, envPageID)
		}
		if storePath == "" {
			return nil, usagef("%s is set: --store is required (the window and token store your bot's webhook writes)", envPageToken)
		}
		opts := []messenger.Option{messenger.WithPageID(pageID)}
		if secret := os.Getenv(envAppSecret); secret != "" {
			opts = append(opts, messenger.WithAppSecret(secret))
		}
		if base := os.Getenv(envBaseURL); base != "" {
			opts = append(opts, messenger.WithBaseURL(base))
		}
		client, err := messenger.New(token, opts...)
		if err != nil {
			return nil, err
		}
		st, err := filestore.Open(storePath, filestore.WithLockTimeout(2*time.Second))
		if err != nil {
			return nil, fmt.Errorf("opening --store (is the bot running with it open?): %w", err)
		}
		return &broadcastEnv{client: client, page: pageID, windows: st, tokens: st, now: time.Now, close: func() { st.Close() }}, nil
	}
	srv, err := messengertest.Start(messengertest.WithNow(start))
	if err != nil {
		return nil, err
	}
	st, err := memstore.New(memstore.WithClock(srv.Now))
	if err != nil {
		srv.Close()
		return nil, err
	}
	if err := seedFake(ctx, srv, st, aud); err != nil {
		srv.Close()
		return nil, err
	}
	return &broadcastEnv{client: srv.Client(), page: srv.PageID(), windows: st, tokens: st, now: srv.Now, fake: srv,
		close: func() { srv.Close() }}, nil
}

// seedFake makes the simulated people of the audience act as its columns say:
// "last_message" writes to the Page that long ago, "optin" opts in to a topic.
func seedFake(ctx context.Context, srv *messengertest.Server, st *memstore.Store, aud iter.Seq2[broadcast.Recipient, error]) error {
	now := srv.Now()
	defer srv.SetNow(now)
	for r, err := range aud {
		if err != nil {
			continue // the broadcast reports bad rows itself
		}
		u := srv.User(r.PSID)
		if raw := r.Fields["last_message"]; raw != "" {
			at, err := parseInstant(raw, now)
			if err != nil {
				return fmt.Errorf("audience: %s: last_message: %w", r.PSID, err)
			}
			srv.SetNow(at)
			if _, err := u.Says("hi"); err != nil && !errors.Is(err, messengertest.ErrNoWebhook) {
				return err
			}
			if err := st.RecordAction(ctx, srv.PageID(), r.PSID, store.Action{Kind: store.ActionMessage, At: at}); err != nil {
				return err
			}
			srv.SetNow(now)
		}
		if topic := r.Fields["optin"]; topic != "" {
			tok, err := u.OptsIn(topic)
			if err != nil && tok == "" {
				return err
			}
			if err := st.PutToken(ctx, store.Token{Value: tok, Kind: store.OneTimeKind, Page: srv.PageID(), User: r.PSID,
				Topic: topic, IssuedAt: now, ExpiresAt: now.AddDate(1, 0, 0), State: store.TokenLive}); err != nil {
				return err
			}
		}
	}
	return nil
}
