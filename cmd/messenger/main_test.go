package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runArgs(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpOnEveryVerb(t *testing.T) {
	t.Parallel()
	for _, c := range commands() {
		for _, h := range []string{"--help", "-h"} {
			code, out, errOut := runArgs(c.name, h)
			if code != 0 || !strings.Contains(out, "Usage: messenger "+c.name) || errOut != "" {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q", c.name, h, code, out, errOut)
			}
			if strings.HasSuffix(strings.TrimSpace(out), "Flags:") || strings.Contains(out, c.name+" \n") {
				t.Errorf("%s %s: an empty Flags: section or a trailing space:\n%s", c.name, h, out)
			}
		}
	}
	code, out, _ := runArgs("--help")
	if code != 0 || !strings.Contains(out, "demo") || !strings.Contains(out, "fake") {
		t.Errorf("top-level help: %d %q", code, out)
	}
}

func TestUserMistakes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage"},
		{[]string{"dance"}, 2, `unknown command "dance"`},
		{[]string{"fake", "--nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"fake", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"fake", "--now", "yesterday"}, 2, "--now"},
		{[]string{"fake", "--addr", "256.0.0.1:99999"}, 2, "--addr"},
		{[]string{"trigger", "--url", "http://127.0.0.1:1/"}, 2, "which event"},
		{[]string{"trigger", "--url", "http://127.0.0.1:1/", "--app-secret", "s", "fly"}, 2, `unknown event "fly"`},
		{[]string{"trigger", "message"}, 2, "--url and --app-secret are required"},
		{[]string{"trigger", "--url", "ftp://x", "--app-secret", "s", "message"}, 2, "--url"},
	}
	for _, tt := range tests {
		code, out, errOut := runArgs(tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d mentioning %q", tt.args, code, errOut, tt.code, tt.want)
		}
		if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
			t.Errorf("%q: stack trace on stderr: %s", tt.args, errOut)
		}
		_ = out
	}
}

func TestPolicyVerb(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"--type", "UPDATE", "--last-user-message", "25h", "--now", "2026-07-01T12:00:00Z", "--human-agent"}, 1,
			[]string{"refused by window.standard", "graph:   10/2018278", "alternatives:", "MESSAGE_TAG HUMAN_AGENT (tag.human_agent, until 2026-07-07T11:00:00Z)"}},
		{[]string{"--type", "RESPONSE", "--last-user-message", "2026-07-01T10:00:00Z", "--now", "2026-07-01T12:00:00Z"}, 0,
			[]string{"allowed by window.standard", "until:   2026-07-02T10:00:00Z"}},
		{[]string{"--type", "MESSAGE_TAG", "--tag", "POST_PURCHASE_UPDATE", "--last-user-message", "3h", "--now", "2026-05-01T00:00:00Z"}, 1,
			[]string{"refused by", "graph:   100"}},
		{[]string{"--recipient", "otn", "--type", "", "--token-issued", "48h", "--token-used", "--now", "2026-07-01T12:00:00Z"}, 1,
			[]string{"refused by"}},
		// Days and a date-only --now; --tag alone means MESSAGE_TAG.
		{[]string{"--tag", "HUMAN_AGENT", "--human-agent", "--last-user-message", "3d", "--now", "2026-07-01"}, 0,
			[]string{"allowed by tag.human_agent", "until:   2026-07-05T00:00:00Z"}},
		{[]string{"--tag", "HUMAN_AGENT", "--human-agent", "--last-user-message", "8d", "--now", "2026-07-01"}, 1,
			[]string{"refused by tag.human_agent", "7 days"}},
		{[]string{"--type", "MESSAGE_TAG", "--tag", "CONFIRMED_EVENT_UPDATE", "--last-user-message", "2d", "--now", "2026-07-01"}, 1,
			[]string{"retired on 2026-04-27", "Marketing Messages API\n"}},
	}
	for _, tt := range tests {
		code, out, errOut := runArgs(append([]string{"policy"}, tt.args...)...)
		if code != tt.code || errOut != "" {
			t.Errorf("%q: exit %d, stderr %q; want exit %d\n%s", tt.args, code, errOut, tt.code, out)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%q: output lacks %q:\n%s", tt.args, w, out)
			}
		}
		if strings.Contains(out, "[T]") || strings.Contains(out, "[C") || strings.Contains(out, "UNCONFIRMED") {
			t.Errorf("%q: a confidence marker leaks into the answer:\n%s", tt.args, out)
		}
	}
	for _, bad := range [][]string{{"--recipient", "pigeon"}, {"--now", "noon"}, {"--last-user-message", "soon"}} {
		if code, _, errOut := runArgs(append([]string{"policy"}, bad...)...); code != 2 || errOut == "" {
			t.Errorf("%q: exit %d, stderr %q; want 2 with a message", bad, code, errOut)
		}
	}
}

func TestLinkVerb(t *testing.T) {
	t.Parallel()
	code, out, errOut := runArgs("link", "--page", "fakeshop", "--ref", "summer-sale")
	if code != 0 || out != "https://m.me/fakeshop?ref=summer-sale\n" || errOut != "" {
		t.Errorf("link: exit %d, %q, %q", code, out, errOut)
	}
	dir := t.TempDir()
	for _, name := range []string{"qr.png", "qr.svg"} {
		path := filepath.Join(dir, name)
		code, out, errOut := runArgs("link", "--page", "fakeshop", "--ref", "summer-sale", "--qr", path)
		b, err := os.ReadFile(path)
		if code != 0 || err != nil || len(b) == 0 || !strings.Contains(errOut, "wrote "+path) || !strings.HasPrefix(out, "https://m.me/") {
			t.Errorf("--qr %s: exit %d, %v, %d bytes, %q", name, code, err, len(b), errOut)
		}
	}
	for _, bad := range [][]string{{"--ref", "x"}, {"--page", "fakeshop", "--ref", "no spaces"}, {"--page", "p", "--qr", "out.gif"}} {
		if code, _, errOut := runArgs(append([]string{"link"}, bad...)...); code != 2 || errOut == "" {
			t.Errorf("%q: exit %d, stderr %q", bad, code, errOut)
		}
	}
}
