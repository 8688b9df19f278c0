// Package messenger is a client for the Messenger Platform: Meta's Graph API for
// Facebook Page messaging. It sends everything a Page can send, receives and
// verifies webhooks, and knows the platform's policy on when a business may message
// a person (see the policy package).
//
// # Sending
//
// Build one Client per Page (or one, plus ForPage for each other Page) and share it:
//
//	c, err := messenger.New(pageToken,
//		messenger.WithAppSecret(appSecret), // adds appsecret_proof
//		messenger.WithRateLimit(250, 50),   // per Page, below Meta's 300 calls/s
//	)
//
// New never touches the network. Client.Do is the raw Graph call that every other
// method is built on: it adds the token and appsecret_proof, waits on the rate
// limiter, retries what is safe to retry and decodes Graph's errors.
//
// Send validates a SendRequest against every documented limit before the network
// and posts it:
//
//	res, err := c.Send(ctx, messenger.SendRequest{
//		To:      messenger.PSID(psid),
//		Type:    messenger.Response,
//		Message: messenger.Text("Pick a size").WithQuickReplies(
//			messenger.TextReply("Small", "SIZE_S"), messenger.TextReply("Large", "SIZE_L")),
//	})
//
// Templates (generic, button, media, receipt, customer feedback, one-time
// notification request, product), attachments by URL, by saved id or uploaded from
// an io.Reader (Upload, streamed), sender actions (SendAction), private replies to
// comments and visitor posts (PrivateReply), Graph batches (Batch, SendBatch), the
// handover protocol (PassThreadControl and friends), the Messenger Profile
// (SetProfile, GetProfile, DeleteProfile) and user profiles (UserProfile) are all
// methods of Client.
//
// # Webhooks
//
// NewWebhook returns an http.Handler that answers Meta's subscription handshake,
// verifies X-Hub-Signature-256 on the raw body before decoding anything, decodes
// every event (ParseEvents; unknown kinds arrive as *UnknownEvent, never as an
// error), drops redeliveries, records each person's window-opening actions, and
// dispatches events in timestamp order per conversation and in parallel across
// conversations, answering 200 well inside Meta's 5 seconds:
//
//	wh, err := messenger.NewWebhook(appSecret, verifyToken,
//		messenger.WithWindows(st), messenger.WithDedupe(st), messenger.WithInbox(st))
//	messenger.On(wh, func(ctx context.Context, ev *messenger.MessageEvent) error {
//		_, err := c.Send(ctx, messenger.SendRequest{To: messenger.PSID(ev.Sender.ID),
//			Type: messenger.Response, Message: messenger.Text("You said: " + ev.Message.Text)})
//		return err
//	})
//	http.Handle("/webhook", wh)
//	defer wh.Shutdown(ctx) // stops intake and drains
//
// What happens to an acknowledged event that is not handled depends on the inbox
// (WithInbox; RELIABILITY.md in the repository has the whole table, with figures):
//
//   - With an inbox (a store.Inbox), each verified body is persisted, leased to the
//     instance, before the 200. A handler that fails leaves it there: it runs again
//     after a backoff (WithHandlerRetry), then goes to the dead letters
//     (DeadLetters, Redrive). A process that dies leaves its entries to the others,
//     or to Replay after the restart, once their lease runs out; an instance never
//     runs an entry another live instance holds. Events are at least once: an event
//     whose handler finished just before its process died may run again.
//   - Without one, a failed event goes to the error handler and is not run again,
//     and events still queued when Shutdown gives up are dropped (ErrEventDropped,
//     counted in Stats). Meta does not deliver them again: it had its 200.
//
// Whatever the store and the client do, a POST is answered within the ack budget:
// the body read, the wait for queue room and the inbox append all end there.
// Every event marshals back to its wire JSON with encoding/json, so events can be
// logged, stored and replayed; MarshalEnvelope and SignPayload build signed
// deliveries for tests.
//
// # Policy
//
// The policy package answers "may I send this now, and if not, what may I send?"
// for any instant, from rules that carry the dates Meta changed them. WithPolicyGuard
// makes Send ask it before the network, using the window store the webhook fills;
// a refusal is a *PolicyError whose Decision names the rule, the reason, the error
// Graph would have given and the alternatives.
//
// # Errors
//
// Graph's errors are *GraphError values carrying the HTTP status, code, subcode,
// type, message, fbtrace id, whether the call may be retried and how long Graph
// asked to wait. Match them with errors.Is against the sentinels (ErrOutsideWindow,
// ErrRateLimited, ErrUserUnavailable, ErrInvalidToken, ErrPermission,
// ErrInvalidParameter, ErrThreadOwnedByOtherApp, ErrAlreadyReplied, ErrTemporary,
// ErrAmbiguous), which compare numeric codes, never message text. Requests that
// break a documented limit fail before the network with a *ValidationError that
// names the field, the limit and the value, and matches ErrInvalidRequest.
//
// The client repeats a failed call only when repeating cannot duplicate its
// effect. The Send API has no idempotency key, so every POST is treated as a send
// that may have been delivered; GET and DELETE are reads and deletions, safe to
// repeat:
//
//	failure                                               GET, DELETE  POST (a send)
//	throttling 4, 17, 32, 613, 80001, 80006, 341, 368;    retried      retried
//	  HTTP 429 without Graph's envelope
//	no connection could be made (refused, DNS)            retried      retried
//	temporary 1 (not 1/1357046), 2, 1200, is_transient    retried      ambiguous [1]
//	1/1357046 "sent anyway"; HTTP 5xx without Graph's     retried      ambiguous [2]
//	  envelope; an attempt timed out or lost its
//	  connection after the request went out
//	a 2xx answer cut short or not JSON (when the call     error        ambiguous
//	  decodes its answer, as Send does)
//	window, permission, token, parameter, person          never        never
//	  unavailable, and every other code
//
// "Ambiguous" means: not retried, and the error matches ErrAmbiguous, because the
// message may have gone out. [1] WithRetryTemporaryPOST retries these;
// [2] RetryPolicy.RetryAmbiguous retries these and [1]. Retries back off
// exponentially with jitter, honouring Retry-After and the
// estimated_time_to_regain_access of X-Business-Use-Case-Usage; a longer hint than
// RetryPolicy.MaxWait ends the call at once with GraphError.RetryAfter set. A
// failure that proves nothing was sent matches ErrNotSent.
//
// Each attempt is bounded by WithAttemptTimeout (DefaultAttemptTimeout, 30 s),
// from the moment the rate limiter lets it go until its answer is read, so a
// server that never answers cannot hold a call made with context.Background();
// raise it for large uploads on slow links. The context bounds the whole call.
//
// Tokens and app secrets never appear in errors, log lines or URLs the client
// reports: the client never writes the request URL (where the token travels) or
// the app secret, and removes the token, app secret and appsecret_proof from any
// text a server sends back before keeping part of it. Values shorter than 8
// characters are not searched for: they cannot be real credentials, and replacing
// them would garble ordinary words.
//
// # Testing
//
// Package messengertest is a fake Graph server that is strict like Graph and
// stateful like a Page, with simulated users who send signed webhooks to your
// handler, a clock your test moves, and injectable faults. Its Client method
// returns a *Client already pointed at it.
package messenger
