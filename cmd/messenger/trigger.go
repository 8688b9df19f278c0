package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/messengertest"
)

// triggerEvents builds each event kind from the flags with the SDK's event types
// (docs/platform.md, “Webhook events”), so the body is what messenger.ParseEvents reads.
var triggerEvents = map[string]func(f *triggerFlags) (messenger.Event, error){
	"message": func(f *triggerFlags) (messenger.Event, error) {
		m := messenger.ReceivedMessage{MID: f.mid, Text: f.text}
		if f.payload != "" {
			m.QuickReply = &messenger.QuickReplyPayload{Payload: f.payload}
		}
		return &messenger.MessageEvent{Message: m}, nil
	},
	"postback": func(f *triggerFlags) (messenger.Event, error) {
		return &messenger.PostbackEvent{MID: f.mid, Title: f.title, Payload: f.payload, Referral: referralOf(f)}, nil
	},
	"referral": func(f *triggerFlags) (messenger.Event, error) {
		r := referralOf(f)
		if r == nil {
			r = &messenger.Referral{Source: f.source, Type: "OPEN_THREAD"}
		}
		return &messenger.ReferralEvent{Referral: *r}, nil
	},
	"optin": func(f *triggerFlags) (messenger.Event, error) {
		tok := f.token
		if tok == "" {
			tok = "otn_trigger_token"
		}
		return &messenger.OptinEvent{Type: "one_time_notif_req", Payload: f.payload, OneTimeNotifToken: tok}, nil
	},
	"reaction": func(f *triggerFlags) (messenger.Event, error) {
		return &messenger.ReactionEvent{Reaction: f.reaction, Action: "react", MID: f.mid}, nil
	},
	"read": func(f *triggerFlags) (messenger.Event, error) {
		return &messenger.ReadEvent{Watermark: f.at}, nil
	},
	"delivery": func(f *triggerFlags) (messenger.Event, error) {
		return &messenger.DeliveryEvent{MIDs: []string{f.mid}, Watermark: f.at}, nil
	},
	"handover": func(f *triggerFlags) (messenger.Event, error) {
		switch f.handover {
		case "pass":
			return &messenger.PassThreadControlEvent{PreviousOwnerAppID: messenger.PageInboxAppID, NewOwnerAppID: f.appID, Metadata: f.metadata}, nil
		case "take":
			return &messenger.TakeThreadControlEvent{PreviousOwnerAppID: f.appID, NewOwnerAppID: messenger.PageInboxAppID, Metadata: f.metadata}, nil
		case "request":
			return &messenger.RequestThreadControlEvent{RequestedOwnerAppID: messenger.PageInboxAppID, Metadata: f.metadata}, nil
		}
		return nil, usagef("--handover must be pass, take or request, got %q", f.handover)
	},
	"comment": func(f *triggerFlags) (messenger.Event, error) {
		post := f.page + "_900000000000001"
		return &messenger.FeedEvent{Field: "feed", Item: "comment", Verb: "add", Message: f.text,
			PostID: post, ParentID: post, CommentID: fmt.Sprintf("900000000000001_%d", f.at.Unix()),
			From: messenger.Party{ID: f.psid, Name: "Trigger User"}, CreatedTime: f.at}, nil
	},
}

// referralSources are the referral sources trigger builds events for.
var referralSources = []string{"SHORTLINK", "ADS", "MESSENGER_CODE", "DISCOVER_TAB", "CUSTOMER_CHAT_PLUGIN"}

func referralOf(f *triggerFlags) *messenger.Referral {
	if f.ref == "" {
		return nil
	}
	r := &messenger.Referral{Ref: f.ref, Source: f.source, Type: "OPEN_THREAD"}
	if f.source == "ADS" {
		r.AdID = "6000000000000001"
	}
	return r
}

type triggerFlags struct {
	url, secret, page, psid                string
	text, title, payload, ref, source, mid string
	reaction, token, handover, appID       string
	metadata                               string
	at                                     time.Time
}

