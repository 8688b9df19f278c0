package bench

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// The credentials every library is configured with. Fake values: the benchmarks
// never leave the loopback interface.
const (
	appSecret   = "bench-app-secret-0123456789abcdef"
	verifyToken = "bench-verify-token"
	pageToken   = "EAAbenchPageAccessToken0123456789"
	pageID      = "106433448749543"
	psid        = "6945435465511234"
	psidNum     = 6945435465511234
	sendText    = "Hello, world!"
)

// sendAnswer is what the loopback Graph server answers to every send.
const sendAnswer = `{"recipient_id":"6945435465511234","message_id":"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM"}`

// A webhook delivery as Meta sends it: one entry per event, each entry holding a
// single messaging item, ids as JSON strings. Every library gets these exact bytes
// and both signature headers (Meta sends X-Hub-Signature with SHA-1 beside
// X-Hub-Signature-256).
type delivery struct {
	name   string // "single" or "batch100"
	events int
	body   []byte
	sha1   string // X-Hub-Signature value
	sha256 string // X-Hub-Signature-256 value
}

func textEntry(i int) string {
	sender := fmt.Sprintf("69454354655%05d", 11234+i%10) // ten people writing
	ts := 1767225600001 + int64(i)
	return fmt.Sprintf(`{"id":%q,"time":%d,"messaging":[{"sender":{"id":%q},"recipient":{"id":%q},"timestamp":%d,`+
		`"message":{"mid":"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM%06d","text":"Hello, is my order %d on its way? I ordered it on Monday."}}]}`,
		pageID, ts+100, sender, pageID, ts, i, 1000+i)
}

func newDelivery(name string, events int) delivery {
	entries := make([]string, events)
	for i := range entries {
		entries[i] = textEntry(i)
	}
	body := []byte(`{"object":"page","entry":[` + strings.Join(entries, ",") + `]}`)
	return delivery{name: name, events: events, body: body,
		sha1: "sha1=" + mac(sha1.New, body), sha256: "sha256=" + mac(sha256.New, body)}
}

func mac(h func() hash.Hash, body []byte) string {
	m := hmac.New(h, []byte(appSecret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

var (
	deliverySingle   = newDelivery("single", 1)
	deliveryBatch100 = newDelivery("batch100", 100)
	deliveries       = []delivery{deliverySingle, deliveryBatch100}
)

var (
	sha1New   = sha1.New
	sha256New = sha256.New
)
