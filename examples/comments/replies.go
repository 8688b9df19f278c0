package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"sync"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/policy"
	"github.com/gomessenger/messenger/store"
)

// replyOnceFor is how long a comment's id is remembered: a comment takes a
// private reply only within 7 days, so after that there is nothing to guard.
const replyOnceFor = 8 * 24 * time.Hour

// replier answers comments on the Page's posts with one private message each,
// and carries on the conversation when the person writes back.
type replier struct {
	client  *messenger.Client
	replied store.Dedupe // comment ids already answered, shared by every instance
	log     *log.Logger

	mu sync.Mutex
	// asked holds what each person commented, by PSID, to pick up the thread
	// when they answer. It lives in memory; keep it with the rest of your
	// customer data to survive restarts.
	asked map[string]string
}

func newReplier(client *messenger.Client, replied store.Dedupe, logger *log.Logger) *replier {
	return &replier{client: client, replied: replied, log: logger, asked: map[string]string{}}
}

func (r *replier) register(wh *messenger.Webhook) {
	messenger.On(wh, r.onFeed)
	messenger.On(wh, r.onMessage)
}

// onFeed answers a new comment privately, once.
func (r *replier) onFeed(ctx context.Context, ev *messenger.FeedEvent) error {
	// Only new comments: edits, removals, reactions and posts need no reply.
	if ev.Item != "comment" || ev.Verb != "add" || ev.CommentID == "" {
		return nil
	}
	// The Page's own comments (answers under its posts) arrive too.
	if ev.From.ID == ev.PageID {
		r.log.Printf("(skipping comment %s: the Page's own)", ev.CommentID)
		return nil
	}
	req := messenger.SendRequest{To: messenger.Comment(ev.CommentID), Message: replyTo(ev)}
	// A comment allows one private reply within 7 days of being written; a
	// delivery delayed by an outage may come too late. Asking the rules first
	// avoids a call Graph would refuse.
	d := policy.Check(req.PolicyRequest(), policy.Conversation{CommentCreated: ev.CreatedTime}, r.client.Now())
	if !d.Allowed {
		r.log.Printf("(no private reply to comment %s: %s)", ev.CommentID, d.Reason)
		return nil
	}
	// Meta may deliver a comment more than once, and each instance of the bot
	// remembers only its own deliveries. FirstSeen is atomic in the shared store,
	// so exactly one delivery goes on to reply.
	first, err := r.replied.FirstSeen(ctx, "private-reply/"+ev.CommentID, replyOnceFor)
	if err != nil {
		return err
	}
	if !first {
		r.log.Printf("(comment %s was answered already)", ev.CommentID)
		return nil
	}
	res, err := r.client.PrivateReply(ctx, req.To, req.Message)
	switch {
	case errors.Is(err, messenger.ErrAlreadyReplied):
		// Someone answered it from Page Inbox: fine, it was answered once.
		return nil
	case err != nil:
		// Nothing was sent (or we cannot know): forget the id, so that a
		// redelivery of the comment may try again.
		return errors.Join(err, r.replied.Forget(ctx, "private-reply/"+ev.CommentID))
	}
	r.mu.Lock()
	r.asked[res.RecipientID] = ev.Message
	r.mu.Unlock()
	return nil
}

// replyTo is the private reply to a comment: personal, and an invitation to
// answer, because only the person's answer opens the conversation.
func replyTo(ev *messenger.FeedEvent) *messenger.Message {
	name, _, _ := strings.Cut(ev.From.Name, " ")
	return messenger.Text(fmt.Sprintf("Hi %s, thanks for your comment on our post! "+
		"Reply here and I'll answer your question right away.", name))
}

// onMessage carries on the conversation a private reply started.
func (r *replier) onMessage(ctx context.Context, m *messenger.MessageEvent) error {
	if m.Standby {
		return nil
	}
	r.mu.Lock()
	comment, fromComment := r.asked[m.Sender.ID]
	delete(r.asked, m.Sender.ID)
	r.mu.Unlock()
	text := answer(m.Message.Text)
	if fromComment {
		text = fmt.Sprintf("You asked under our post: “%s” %s", comment, answer(comment))
	}
	// The person's message opened the 24-hour window: a normal reply now.
	_, err := r.client.Send(ctx, messenger.SendRequest{To: messenger.PSID(m.Sender.ID), Type: messenger.Response, Message: messenger.Text(text)})
	return err
}

// answer is the bot's knowledge: a few facts, found by keyword.
func answer(question string) string {
	q := strings.ToLower(question)
	switch {
	case strings.Contains(q, "how much") || strings.Contains(q, "price"):
		return "The blue kettle is €39, and it ships tomorrow. Shall I reserve one for you?"
	case strings.Contains(q, "ship") || strings.Contains(q, "deliver"):
		return "We ship within one working day; delivery takes 2–4 days."
	}
	return "Thanks! A colleague will get back to you here."
}
