package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/messengertest"
	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/store/storetest"
	"github.com/google/go-cmp/cmp"
)

func berlinHours(t *testing.T) hours {
	t.Helper()
	loc, err := time.LoadLocation(teamZone)
	if err != nil {
		t.Fatal(err)
	}
	return weekdays9to5(loc)
}

func TestRunDemo(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), func(string) string { return "" }, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, &out)
	}
	for _, want := range []string{
		"Page → Ada: Hi! I'm the Acme assistant",
		"Page → Ada: Our team is away right now. They are back Monday at 09:00 CEST",
		"(Ada's conversation is now controlled by Page Inbox)",
		"(bot stays quiet: Ada is talking to the team)",
		"Sam (persona) → Ada: Hi Ada, Sam here.",
		"[HUMAN_AGENT]",
		// Bob wrote 8 days earlier: the refusal names the rule that ran out.
		"refused before sending: refused by tag.human_agent",
		"HUMAN_AGENT is allowed within 7 days of the person's last message",
		"the person's last message was at 2026-07-03T15:30:00Z",
		"responsiveness, last 7 days: 5 inquiries",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("transcript lacks %q:\n%s", want, &out)
		}
	}
	for _, never := range []string{"no record", adaPSID, bobPSID} {
		if strings.Contains(out.String(), never) {
			t.Errorf("transcript shows %q:\n%s", never, &out)
		}
	}
}

// TestDemoSends checks what the fake Graph API recorded: who got what, as whom,
// with which messaging type, and where each thread ended up.
func TestDemoSends(t *testing.T) {
	start := time.Date(2026, 7, 3, 14, 40, 0, 0, time.UTC)
	srv := messengertest.NewServer(t, messengertest.WithNow(start))
	if err := demo(t.Context(), srv, berlinHours(t), log.New(io.Discard, "", 0)); err != nil {
		t.Fatal(err)
	}
	type send struct{ To, Type, Tag, Persona, Text string }
	var got []send
	for _, r := range srv.Sent() {
		s := send{To: r.RecipientID, Type: r.MessagingType, Tag: r.Tag, Text: r.Message.Text}
		if r.PersonaID != "" {
			s.Persona = srv.Personas()[0].Name
		}
		s.Text, _, _ = strings.Cut(s.Text, ".") // the first sentence is enough
		got = append(got, s)
	}
	want := []send{
		{adaPSID, "RESPONSE", "", "", "Hi! I'm the Acme assistant and I answer right away, day and night"},
		{adaPSID, "RESPONSE", "", "", "Orders leave our warehouse within one working day and arrive in 2–4 days"},
		{adaPSID, "RESPONSE", "", "", "You have 30 days: reply with your order number and we send a free return label"},
		{adaPSID, "RESPONSE", "", "", "Our team is away right now"},
		{bobPSID, "RESPONSE", "", "", "Hi! I'm the Acme assistant and I answer right away, day and night"},
		{bobPSID, "RESPONSE", "", "", "Our team is away right now"},
		// Nothing from the bot while Ada was with the team; then Sam, 64 hours after
		// her last message, with the tag that allows it.
		{adaPSID, "MESSAGE_TAG", "HUMAN_AGENT", "Sam", "Hi Ada, Sam here"},
		{adaPSID, "RESPONSE", "", "", "You're back with the Acme assistant"},
		// Sam's reply to Bob, 8 days late, was refused before the network.
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sends (-want +got):\n%s", diff)
	}
	if got := srv.ThreadOwner(adaPSID); got != srv.AppID() {
		t.Errorf("Ada's thread is with %q, want the bot's app %q", got, srv.AppID())
	}
	// The refused reply left Bob's conversation where the team will see it.
	if got := srv.ThreadOwner(bobPSID); got != messenger.PageInboxAppID {
		t.Errorf("Bob's thread is with %q, want Page Inbox", got)
	}
	ib := string(srv.Profile()["ice_breakers"])
	for _, q := range []string{"How long does shipping take?", "I'd like to talk to a person"} {
		if !strings.Contains(ib, q) {
			t.Errorf("ice breakers %s lack %q", ib, q)
		}
	}
}

// TestDesk drives the agents' HTTP endpoints of the live mode.
func TestDesk(t *testing.T) {
	monday := time.Date(2026, 7, 6, 10, 0, 0, 0, time.UTC)
	srv := messengertest.NewServer(t, messengertest.WithNow(monday))
	st := storetest.NewMemory(t, memstore.WithClock(srv.Now))
	client := srv.Client(messenger.WithPageID(srv.PageID()), messenger.WithPolicyGuard(st, messenger.GuardHumanAgentApproved()))
	b, err := newBot(client, st, berlinHours(t), messenger.PageInboxAppID, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	wh, err := newWebhook(b, srv.AppSecret(), "verify", st, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	srv.SetWebhook(wh)
	if _, err := srv.User("7").Says("I need a person please"); err != nil {
		t.Fatal(err)
	}
	if err := wh.WaitIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
	desk := httptest.NewServer(requireKey("s3cret", b.desk()))
	defer desk.Close()

	post := func(path, key string, form url.Values) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, desk.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, strings.TrimSpace(string(body))
	}
	reply := url.Values{"psid": {"7"}, "agent": {"Sam"}, "text": {"Hi, Sam here."}}
	if code, _ := post("/agent/reply", "wrong", reply); code != http.StatusUnauthorized {
		t.Errorf("wrong key: %d, want 401", code)
	}
	if code, body := post("/agent/reply", "s3cret", url.Values{"psid": {"7"}}); code != http.StatusBadRequest {
		t.Errorf("no text: %d %s, want 400", code, body)
	}
	if code, body := post("/agent/reply", "s3cret", reply); code != http.StatusNoContent {
		t.Errorf("reply: %d %s, want 204", code, body)
	}
	if code, body := post("/agent/done", "s3cret", url.Values{"psid": {"7"}}); code != http.StatusNoContent {
		t.Errorf("done: %d %s, want 204", code, body)
	}
	srv.Advance(8 * 24 * time.Hour)
	code, body := post("/agent/reply", "s3cret", reply)
	if code != http.StatusConflict || !strings.Contains(body, "HUMAN_AGENT is allowed within 7 days") {
		t.Errorf("reply after 8 days: %d %q, want 409 with the rule's reason", code, body)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := wh.Shutdown(ctx); err != nil {
		t.Error(err)
	}
	var persona int
	for _, r := range srv.Sent() {
		if r.PersonaID != "" {
			persona++
		}
	}
	if persona != 1 {
		t.Errorf("%d persona sends, want 1", persona)
	}
}

func TestLoadConfig(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	all := map[string]string{"PAGE_ACCESS_TOKEN": "t", "APP_SECRET": "s", "VERIFY_TOKEN": "v", "PAGE_ID": "1"}
	cfg, live, err := loadConfig(env(all))
	if err != nil || !live || cfg.humanApp != messenger.PageInboxAppID || cfg.addr != ":8080" {
		t.Errorf("all set: %+v live %v err %v; want live, Page Inbox, :8080", cfg, live, err)
	}
	if _, live, err := loadConfig(env(nil)); err != nil || live {
		t.Errorf("none set: live %v err %v; want the demo", live, err)
	}
	delete(all, "PAGE_ID")
	if _, _, err := loadConfig(env(all)); err == nil || !strings.HasPrefix(err.Error(), "PAGE_ID not set") {
		t.Errorf("no PAGE_ID: err = %v, want one naming it", err)
	}
}