func eventNames() string {
	names := make([]string, 0, len(triggerEvents))
	for k := range triggerEvents {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func runTrigger(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("trigger", "--url URL --app-secret S <event> [flags]",
		`Posts one webhook event, in Meta's envelope and signed with the app secret
(X-Hub-Signature-256 and X-Hub-Signature), to a local webhook endpoint and prints
the answer. Events: `+eventNames()+`.`)
	var f triggerFlags
	fs.StringVar(&f.url, "url", "", "webhook `URL` to post to (required)")
	fs.StringVar(&f.secret, "app-secret", "", "app `secret` to sign with (required)")
	fs.StringVar(&f.page, "page", messengertest.DefaultPageID, "Page `id` of the event")
	fs.StringVar(&f.psid, "psid", "1254459154682919", "sender's `PSID`")
	fs.StringVar(&f.text, "text", "hello", "message `text` (message)")
	fs.StringVar(&f.title, "title", "Get Started", "button `title` (postback)")
	fs.StringVar(&f.payload, "payload", "", "`payload` of a postback, quick reply (message) or opt-in")
	fs.StringVar(&f.ref, "ref", "", "referral `ref` (referral, postback)")
	fs.StringVar(&f.source, "source", "SHORTLINK", "referral `source`: "+strings.Join(referralSources, ", "))
	fs.StringVar(&f.mid, "mid", "", "message `id` (default: generated)")
	fs.StringVar(&f.reaction, "reaction", "love", "`reaction` kind (reaction)")
	fs.StringVar(&f.token, "token", "", "one-time notification `token` (optin)")
	fs.StringVar(&f.handover, "handover", "pass", "handover `kind`: pass, take or request")
	fs.StringVar(&f.appID, "app-id", "2000000000000002", "your app's `id` (handover)")
	fs.StringVar(&f.metadata, "metadata", "", "handover `metadata`")
	now := fs.String("time", "", "event `time`, RFC 3339 (default: now)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("which event? one of %s", eventNames())
	}
	event := fs.Arg(0)
	if err := parseFlags(fs, fs.Args()[1:], stdout); err != nil { // flags after the event
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	build, ok := triggerEvents[event]
	if !ok {
		return usagef("unknown event %q: one of %s", event, eventNames())
	}
	if f.url == "" || f.secret == "" {
		return usagef("--url and --app-secret are required")
	}
	if err := checkHTTPURL("url", f.url); err != nil {
		return err
	}
	if !slices.Contains(referralSources, f.source) {
		return usagef("--source: want one of %s, got %q", strings.Join(referralSources, ", "), f.source)
	}
	if !slices.Contains([]string{"pass", "take", "request"}, f.handover) {
		return usagef("--handover: want pass, take or request, got %q", f.handover)
	}
	f.at = time.Now()
	if *now != "" {
		t, err := time.Parse(time.RFC3339, *now)
		if err != nil {
			return usagef("--time: want an RFC 3339 time, got %q", *now)
		}
		f.at = t
	}
	if f.mid == "" {
		f.mid = fmt.Sprintf("m_trigger%d", f.at.UnixNano())
	}
	ev, err := build(&f)
	if err != nil {
		return err
	}
	in := ev.Info()
	in.PageID, in.Sender, in.Recipient, in.Time = f.page, messenger.Party{ID: f.psid}, messenger.Party{ID: f.page}, f.at
	body, err := messenger.MarshalEnvelope(ev)
	if err != nil {
		return err
	}
	return postSigned(ctx, stdout, f.url, f.secret, event, body)
}

func postSigned(ctx context.Context, stdout io.Writer, target, secret, event string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", messenger.SignPayload(body, secret))
	req.Header.Set("X-Hub-Signature", messenger.SignPayloadSHA1(body, secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("posting %s event: %w", event, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	fmt.Fprintf(stdout, "event:  %s\nbody:   %s\nstatus: %s\n", event, body, resp.Status)
	if a := strings.TrimSpace(string(answer)); a != "" {
		fmt.Fprintf(stdout, "answer: %s\n", a)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}
