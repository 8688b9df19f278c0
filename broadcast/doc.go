// Package broadcast sends one message to many people the way the Messenger
// Platform allows: to each person by a way the rules permit now, at a rate Graph
// accepts, resumably, and with an account of everyone.
//
// Sending naively to a list gets a Page restricted: messages outside the 24-hour
// window, tags used for what they do not cover, bursts over the rate limit, and a
// second copy to people after a crash. A [Broadcast] avoids each of these:
//
//	b := &broadcast.Broadcast{
//		Audience: broadcast.CSVFile("customers.csv"),  // streamed, never held in memory
//		Message:  messenger.Text("The blue kettle is back in stock"),
//		Ways:     broadcast.Auto("restock"),           // in the window, else their restock token
//		Windows:  st, Tokens: st,                      // what the webhook recorded
//		Journal:  journal,                             // broadcast.OpenFileJournal("restock.journal")
//	}
//	plan, err := b.Plan(ctx, client) // who would get it, how, and why not the others
//	sum, err := b.Send(ctx, client)  // run it; run it again after a crash to resume
//
// # Planning
//
// For each recipient the broadcast asks the policy package ([policy.Check]) about
// each of its [Way]s in order, using what the window store knows of the person's
// last actions and, for token ways, the person's live notification tokens, and
// picks the first allowed: a proactive UPDATE inside the 24-hour window, a message
// tag whose rule allows it (only tags the caller names: a program cannot judge
// whether content fits a tag), or a one-time notification token for a topic.
// Anyone with no allowed way is skipped, with the rule that refused each way and,
// when the rules know it, the earliest time they become reachable.
// [Broadcast.Plan] does this for the whole audience without sending or claiming
// anything, and counts the outcomes in a [Summary]; its memory does not depend on
// the audience's size.
//
// # Sending
//
// [Broadcast.Send] judges each recipient again at send time and sends with a pool
// of workers behind a pacer: messages are spaced evenly at Rate (at most 300 per
// second per Page, 39 by default to stay under the 40 per second at which Meta
// hides a Page's conversations from Page Inbox) and audio and video also at
// MediaRate (at most 10 per second), docs/platform.md, “Rate limits”. BatchSize sends up to 50
// messages per Graph batch request (docs/platform.md, “Batch requests”). The client's transport retries what
// is safe to retry; what it gives up on is handled here:
//
//   - Throttling (613, 4, 17, 32, ...) pauses every send for as long as Graph asks
//     (Retry-After, estimated_time_to_regain_access; a second without a hint),
//     halves the rate, and the recipient is tried again after the pause (up to ten
//     times MaxAttempts). Other temporary failures pause a second and are tried
//     again up to MaxAttempts. Usage headers above
//     UsageThreshold cut the rate by a fifth before Graph has to throttle. After a
//     cut the rate climbs back by 5% of Rate per second (additive increase,
//     multiplicative decrease).
//   - A refusal of the Page itself (invalid token, restricted Page) stops the run
//     rather than failing every recipient; fix it and run again with RetryFailed.
//
// # Guarantees
//
// Nobody gets the message twice. Each recipient is claimed in the [Journal] before
// its send (a [FileJournal] syncs the claim to disk first), a PSID already in the
// journal is never sent to again (duplicates in the audience included), and a
// claim found without an outcome after a crash makes the recipient
// [StateUnknown]: the message may have gone out, so it is not repeated. Graph's
// ambiguous answers (1/1357046, a connection lost after the request went out) are
// StateUnknown too. Notification tokens are claimed atomically in the token store
// before their send, and what a failure does to one follows [otn.FateOf]: given
// back when nothing was delivered, dead when Graph refused it, kept claimed when
// the message may have gone out.
//
// Everyone ends in exactly one state: [StateSent] with Graph's message id,
// [StateSkipped] with the refusing rule and reason, [StateFailed] with Graph's code,
// subcode and message (nothing was delivered), or StateUnknown. The journal holds
// it, Audit gets it as a JSON line, and the Summary counts it per state, way, skip
// rule and error code.
//
// Nothing is lost to an interruption. Cancelling the context stops new sends, lets
// those on the wire finish (up to DrainTimeout) and records them, and releases the
// claims of recipients that were waiting; Send with the same journal resumes where
// the run stopped, counting earlier outcomes as Summary.Resumed.
//
// The journal is the broadcast's memory: one journal per broadcast, kept until it
// is done. Each Send call is a run with an id of its own (Entry.Run, Summary.Run),
// generated from the broadcast's Name; within a run a PSID met again is a
// duplicate row, across runs it is an outcome to resume. Plan reads the journal
// too, so the plan of a half-sent broadcast shows what is left to do.
//
// # Progress
//
// Progress is called every ProgressEvery with counts, the recent send rate, the
// pacer's current limit and, when Expected is known, an ETA; the command line's
// "messenger broadcast" draws it as a bar.
package broadcast
