package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gomessenger/messenger/messengertest"
)

// triggerEvents builds the messaging item (or feed change) of each event kind from
// the flags (reference §3.6).
var triggerEvents = map[string]func(f *triggerFlags) (map[string]any, error){
	"message": func(f *triggerFlags) (map[string]any, error) {
		m := map[string]any{"mid": f.mid, "text": f.text}
		if f.payload != "" {
			m["quick_reply"] = map[string]any{"payload": f.payload}
		}
		return map[string]any{"message": m}, nil
	},
	"postback": func(f *triggerFlags) (map[string]any, error) {
		pb := map[string]any{"mid": f.mid, "title": f.title, "payload": f.payload}
		if f.ref != "" {
			pb["referral"] = referralOf(f)
		}
		return map[string]any{"postback": pb}, nil
	},
	"referral": func(f *triggerFlags) (map[string]any, error) {
		return map[string]any{"referral": referralOf(f)}, nil
	},
	"optin": func(f *triggerFlags) (map[string]any, error) {
		tok := f.token
		if tok == "" {
			tok = "otn_trigger_token"
		}
		return map[string]any{"optin": map[string]any{"type": "one_time_notif_req", "payload": f.payload, "one_time_notif_token": tok}}, nil
	},
	"reaction": func(f *triggerFlags) (map[string]any, error) {
		return map[string]any{"reaction": map[string]any{"reaction": f.reaction, "action": "react", "mid": f.mid}}, nil
	},
	"read": func(f *triggerFlags) (map[string]any, error) {
		return map[string]any{"read": map[string]any{"watermark": f.at.UnixMilli()}}, nil
	},
	"delivery": func(f *triggerFlags) (map[string]any, error) {
		return map[string]any{"delivery": map[string]any{"mids": []string{f.mid}, "watermark": f.at.UnixMilli()}}, nil
	},
	"handover": func(f *triggerFlags) (map[string]any, error) {
		switch f.handover {
		case "pass":
			return map[string]any{"pass_thread_control": map[string]any{"previous_owner_app_id": messengertest.PageInboxAppID, "new_owner_app_id": f.appID, "metadata": f.metadata}}, nil
		case "take":
			return map[string]any{"take_thread_control": map[string]any{"previous_owner_app_id": f.appID, "new_owner_app_id": messengertest.PageInboxAppID, "metadata": f.metadata}}, nil
		case "request":
			return map[string]any{"request_thread_control": map[string]any{"requested_owner_app_id": messengertest.PageInboxAppID, "metadata": f.metadata}}, nil
		}
		return nil, usagef("--handover must be pass, take or request, got %q", f.handover)
	},
	"comment": nil, // a feed change, built by commentChange
}

func referralOf(f *triggerFlags) map[string]any {
	r := map[string]any{"ref": f.ref, "source": f.source, "type": "OPEN_THREAD"}
	if f.source == "ADS" {
		r["ad_id"] = "6000000000000001"
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
	fs.StringVar(&f.source, "source", "SHORTLINK", "referral `source`: SHORTLINK or ADS")
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
	if u, err := url.Parse(f.url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--url: want an absolute http(s) URL, got %q", f.url)
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
	var entry map[string]any
	if event == "comment" {
		entry = map[string]any{"id": f.page, "time": f.at.Unix(), "changes": []any{map[string]any{"field": "feed", "value": map[string]any{
			"from": map[string]any{"id": f.psid, "name": "Trigger User"}, "item": "comment", "verb": "add", "message": f.text,
			"post_id": f.page + "_900000000000001", "parent_id": f.page + "_900000000000001", "comment_id": "900000000000001_" + fmt.Sprint(f.at.Unix()),
			"created_time": f.at.Unix()}}}}
	} else {
		item, err := build(&f)
		if err != nil {
			return err
		}
		item["sender"] = map[string]any{"id": f.psid}
		item["recipient"] = map[string]any{"id": f.page}
		item["timestamp"] = f.at.UnixMilli()
		entry = map[string]any{"id": f.page, "time": f.at.UnixMilli(), "messaging": []any{item}}
	}
	body, err := json.Marshal(map[string]any{"object": "page", "entry": []any{entry}})
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
	m256 := hmac.New(sha256.New, []byte(secret))
	m256.Write(body)
	m1 := hmac.New(sha1.New, []byte(secret))
	m1.Write(body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(m256.Sum(nil)))
	req.Header.Set("X-Hub-Signature", "sha1="+hex.EncodeToString(m1.Sum(nil)))
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
