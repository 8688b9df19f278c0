// Package reliability holds the SDK's robustness tests, kept apart from the unit
// tests of each package because they exercise several packages together through
// their exported API only:
//
//   - soak: many sends through Client.Send into messengertest while it injects
//     throttling, transient failures, latency and dropped connections; every
//     message is delivered once or reported failed, nothing leaks;
//   - webhook load: concurrent signed deliveries, with duplicates and forgeries
//     mixed in, into one Webhook over loopback; every valid event handled exactly
//     once, no forged one, acknowledgements well inside Meta's 5 seconds, the
//     queue bound held;
//   - client safety: the retry table row by row (which failures are repeated,
//     which end ErrAmbiguous), attempt timeouts against a server that never
//     answers, no piece of a secret left by cutting an error page;
//   - security: no token or app secret in any log line or error, constant-time
//     comparisons of signatures and tokens, body size caps, every unsigned body
//     refused.
//
// The package has no code of its own: everything is in its _test.go files. The
// tests are short by default (seconds, with -race); flags make them longer:
//
//	go test ./internal/reliability -soak.n 50000 -load.n 20000 -timeout 30m
//
// or the environment variables MESSENGER_SOAK_N and MESSENGER_LOAD_N.
package reliability
