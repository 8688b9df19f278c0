package main

import (
	"net"
	"strings"
	"testing"
)

// Every verb follows one rule: exit 2 for a bad flag or argument, with a line that
// names the flag and the value as typed (never a Go field name), and 1 for a refusal
// or a failure while running.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	csv := writeAudience(t, "a.csv", "psid,first_name\n1254459154682901,Ada\n")
	noPSID := writeAudience(t, "names.csv", "name,email\nAda,ada@example.com\n")
	letters := writeAudience(t, "letters.csv", "psid,first_name\nabc,Ada\n")
	jsonl := writeAudience(t, "a.jsonl", `{"psid":"1254459154682901","first_name":"Ada"}`+"\n"+`{"psid":"1254459154682902"}`+"\n")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed.Close() // nothing listens there now: a connection is refused at once
	bc := func(args ...string) []string {
		return append([]string{"broadcast", "--audience", csv, "--text", "hi"}, args...)
	}
	tests := []struct {
		name string
		args []string
		code int
		want []string // each on stderr
	}{
		{"rate negative", bc("--rate", "-5"), 2, []string{"--rate", "-5"}},
		{"rate over the limit", bc("--rate", "1000"), 2, []string{"--rate", "1000", "300"}},
		{"rate zero", bc("--rate", "0"), 2, []string{"--rate", "got 0"}},
		{"rate not a number", bc("--rate", "fast"), 2, []string{"-rate", "fast"}},
		{"batch over 50", bc("--batch", "51"), 2, []string{"--batch", "51", "50"}},
		{"batch negative", bc("--batch", "-1"), 2, []string{"--batch", "-1"}},
		{"broadcast tag unknown", bc("--tag", "NOT_A_TAG"), 2, []string{"--tag", "NOT_A_TAG"}},
		{"broadcast now", bc("--now", "noon"), 2, []string{"--now", "noon"}},
		{"placeholder not a column", []string{"broadcast", "--audience", csv, "--text", "Hi {nope}"}, 2, []string{"{nope}", "first_name"}},
		{"placeholder not a column, dry run", []string{"broadcast", "--audience", csv, "--text", "Hi {nope}", "--dry-run"}, 2, []string{"{nope}"}},
		{"placeholder missing in a JSON line", []string{"broadcast", "--audience", jsonl, "--text", "Hi {first_name}"}, 2, []string{"{first_name}", "1254459154682902"}},
		{"csv without psid", []string{"broadcast", "--audience", noPSID, "--text", "hi"}, 2, []string{`"psid" column`, "name,email"}},
		{"psid not digits", []string{"broadcast", "--audience", letters, "--text", "hi"}, 2, []string{"psid", `"abc"`}},
		{"broadcast refused by policy", bc("--tag", "HUMAN_AGENT", "--dry-run"), 1, []string{"HUMAN_AGENT"}},
		{"policy type", []string{"policy", "--type", "BOGUS"}, 2, []string{"--type", "BOGUS"}},
		{"policy tag", []string{"policy", "--tag", "NOT_A_TAG"}, 2, []string{"--tag", "NOT_A_TAG", "HUMAN_AGENT"}},
		{"policy now", []string{"policy", "--now", "noon"}, 2, []string{"--now", "noon"}},
		{"policy duration", []string{"policy", "--last-user-message", "3 days"}, 2, []string{"--last-user-message", "3 days"}},
		{"policy recipient", []string{"policy", "--recipient", "pigeon"}, 2, []string{"--recipient", "pigeon"}},
		{"policy refusal", []string{"policy", "--type", "UPDATE", "--now", "2026-07-01"}, 1, nil},
		{"fake addr", []string{"fake", "--addr", "nonsense"}, 2, []string{"--addr", "nonsense"}},
		{"fake port", []string{"fake", "--addr", "127.0.0.1:70000"}, 2, []string{"--addr", "70000"}},
		{"fake graph version", []string{"fake", "--graph-version", "25"}, 2, []string{"--graph-version", `"25"`}},
		{"fake graph version never released", []string{"fake", "--graph-version", "v99.0"}, 2, []string{"--graph-version", `"v99.0"`}},
		{"fake webhook", []string{"fake", "--webhook", "not-a-url"}, 2, []string{"--webhook", "not-a-url"}},
		{"fake echoes without webhook", []string{"fake", "--echoes"}, 2, []string{"--echoes", "--webhook"}},
		{"fake page id", []string{"fake", "--page-id", "me"}, 2, []string{"--page-id", `"me"`}},
		{"fake now", []string{"fake", "--now", "yesterday"}, 2, []string{"--now", "yesterday"}},
		{"fake address in use", []string{"fake", "--addr", busy.Addr().String()}, 1, []string{"listen"}},
		{"trigger source", []string{"trigger", "--url", "http://127.0.0.1:1/", "--app-secret", "s", "referral", "--source", "WEIRD"}, 2, []string{"--source", "WEIRD"}},
		{"trigger handover", []string{"trigger", "--url", "http://127.0.0.1:1/", "--app-secret", "s", "handover", "--handover", "steal"}, 2, []string{"--handover", "steal"}},
		{"trigger url", []string{"trigger", "--url", "ftp://x", "--app-secret", "s", "message"}, 2, []string{"--url", "ftp://x"}},
		{"trigger unreachable", []string{"trigger", "--url", "http://" + closed.Addr().String() + "/", "--app-secret", "s", "message"}, 1, []string{"message"}},
		{"link ref", []string{"link", "--page", "p", "--ref", "no spaces"}, 2, []string{"no spaces"}},
		{"demo argument", []string{"demo", "extra"}, 2, []string{`"extra"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runArgs(tt.args...)
			if code != tt.code {
				t.Errorf("%q: exit %d, want %d\nstdout: %s\nstderr: %s", tt.args, code, tt.code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) && !strings.Contains(out, w) {
					t.Errorf("%q: output does not mention %q\nstdout: %s\nstderr: %s", tt.args, w, out, errOut)
				}
			}
			if code == 2 && !strings.Contains(errOut, "--help") {
				t.Errorf("%q: a usage mistake should point to --help: %q", tt.args, errOut)
			}
			for _, leak := range []string{"Broadcast.", "With", "messengertest:", "panic", "goroutine"} {
				if code == 2 && strings.Contains(errOut, leak) {
					t.Errorf("%q: stderr names an internal %q: %s", tt.args, leak, errOut)
				}
			}
		})
	}
}
