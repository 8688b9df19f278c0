// Package messengertest is a fake Graph API server for testing code that talks to the
// Messenger Platform: strict like Graph, stateful like a Page, with simulated people
// whose actions arrive as signed webhooks.
//
//	srv := messengertest.NewServer(t)       // closed when the test ends
//	client := srv.Client()                  // a *messenger.Client pointed at it
//	ada := srv.User("1254459154682919")
//	ada.Says("hi")                          // opens her 24-hour window
//	client.Send(ctx, ...)                   // judged as Graph would judge it
//	sent, _ := srv.WaitForSent(ctx, 1)      // what was accepted, typed and raw
//
// # Strict like Graph
//
// The server serves the Graph endpoints the SDK uses: me/messages (every recipient
// kind, message kind and sender action), message_attachments (JSON and multipart),
// personas (create, list with cursor paging, get, delete), pass_thread_control,
// take_thread_control, request_thread_control, release_thread_control, thread_owner,
// secondary_receivers, messenger_profile (set, get, delete), subscribed_apps
// (subscribe with subscribed_fields, list, delete; see SubscribedFields), the user
// profile (GET /{psid}; name, first_name, last_name and profile_pic when no fields
// are named) and batch requests (POST / with batch=[...], at most 50). The Page may
// be addressed as "me" or by its id.
//
// Versions follow Meta's published schedule (GraphVersions): a call under /vNN.N/
// runs as that version until the version expires on the fake clock's date, and
// then as the oldest version still usable, as Graph runs it; a call without a
// version runs as the app's default version (WithAppGraphVersion, default v25.0).
// The version a call ran as is in its Facebook-API-Version response header, and
// version-gated features (the product template needs v8.0) follow it.
// WithGraphVersion serves one version only.
//
// Every call needs the Page token (query access_token, form field, or
// "Authorization: Bearer"): none answers 104, a wrong one 190. appsecret_proof is
// verified against the app secret whenever it is sent, and required only with
// WithRequireProof, as Graph requires it only of an app with "Require App Secret" on.
// Errors are worded as Graph words them: most messages start with "(#code) ", the
// token errors (104, 190) do not, and unsupported requests (100/33) and
// appsecret_proof errors are typed GraphMethodException, the others OAuthException.
//
// Parameters are read as Graph reads them whatever the encoding (JSON, form fields
// holding JSON, multipart, query): ids and payloads may be strings or numbers, and
// booleans and integers may be sent as strings ("is_reusable": "true",
// "expires_in_days": "3"), as form-style clients send every value. A misspelled
// field of a message is refused, naming it.
//
// Sends are decoded from the wire by the server itself, independently of the SDK's
// encoder, and checked against the platform's documented rules: exactly one recipient
// identifier; message XOR sender_action (100/2018014); text XOR attachment XOR
// attachments; text and metadata lengths; at most 13 quick replies with their title
// and payload limits; template limits (generic, button, media, receipt, product,
// customer feedback, one-time notification request); messaging_type required and
// valid; MESSAGE_TAG with a tag that is valid on the fake clock's date. Mistakes are
// answered with Graph's error envelope, code, subcode and an fbtrace_id; the error
// message names the field, the limit and the value.
//
// # Stateful like a Page
//
// A send succeeds only if Graph would deliver it now, on the fake clock. The fake
// keeps what a Page knows about each person (last message, last window-opening
// action, ad arrivals, messages sent after the window closed), each comment and each
// one-time token, and asks policy.Check; a refusal is answered with the decision's
// Graph code and reason. So, with the default rules:
//
//   - a PSID the Page never heard from answers 100/2018001;
//   - RESPONSE and UPDATE need the 24-hour window opened by the person's last message,
//     postback, reaction, referral or checkbox opt-in (10/2018278 otherwise), longer
//     after a message that followed an ad; HUMAN_AGENT and CUSTOMER_FEEDBACK allow
//     seven days after their last message; tags retired on a date are refused after it;
//   - a one-time notification token from User.OptsIn allows one message within a year;
//   - a recurring notification token from User.OptsInRecurring allows one message
//     per day, week or 30 days until it expires (6, 9 or 12 months); after
//     2026-02-10 only WithRecurringExemptRegion (4/2018354 when too soon);
//   - a comment from User.Comments (or a visitor post from User.PostsOnPage) allows
//     one private reply (10900 the second time) within seven days;
//   - a user_ref from User.ChecksBox or User.ArrivesFromChatPlugin addresses that
//     person (answered without recipient_id, as Graph does);
//   - personas exist from creation until deletion; sending as an unknown or deleted
//     persona answers 100;
//   - a thread whose control was handed to another app refuses sends (10/2018300)
//     until the fake's app takes it back;
//   - a person who blocked the Page (User.Blocks) answers 551.
//
// The fake is not an independent judge of these rules: it decides with the SDK's own
// policy.Check, the same code behind the client's policy guard, so a rule the SDK
// gets wrong (a window's length, a tag's retirement date) passes both the guard and
// the fake. The package's own tests therefore state the window, tag and token rules
// with their dates as literals, without package policy, and fail when a default rule
// drifts from the platform's (see docs/platform.md, “The 24-hour window”). A suite
// that must not trust the SDK's rules should likewise assert the dates it relies on.
//
// The clock is frozen: it starts at the real time (or WithNow) and moves only with
// Advance and SetNow, so tests are exact and never sleep.
//
// # Simulated users and webhooks
//
// Server.User returns a simulated person whose actions (Says, TapsQuickReply,
// TapsPostback, TapsIceBreaker, OpensLink, ArrivesFromAd, ArrivesFromChatPlugin,
// ChecksBox, OptsIn, OptsInRecurring, Reacts, Reads, Comments, PostsOnPage,
// HandOver, RequestsThread) update the Page's state and arrive at the target set with SetWebhook (an
// http.Handler, in process) or SetWebhookURL as a webhook POST in Meta's envelope,
// signed with the app secret in both X-Hub-Signature-256 and X-Hub-Signature, with
// non-ASCII text escaped as Meta does. Delivery options reproduce Meta under load:
// duplicates, several entries per POST, out-of-order delivery, retries (see
// Delivery).
//
// WithEchoes (or Delivery.Echoes) adds a message_echoes event for every accepted
// message send to a person, as a Page subscribed to echoes receives; sender actions
// and sends by user_ref or phone number are not echoed. The echo is delivered after
// the send was answered, so a handler may send from inside a delivery without
// deadlocking; Flush delivers (or waits for) echoes not yet delivered.
//
// Two shapes are choices where Meta's documents are thin. A chat-plugin arrival is a
// referral with source CUSTOMER_CHAT_PLUGIN and referer_uri whose sender is
// {"user_ref": ...} (Graph v7.0 and later), delivered for new and existing threads;
// a guest visitor's referral adds is_guest_user true. An ice-breaker tap is a
// message whose text is the question and whose quick_reply.payload is the ice
// breaker's payload, like a quick-reply tap.
//
// # Records and faults
//
// Sent returns every accepted send, typed and raw; WaitForSent waits for n of them
// without polling, at most DefaultSentWait (WithSentWait) when its context has no
// deadline, and fails with a list of what was sent. Reset empties the state the
// Page learned (people, sends, tokens, personas, profile, subscription, faults,
// webhook history) and keeps the clock, the configuration and the delivery
// settings. InjectFault makes matching calls fail by endpoint, recipient, count or
// seeded probability, with a Graph error, a bare HTTP status, latency or a dropped
// connection.
//
// Sends to these magic PSIDs fail without any setup:
//
//	PSIDRateLimited            613, with X-Business-Use-Case-Usage (retry later)
//	PSIDTemporaryFailure       HTTP 500, code 2, is_transient (a send: ambiguous)
//	PSIDUnavailable            551, the person isn't receiving messages (never retry)
//	PSIDOutsideWindow          10/2018278, outside the 24-hour window
//	PSIDThreadOwnedByOtherApp  10/2018300, another app controls the thread
//	PSIDAmbiguous              HTTP 500, 1/1357046, may have been sent anyway
//
// # Control API
//
// The same server answers JSON calls under /_fake/ for test suites in other languages
// (the command line's "messenger fake" prints the base URL, the token and the app secret
// that signs webhooks on its first line):
//
//	POST /_fake/users/{psid}/message   {"text": "...", "quick_reply_payload": "..."} → {"mid": "..."}
//	POST /_fake/users/{psid}/postback  {"title": "...", "payload": "..."}           → {"mid": "..."}
//	POST /_fake/users/{psid}/referral  {"ref": "...", "source": "SHORTLINK"|"ADS", "ad_id": "..."}
//	POST /_fake/users/{psid}/referral  {"ref": "...", "source": "CUSTOMER_CHAT_PLUGIN", "referer_uri": "...", "guest": false} → {"user_ref": "..."}
//	POST /_fake/users/{psid}/ice_breaker {"question": "...", "payload": "..."}  → {"mid": "..."}
//	POST /_fake/users/{psid}/optin     {"payload": "..."}           → {"one_time_notif_token": "..."}
//	POST /_fake/users/{psid}/optin     {"type": "notification_messages", "payload": "...", "frequency": "DAILY"} → {"notification_messages_token": "..."}
//	POST /_fake/users/{psid}/comment   {"message": "..."}           → {"comment_id": "...", "post_id": "..."}
//	POST /_fake/users/{psid}/post      {"message": "..."}           → {"post_id": "..."}
//	POST /_fake/users/{psid}/reaction  {"mid": "...", "reaction": "love"}
//	POST /_fake/users/{psid}/read      {}
//	POST /_fake/users/{psid}/handover  {"app_id": "...", "metadata": "...", "request": false} → {"thread_owner": "..."}
//	POST /_fake/users/{psid}/block     {"blocked": true}
//	POST /_fake/users/{psid}/name      {"first_name": "...", "last_name": "..."}
//	POST /_fake/clock                  {"advance": "25h"} or {"now": "<RFC 3339>"} → {"now": "..."}
//	GET  /_fake/sent                   accepted sends, oldest first: wire JSON plus "time", "message_id" and "attachment_id" answered
//	POST /_fake/reset                  {} → {"now": "..."}: empty state; the clock, configuration and delivery settings stay
//	POST /_fake/faults                 a Fault as JSON ("latency": "250ms"); DELETE clears them
//	POST /_fake/delivery               a Delivery as JSON ("echoes": true turns echoes on); POST /_fake/flush delivers held webhooks
//	GET  /_fake/webhooks               webhook POSTs made: time, body, status, error
//
// A user action whose webhook delivery failed still happened; its answer then carries
// "webhook_error". Bad control calls answer 4xx with {"error": "..."}; a field a call
// does not take is refused with its name and the fields the call takes.
//
// # Choices where Graph's documents are silent
//
// Where Meta documents no answer, the fake makes a choice, and an option changes it:
//
//   - a version missing from the schedule (/v99.0/) is refused with code 100 naming
//     the usable versions; WithUnknownVersions(ServeUnknownAsDefault) runs it as the
//     app's default version instead;
//   - version dates take effect at 00:00 UTC; a version without an announced expiry
//     (v26.0) never expires; a version of the schedule released after the fake
//     clock's date runs as itself, so moving the clock back keeps the client's
//     version working; WithGraphVersions adds versions and dates;
//   - the app's default version is v25.0 (WithAppGraphVersion); Graph's rule that an
//     app may call only versions from the one current when it was created is not
//     modelled: every version of the schedule is callable;
//   - POST subscribed_apps without subscribed_fields is refused with code 100, as
//     current Graph answers it (WithSubscribeDefaultFields accepts it); a second POST
//     replaces the subscribed fields; the field names accepted are the Messenger
//     fields, feed and group_feed (WithWebhookFields adds more); the subscription
//     does not gate webhook delivery;
//   - GET /{psid} without fields answers name, first_name, last_name and profile_pic,
//     with id (WithProfileDefaultFields);
//   - a boolean sent as a string is read in any case ("True"); "1" and "0" are
//     refused;
//   - the chat-plugin and ice-breaker event shapes described above.
package messengertest
