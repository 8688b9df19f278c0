// Package bench measures this SDK side by side with the Go Messenger libraries
// people use today, on the same payload bytes, the same loopback server and the
// same machine, in one run. It is its own module so that the peers it compares
// against never become dependencies of the SDK.
//
// Everything lives in the _test.go files: webhook ingest (a signed single-message
// body and a 100-event batch through each library's HTTP handler), sends (one text
// message to a loopback server, sequentially and from 64 concurrent senders), the
// in-memory dedupe store (time per new key at 1k, 10k and 100k keys held, and its
// live heap at 100k), the
// floors (bare HMAC-SHA256 + encoding/json for webhooks, a bare net/http POST for
// sends), the plumbing baseline that is subtracted from webhook figures, and the
// policy check. The run script beside this file runs them round after round,
// together with the stores' intake benchmarks (the webhook with one Redis store or
// one file store as inbox, dedupe and window store, in the redisstore and
// store/filestore packages), feeds the results through benchstat and writes
// BENCHMARKS.md at the repository root with the program in ./benchmd.
//
// The tests (go test ./...) check that every benchmarked path really does the work
// it is credited with: each library dispatches every event of the payload, refuses
// a forged body when it claims to verify signatures, and each sender's request
// reaches the loopback server with the right recipient and text.
package bench
