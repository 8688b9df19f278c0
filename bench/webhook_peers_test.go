package bench

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	ekyoung "github.com/ekyoung/fbmessenger"
	"github.com/gomessenger/messenger/bench/internal/catalog"
	maciekmm "github.com/maciekmm/messenger-platform-go-sdk"
	mileusna "github.com/mileusna/facebook-messenger"
	paked "github.com/paked/messenger"
)

// webhookLib is one way of turning a signed delivery into calls of user code.
// handler builds it with a user callback that counts the events it receives.
// What each one verifies and skips is in catalog.Webhooks.
type webhookLib struct {
	name    string
	handler func(tb testing.TB, dispatched *atomic.Int64) http.Handler
}

// verifies is the signature the handler checks: "sha256", "sha1" or "none".
func (l webhookLib) verifies() string {
	w, _ := catalog.WebhookByName(l.name)
	return w.Verifies
}

// webhookLibs are the peers and the baselines; ours is added by
// webhookOursLibs (webhook_ours_test.go).
var webhookLibs = []webhookLib{
	{name: "plumbing", handler: plumbingHandler},
	{name: "floor", handler: floorHandler},
	{name: "paked", handler: pakedHandler},
	{name: "maciekmm", handler: maciekmmHandler},
	{name: "mileusna", handler: mileusnaHandler},
	{name: "ekyoung", handler: ekyoungHandler},
}

// plumbingHandler does nothing: what driving a handler costs by itself.
func plumbingHandler(testing.TB, *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
}

// floorEnvelope is the smallest typed view of a delivery that still hands user
// code the sender, the message id and the text.
type floorEnvelope struct {
	Object string `json:"object"`
	Entry  []struct {
		ID        string `json:"id"`
		Time      int64  `json:"time"`
		Messaging []struct {
			Sender    struct{ ID string } `json:"sender"`
			Recipient struct{ ID string } `json:"recipient"`
			Timestamp int64               `json:"timestamp"`
			Message   *struct {
				MID  string `json:"mid"`
				Text string `json:"text"`
			} `json:"message"`
		} `json:"messaging"`
	} `json:"entry"`
}

// floorHandler is the least a correct handler does: read the body, check
// X-Hub-Signature-256 in constant time, decode with encoding/json, call user code
// once per event. No size cap, no dedupe, no queue, no pooling.
func floorHandler(_ testing.TB, dispatched *atomic.Int64) http.Handler {
	secret := []byte(appSecret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		got, err := hex.DecodeString(strings.TrimPrefix(r.Header.Get("X-Hub-Signature-256"), "sha256="))
		if err != nil {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		m := hmac.New(sha256.New, secret)
		m.Write(body)
		if !hmac.Equal(m.Sum(nil), got) {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		var env floorEnvelope
		if err := json.Unmarshal(body, &env); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for _, e := range env.Entry {
			for _, m := range e.Messaging {
				if m.Message != nil {
					dispatched.Add(1)
				}
			}
		}
	})
}

// pakedHandler: github.com/paked/messenger with Verify on. It checks only the
// SHA-1 X-Hub-Signature (it rejects a sha256= header as an unknown encoding), it
// decodes the JSON before checking the signature, compares hex strings with !=
// (not constant time) and copies the body twice.
func pakedHandler(_ testing.TB, dispatched *atomic.Int64) http.Handler {
	m := paked.New(paked.Options{Verify: true, AppSecret: appSecret, VerifyToken: verifyToken, Token: pageToken})
	m.HandleMessage(func(paked.Message, *paked.Response) { dispatched.Add(1) })
	return m.Handler()
}

// maciekmmHandler: github.com/maciekmm/messenger-platform-go-sdk with AppSecret
// set. SHA-1 X-Hub-Signature only, compared with != on hex strings (not constant
// time); one goroutine per event, no bound, nothing waits for them.
func maciekmmHandler(_ testing.TB, dispatched *atomic.Int64) http.Handler {
	m := &maciekmm.Messenger{AppSecret: appSecret, VerifyToken: verifyToken, AccessToken: pageToken,
		MessageReceived: func(maciekmm.Event, maciekmm.MessageOpts, maciekmm.ReceivedMessage) { dispatched.Add(1) }}
	return http.HandlerFunc(m.Handler)
}

// mileusnaHandler: github.com/mileusna/facebook-messenger. It verifies no
// signature at all (anyone can post events), ignores decoding errors (its Entry.ID
// is an int64 while Meta sends a string, so every delivery fails to decode in part
// and is dispatched anyway), and starts one goroutine per event.
func mileusnaHandler(_ testing.TB, dispatched *atomic.Int64) http.Handler {
	m := &mileusna.Messenger{AccessToken: pageToken, VerifyToken: verifyToken, PageID: pageID,
		MessageReceived: func(*mileusna.Messenger, int64, mileusna.FacebookMessage) { dispatched.Add(1) }}
	return m
}

// ekyoungHandler: github.com/ekyoung/fbmessenger has no HTTP handler; this is the
// one its documentation prescribes (read the body, json.Unmarshal into Callback,
// CallbackDispatcher.Dispatch). It verifies no signature.
func ekyoungHandler(_ testing.TB, dispatched *atomic.Int64) http.Handler {
	d := &ekyoung.CallbackDispatcher{MessageHandler: func(*ekyoung.MessagingEntry) error {
		dispatched.Add(1)
		return nil
	}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		cb := &ekyoung.Callback{}
		if err := json.Unmarshal(raw, cb); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		_ = d.Dispatch(cb)
	})
}
