package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gomessenger/messenger/policy"
	"github.com/gomessenger/messenger/tags"
)

// recipientKinds maps the --recipient values (short names and wire names) to policy's.
var recipientKinds = map[string]policy.RecipientKind{
	"psid": policy.PSID, "id": policy.PSID,
	"user_ref": policy.UserRef, "user-ref": policy.UserRef,
	"comment": policy.Comment, "comment_id": policy.Comment,
	"post": policy.Post, "post_id": policy.Post,
	"otn": policy.OTNToken, "one_time_notif_token": policy.OTNToken,
	"recurring": policy.RecurringToken, "notification_messages_token": policy.RecurringToken,
	"phone": policy.Phone, "phone_number": policy.Phone,
}

// timeFlag is a flag holding an instant: an RFC 3339 time, a date, or a duration
// (25h, 3d) meaning that long before --now.
type timeFlag struct {
	raw string
}

func (f *timeFlag) String() string     { return f.raw }
func (f *timeFlag) Set(s string) error { f.raw = s; return nil }

func (f *timeFlag) at(now time.Time, name string) (time.Time, error) {
	if f.raw == "" {
		return time.Time{}, nil
	}
	t, err := parseInstant(f.raw, now)
	if err != nil {
		return time.Time{}, usagef("--%s: %v", name, err)
	}
	return t, nil
}

func runPolicy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("policy", "--type TYPE [--tag TAG] [--last-user-message TIME] [--now TIME] [flags]",
		`Answers "may I send this message now?" with the policy package's default rules:
allowed or refused, by which rule, until when, what Graph would answer, and what
would be allowed instead. Times are RFC 3339 (2026-07-01T12:00:00Z), a date
(2026-07-01, midnight UTC) or a duration before --now (25h, 3d). --tag without
--type means --type MESSAGE_TAG. Exit status: 0 allowed, 1 refused, 2 bad flags.`)
	typ := fs.String("type", "RESPONSE", "messaging `type`: RESPONSE, UPDATE, MESSAGE_TAG, UTILITY, or empty for none (MESSAGE_TAG when --tag is given)")
	tag := fs.String("tag", "", "message `tag` (HUMAN_AGENT, CUSTOMER_FEEDBACK, ...); implies --type MESSAGE_TAG")
	recipient := fs.String("recipient", "psid", "recipient `kind`: psid, user_ref, comment, post, otn, recurring, phone")
	template := fs.String("template", "", "template `type` of the message (customer_feedback, utility)")
	humanAgent := fs.Bool("human-agent", false, "the app has the Human Agent feature approved")
	promotional := fs.Bool("promotional", false, "the message is promotional")
	var lastMessage, lastAction, adReferral, commentCreated, tokenIssued, nowFlag timeFlag
	fs.Var(&lastMessage, "last-user-message", "`time` of the person's last message")
	fs.Var(&lastAction, "last-user-action", "`time` of the person's last window-opening action (default: --last-user-message)")
	fs.Var(&adReferral, "ad-referral", "`time` of the person's first message after a Click-to-Messenger ad")
	fs.Var(&commentCreated, "comment-created", "`time` the comment or visitor post was made (private replies)")
	replied := fs.Bool("private-reply-sent", false, "a private reply to the comment was already sent")
	fs.Var(&tokenIssued, "token-issued", "`time` the notification token was issued")
	tokenUsed := fs.Bool("token-used", false, "the one-time token was already used")
	fs.Var(&nowFlag, "now", "the `time` to judge at, RFC 3339 or a date (default: the current time)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	if nowFlag.raw != "" {
		t, ok := parseNow(nowFlag.raw)
		if !ok {
			return usagef("--now: want an RFC 3339 time (2026-07-01T12:00:00Z) or a date (2026-07-01), got %q", nowFlag.raw)
		}
		now = t
	}
	mt := policy.MessagingType(strings.ToUpper(*typ))
	if !flagGiven(fs, "type") && *tag != "" {
		mt = policy.MessageTag
	}
	switch mt {
	case policy.Response, policy.Update, policy.MessageTag, policy.Utility, "":
	default:
		return usagef("--type: want RESPONSE, UPDATE, MESSAGE_TAG, UTILITY or empty, got %q", *typ)
	}
	kind, ok := recipientKinds[strings.ToLower(*recipient)]
	if !ok {
		return usagef("--recipient: want psid, user_ref, comment, post, otn, recurring or phone, got %q", *recipient)
	}
	req := policy.Request{
		MessagingType:      mt,
		Recipient:          kind,
		Template:           *template,
		HumanAgentApproved: *humanAgent,
		Promotional:        *promotional,
	}
	if *tag != "" {
		t, err := tags.Parse(*tag, now)
		if err != nil {
			t = tags.Tag(strings.ToUpper(strings.TrimSpace(*tag)))
			if !t.Known() {
				return usagef("--tag: %q is not a message tag; tags valid at %s: %s", *tag, now.Format(time.DateOnly), tagList(now))
			}
			// A tag that existed but is not valid now: policy says why and what instead.
		}
		req.Tag = t
	}
	var conv policy.Conversation
	times := []struct {
		flag *timeFlag
		name string
		dst  *time.Time
	}{
		{&lastMessage, "last-user-message", &conv.LastUserMessage},
		{&lastAction, "last-user-action", &conv.LastUserAction},
		{&adReferral, "ad-referral", &conv.AdReferral},
		{&commentCreated, "comment-created", &conv.CommentCreated},
		{&tokenIssued, "token-issued", &conv.TokenIssued},
	}
	for _, tf := range times {
		t, err := tf.flag.at(now, tf.name)
		if err != nil {
			return err
		}
		*tf.dst = t
	}
	if conv.LastUserAction.IsZero() {
		conv.LastUserAction = conv.LastUserMessage
	}
	conv.PrivateReplySent = *replied
	if kind == policy.OTNToken || kind == policy.RecurringToken {
		conv.TokenKind = kind
		conv.TokenUsed = *tokenUsed
		if !conv.TokenIssued.IsZero() && kind == policy.OTNToken {
			conv.TokenExpires = conv.TokenIssued.AddDate(1, 0, 0)
		}
	}
	d := policy.Check(req, conv, now)
	printDecision(stdout, d)
	if !d.Allowed {
		return errRefused
	}
	return nil
}

