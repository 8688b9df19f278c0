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
// The client retries throttling (4, 17, 32, 613), temporary failures (1, 2, 1200),
// HTTP 5xx and connections that failed before the request went out, with
// exponential backoff and jitter, honouring Retry-After and the
// estimated_time_to_regain_access of X-Business-Use-Case-Usage. It never retries a
// window, permission, token, parameter or person-unavailable error, and never
// repeats a send whose outcome is unknown unless RetryPolicy.RetryAmbiguous says so:
// the Send API has no idempotency key.
//
// Tokens and app secrets never appear in errors, log lines or URLs the client
// reports.
package messenger
