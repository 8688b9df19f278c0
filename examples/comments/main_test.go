package main

import (
	"bytes"
	"io"
	"log"
	"strings"
	"testing"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/messengertest"
	"github.com/google/go-cmp/cmp"
)

func TestRunDemo(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), func(string) string { return "" }, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, &out)
	}
	for _, want := range []string{
		"Page → Ada (private reply to the comment): Hi Ada, thanks for your comment on our post!",
		"the Page's own)",
		"was answered already)",
		"Page → Ada: You asked under our post: “How much is the blue kettle?” The blue kettle is €39",
		"within 7 days of its creation",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("transcript lacks %q:\n%s", want, &out)
		}
	}
	if strings.Contains(out.String(), "error") {
		t.Errorf("transcript reports an error:\n%s", &out)
	}
}

// commentIDs returns the ids of the comments the fake delivered, by author.
func commentIDs(t *testing.T, srv *messengertest.Server) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, w := range srv.Webhooks() {
		events, err := messenger.ParseEvents(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range events {
			if f, ok := ev.(*messenger.FeedEvent); ok && f.CommentID != "" {
				ids[f.From.ID] = f.CommentID
			}
		}
	}
	return ids
}

func TestDemoRepliesOncePerComment(t *testing.T) {
	srv := messengertest.NewServer(t)
	if err := demo(t.Context(), srv, log.New(io.Discard, "", 0)); err != nil {
		t.Fatal(err)
	}
	ids := commentIDs(t, srv)
	if len(ids) != 3 {
		t.Fatalf("comments delivered: %v, want Ada's, the Page's and Bob's", ids)
	}
	type send struct{ CommentID, PSID, Type, Text string }
	var got []send
	for _, r := range srv.Sent() {
		text, _, _ := strings.Cut(r.Message.Text, "!")
		got = append(got, send{r.Recipient.CommentID, r.Recipient.ID, r.MessagingType, text})
	}
	want := []send{
		// One private reply to Ada's comment, though two instances received it;
		// none to the Page's comment, none to Bob's 8-day-old one.
		{ids[adaPSID], "", "", "Hi Ada, thanks for your comment on our post"},
		// Ada wrote back: a normal reply in the window her message opened.
		{"", adaPSID, "RESPONSE", "You asked under our post: “How much is the blue kettle?” The blue kettle is €39, and it ships tomorrow. Shall I reserve one for you?"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sends (-want +got):\n%s", diff)
	}
}

func TestAnswer(t *testing.T) {
	for _, tc := range []struct{ q, want string }{
		{"How much is it?", "The blue kettle is €39"},
		{"What's the PRICE", "The blue kettle is €39"},
		{"Do you deliver to Oslo?", "We ship within one working day"},
		{"hello", "Thanks! A colleague"},
	} {
		if got := answer(tc.q); !strings.HasPrefix(got, tc.want) {
			t.Errorf("answer(%q) = %q, want it to start with %q", tc.q, got, tc.want)
		}
	}
}
