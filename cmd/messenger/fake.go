package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gomessenger/messenger/messengertest"
)

func runFake(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("fake", "--addr HOST:PORT [--app-secret S] [--require-proof] [--webhook URL] [--graph-version vNN.N]",
		`Serves the fake Graph API of messengertest for test suites in any language, until
interrupted. The first line printed is

  base_url=<http://host:port> token=<page token> app_secret=<webhook signing secret>

Point the bot's Graph client at base_url with the token, and verify the webhooks
it receives (X-Hub-Signature-256) with app_secret. appsecret_proof is checked when
a call carries one and required only with --require-proof, as Graph requires it
only of apps with "Require App Secret" on. The Graph API is under <base_url>/<version>/
(an expired version runs as the oldest usable one, as Graph runs it) and, as Graph
serves them, under paths without a version, which run as the app's default version;
the Facebook-API-Version response header names the version a call ran as. A JSON
control API under <base_url>/_fake/ drives simulated users, the clock and the
records; a field a call does not take is refused with a 400 naming it:

  POST /_fake/users/{psid}/message   {"text": "..."}      -> {"mid": "..."}
  POST /_fake/users/{psid}/optin     {"payload": "..."}   -> {"one_time_notif_token": "..."}
  POST /_fake/users/{psid}/optin     {"type": "notification_messages", "payload": "...",
                                      "frequency": "DAILY"} -> {"notification_messages_token": "..."}
  POST /_fake/users/{psid}/comment   {"message": "..."}   -> {"comment_id": "...", "post_id": "..."}
  POST /_fake/users/{psid}/referral  {"source": "CUSTOMER_CHAT_PLUGIN", "ref": "...",
                                      "referer_uri": "...", "guest": false} -> {"user_ref": "..."}
  POST /_fake/users/{psid}/ice_breaker {"question": "...", "payload": "..."} -> {"mid": "..."}
  POST /_fake/users/{psid}/postback|referral|reaction|read|handover|block|post|name
  POST /_fake/clock                  {"advance": "25h"} or {"now": "<RFC 3339>"} -> {"now": "..."}
  GET  /_fake/sent                   accepted sends, oldest first: wire JSON plus "time",
                                     and the "message_id" and "attachment_id" answered
  POST /_fake/reset                  -> {"now": "..."}: forgets users, sends, tokens, faults
                                     and webhook history; keeps the clock, the flags and
                                     the delivery settings
  POST /_fake/delivery               {"echoes": true, "batch_size": 2, ...}: how webhooks go
  POST /_fake/faults, DELETE /_fake/faults, POST /_fake/flush, GET /_fake/webhooks

With --echoes (or "echoes": true) every accepted message send to a person is echoed
to the webhook as a message_echoes event, after the send was answered.

See the messengertest package documentation for every field.`)
	addr := fs.String("addr", "127.0.0.1:8055", "`host:port` to listen on (port 0 picks a free one)")
	secret := fs.String("app-secret", messengertest.DefaultAppSecret, "app `secret`: signs webhooks and checks appsecret_proof")
	requireProof := fs.Bool("require-proof", false, "refuse Graph calls without an appsecret_proof (Graph's \"Require App Secret\")")
	webhook := fs.String("webhook", "", "`URL` that receives the simulated users' signed webhooks")
	version := fs.String("graph-version", "", "serve only this Graph `version` (e.g. v25.0) and unversioned calls; default: every version")
	token := fs.String("token", messengertest.DefaultPageToken, "Page access `token` the server accepts")
	pageID := fs.String("page-id", messengertest.DefaultPageID, "`id` of the fake Page")
	echoes := fs.Bool("echoes", false, "deliver a message_echoes webhook for every accepted message send (needs --webhook)")
	now := fs.String("now", "", "start the fake clock at this `time`, RFC 3339 or a date (default: now)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := checkAddr("addr", *addr); err != nil {
		return err
	}
	if *secret == "" || *token == "" {
		return usagef("--app-secret and --token must not be empty")
	}
	if !numericID.MatchString(*pageID) {
		return usagef("--page-id: want the Page's numeric id, got %q", *pageID)
	}
	opts := []messengertest.Option{messengertest.WithAddr(*addr), messengertest.WithPageToken(*token),
		messengertest.WithPageID(*pageID), messengertest.WithAppSecret(*secret)}
	if *requireProof {
		opts = append(opts, messengertest.WithRequireProof())
	}
	if *webhook != "" {
		if err := checkHTTPURL("webhook", *webhook); err != nil {
			return err
		}
		opts = append(opts, messengertest.WithWebhookURL(*webhook))
	}
	if *echoes {
		if *webhook == "" {
			return usagef("--echoes needs --webhook: echoes are webhooks")
		}
		opts = append(opts, messengertest.WithEchoes())
	}
	if *version != "" {
		if !graphVersion.MatchString(*version) {
			return usagef("--graph-version: want a version like v25.0, got %q", *version)
		}
		if !knownGraphVersion(*version) {
			return usagef("--graph-version: %q is not a Graph version (v1.0 to %s)", *version, latestGraphVersion())
		}
		opts = append(opts, messengertest.WithGraphVersion(*version))
	}
	if *now != "" {
		t, ok := parseNow(*now)
		if !ok {
			return usagef("--now: want an RFC 3339 time (2026-07-01T12:00:00Z) or a date (2026-07-01), got %q", *now)
		}
		opts = append(opts, messengertest.WithNow(t))
	}
	srv, err := messengertest.Start(opts...)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "base_url=%s token=%s app_secret=%s\n", srv.URL, srv.PageToken(), srv.AppSecret())
	fmt.Fprintf(stdout, "graph=%s page_id=%s control=%s/_fake/\n", srv.GraphURL(), srv.PageID(), srv.URL)
	if f, ok := stdout.(interface{ Sync() error }); ok {
		_ = f.Sync()
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, "messenger fake: stopping")
	return nil
}

// knownGraphVersion reports whether v is a Graph version the fake's schedule holds.
func knownGraphVersion(v string) bool {
	for _, gv := range messengertest.GraphVersions() {
		if gv.Version == v {
			return true
		}
	}
	return false
}

func latestGraphVersion() string {
	vs := messengertest.GraphVersions()
	return vs[len(vs)-1].Version
}
