package main

import (
	"strings"
	"testing"
)

// TestDemo runs the README's first command in process: it must pass every check and
// tell the whole story.
func TestDemo(t *testing.T) {
	t.Parallel()
	code, out, errOut := runArgs("demo")
	if code != 0 {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"opens https://m.me/fakeshop?ref=summer-sale (built with referral.Link)",
		"← postback \"Get Started\" payload GET_STARTED, referral ref=summer-sale source=SHORTLINK",
		"[Hats] [Scarves]",
		"generic template Red hat",
		"refused by window.standard (Graph would answer 10/2018278)",
		"- MESSAGE_TAG HUMAN_AGENT (tag.human_agent",
		"sends it with WithPolicyGuard → refused locally by the policy guard (rule window.standard); nothing was sent",
		"sends it without the guard → refused 10/2018278",
		"(MESSAGE_TAG HUMAN_AGENT) as persona",
		"one_time_notif_req template",
		"with the one-time token",
		"notifies again → otn: user",
		"replays the used token by hand → refused 100",
		"as a private reply to comment",
		"tries a second private reply → refused 10900",
		"All 15 checks passed.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if strings.Contains(out, "FAIL") || errOut != "" {
		t.Errorf("failures in the transcript or on stderr:\n%s\n%s", out, errOut)
	}
}
