package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/broadcast"
	"github.com/gomessenger/messenger/store"
)

// topic is the one-time notification topic people opt in to (the payload of
// the request template): a broadcast may use their token when they are outside
// the 24-hour window.
const topic = "kettle-news"

// runName keeps journal file names tame: the run name comes from a request.
var runName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// announcement is one broadcast: a text, with {first_name} filled from the
// audience file, to everyone in it.
type announcement struct {
	client   *messenger.Client
	state    store.Store // windows and tokens, as the webhook recorded them
	dataDir  string      // journals and audit logs
	audience string      // CSV file: psid,first_name
	// workers caps concurrent sends; zero lets broadcast size the pool for its rate.
	workers int
}

// send plans and sends the broadcast named run, writing the plan, the progress
// and the report to w. Sending it again with the same run resumes it: the
// journal <run>.journal in the data directory remembers everyone already
// handled, so nobody gets the message twice. With dryRun it only plans.
func (a *announcement) send(ctx context.Context, run, text string, dryRun bool, w io.Writer) (*broadcast.Summary, error) {
	if !runName.MatchString(run) {
		return nil, fmt.Errorf("run %q: want 1 to 64 letters, digits, '-' or '_'", run)
	}
	if text == "" {
		return nil, errors.New("text: the message is empty")
	}
	audit, err := os.OpenFile(filepath.Join(a.dataDir, run+".audit.jsonl"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	defer audit.Close()
	b := &broadcast.Broadcast{
		Page:     a.client.PageID(),
		Audience: broadcast.CSVFile(a.audience), // streamed: the file may be huge
		Render: func(ctx context.Context, r broadcast.Recipient) (*messenger.Message, error) {
			return messenger.Text(fill(text, r.Fields)), nil
		},
		// Inside the person's 24-hour window as an update; outside it only with a
		// one-time token they granted for the topic. No message tag: a sale is
		// promotional, and no tag may carry that.
		Ways:    broadcast.Auto(topic),
		Windows: a.state,
		Tokens:  a.state,
		// On shutdown, sends already on the wire get this long to finish and be
		// recorded: less than the HTTP server's drain, so the report still goes out.
		DrainTimeout: 5 * time.Second,
		Workers:      a.workers,
		// Retry people Graph refused in an earlier run of this broadcast: nothing
		// reached them. Unknown outcomes are never repeated.
		RetryFailed: true,
		Audit:       audit, // one JSON line per person: the trail for support questions
		Progress: func(p broadcast.Progress) {
			fmt.Fprintln(w, p)
		},
	}
	// The journal records who was handled; opened before planning, the plan of a
	// resumed run shows only who is left.
	journal, err := broadcast.OpenFileJournal(filepath.Join(a.dataDir, run+".journal"))
	if err != nil {
		return nil, err
	}
	defer journal.Close()
	b.Journal = journal
	plan, err := b.Plan(ctx, a.client)
	if err != nil {
		return nil, err
	}
	if err := plan.WriteText(w); err != nil {
		return nil, err
	}
	if dryRun {
		return plan, nil
	}
	b.Expected = plan.Recipients
	sum, sendErr := b.Send(ctx, a.client)
	if sum != nil {
		if err := sum.WriteText(w); err != nil {
			return sum, errors.Join(sendErr, err)
		}
	}
	return sum, sendErr
}

// fill replaces {first_name} in text with the recipient's first name, or
// "there" for people the audience file has no name for.
func fill(text string, fields map[string]string) string {
	return strings.ReplaceAll(text, "{first_name}", cmp.Or(fields["first_name"], "there"))
}
