// Package catalog describes the libraries the benchmarks compare: what each one's
// webhook handler verifies and skips, and how each one's sender uses connections.
// The benchmarks and the BENCHMARKS.md writer read the same descriptions, so the
// report cannot drift from what was measured.
package catalog

// Webhook describes one webhook entry of BenchmarkWebhook (lib=Name).
type Webhook struct {
	Name   string
	Module string // the Go module measured, "" for a baseline
	// Verifies is the signature the handler checks: "sha256", "sha1" or "none".
	Verifies string
	// Async is true when user code runs on goroutines the library starts after
	// ServeHTTP returns (the benchmark waits for it inside the timed region).
	Async bool
	Notes string
}

// Send describes one send entry of BenchmarkSend (lib=Name).
type Send struct {
	Name      string
	Module    string
	Transport string // the connection pool it uses as configured in the benchmark
	Notes     string
}

// Baselines and ours.
const (
	Plumbing = "plumbing" // an empty handler driven the same way
	Floor    = "floor"    // bare HMAC-SHA256 + encoding/json; bare net/http POST
	Ours     = "messenger"
)

// Webhooks lists the webhook entries in report order.
var Webhooks = []Webhook{
	{Name: Plumbing, Verifies: "none", Notes: "an empty handler driven the same way; subtracted from every other row"},
	{Name: Floor, Verifies: "sha256", Notes: "io.ReadAll, HMAC-SHA256 checked with hmac.Equal, json.Unmarshal into a minimal struct, one call per event"},
	{Name: Ours, Module: "github.com/gomessenger/messenger", Verifies: "sha256", Async: true,
		Notes: "NewWebhook with its defaults + OnEvent: body size cap, X-Hub-Signature-256 in constant time, typed events, the default in-memory dedupe store remembering every new message id, per-conversation ordered queue, 32 workers"},
	{Name: "paked", Module: "github.com/paked/messenger v1.1.1", Verifies: "sha1",
		Notes: "X-Hub-Signature (SHA-1) only, refuses a sha256= header; decodes the JSON before checking the signature; compares hex strings with != (not constant time); copies the body twice"},
	{Name: "maciekmm", Module: "github.com/maciekmm/messenger-platform-go-sdk v0.0.0-20180506131304-fe24182d420d", Verifies: "sha1", Async: true,
		Notes: "X-Hub-Signature (SHA-1) only, compared with != (not constant time); one unbounded goroutine per event"},
	{Name: "mileusna", Module: "github.com/mileusna/facebook-messenger v0.6.0", Verifies: "none", Async: true,
		Notes: "verifies no signature (anyone can post events); ignores decode errors (its page id is an int64, Meta sends a string); one unbounded goroutine per event"},
	{Name: "ekyoung", Module: "github.com/ekyoung/fbmessenger v1.1.0", Verifies: "none",
		Notes: "has no HTTP handler: measured with the one its docs prescribe (io.ReadAll, json.Unmarshal, CallbackDispatcher); verifies no signature"},
}

// Sends lists the send entries in report order.
var Sends = []Send{
	{Name: Floor, Transport: "pooled, 128 idle connections per host",
		Notes: "http.Client.Post of ready JSON bytes, answer drained, nothing decoded"},
	{Name: Ours, Module: "github.com/gomessenger/messenger", Transport: "the SDK's default: pooled, 128 idle per host",
		Notes: "Client.Send: validates the request locally, encodes it, adds the token, goes through the retry policy, decodes the answer into a SendResponse"},
	{Name: "paked", Module: "github.com/paked/messenger v1.1.1", Transport: "http.DefaultClient (2 idle per host)",
		Notes: "closes the answer unread on 200, so every send dials a new connection; Graph address is a constant (redirected in process)"},
	{Name: "maciekmm", Module: "github.com/maciekmm/messenger-platform-go-sdk v0.0.0-20180506131304-fe24182d420d", Transport: "http.DefaultClient (2 idle per host)",
		Notes: "reads the answer and decodes it"},
	{Name: "mileusna", Module: "github.com/mileusna/facebook-messenger v0.6.0", Transport: "a new http.Client per send on http.DefaultTransport (2 idle per host)",
		Notes: "logs every message with the log package (discarded here, formatting still paid); sends no messaging_type"},
	{Name: "ekyoung", Module: "github.com/ekyoung/fbmessenger v1.1.0", Transport: "a new http.Client per send on http.DefaultTransport (2 idle per host)",
		Notes: "sends no messaging_type"},
}

// WebhookByName returns the description of a webhook entry.
func WebhookByName(name string) (Webhook, bool) {
	for _, w := range Webhooks {
		if w.Name == name {
			return w, true
		}
	}
	return Webhook{}, false
}

// SendByName returns the description of a send entry.
func SendByName(name string) (Send, bool) {
	for _, s := range Sends {
		if s.Name == name {
			return s, true
		}
	}
	return Send{}, false
}