// tagList names the tags valid at now.
func tagList(now time.Time) string {
	var names []string
	for _, t := range tags.ValidAt(now) {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

// errRefused exits 1 without an error line: the decision was printed.
var errRefused = &silentExit{code: 1}

// silentExit ends the program with code and nothing on stderr.
type silentExit struct{ code int }

func (e *silentExit) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func printDecision(w io.Writer, d policy.Decision) {
	if d.Allowed {
		fmt.Fprintf(w, "allowed by %s\n", d.Rule)
		if d.HasDeadline() {
			fmt.Fprintf(w, "until:   %s\n", d.Until.UTC().Format(time.RFC3339))
		} else {
			fmt.Fprintln(w, "until:   no deadline")
		}
	} else {
		fmt.Fprintf(w, "refused by %s\n", d.Rule)
		if d.ErrorCode != 0 {
			code := fmt.Sprint(d.ErrorCode)
			if d.ErrorSubcode != 0 {
				code += fmt.Sprintf("/%d", d.ErrorSubcode)
			}
			fmt.Fprintf(w, "graph:   %s if sent anyway\n", code)
		}
	}
	fmt.Fprintf(w, "reason:  %s\n", d.Reason)
	if !d.NotBefore.IsZero() {
		fmt.Fprintf(w, "not before: %s\n", d.NotBefore.UTC().Format(time.RFC3339))
	}
	if len(d.Alternatives) > 0 {
		fmt.Fprintln(w, "alternatives:")
		for _, a := range d.Alternatives {
			fmt.Fprintf(w, "  - %s\n", describeAlternative(a))
		}
	}
}

// describeAlternative is one line for an alternative: what to send, by which rule,
// until when.
func describeAlternative(a policy.Alternative) string {
	var b strings.Builder
	mt := string(a.Request.MessagingType)
	if mt == "" {
		mt = "no messaging_type"
	}
	b.WriteString(mt)
	if a.Request.Tag != "" {
		b.WriteString(" " + string(a.Request.Tag))
	}
	if a.Request.Recipient != "" && a.Request.Recipient != policy.PSID {
		b.WriteString(" to " + string(a.Request.Recipient))
	}
	if a.Request.Template != "" {
		b.WriteString(" with a " + a.Request.Template + " template")
	}
	b.WriteString(" (" + a.Rule)
	if !a.Until.IsZero() && !a.Until.Equal(policy.NoDeadline) {
		b.WriteString(", until " + a.Until.UTC().Format(time.RFC3339))
	}
	b.WriteString(")")
	if a.Note != "" {
		b.WriteString(": " + a.Note)
	}
	return b.String()
}

var _ flag.Value = (*timeFlag)(nil)
