package bench

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
	"testing"
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

// textEntry is the i-th event of a delivery; seq makes its message id one never
// sent before. Message ids are "m_" and about 80 base64 characters, as Meta's are.
func textEntry(i, seq int) string {
	sender := fmt.Sprintf("69454354655%05d", 11234+i%10) // ten people writing
	ts := 1767225600001 + int64(i)
	return fmt.Sprintf(`{"id":%q,"time":%d,"messaging":[{"sender":{"id":%q},"recipient":{"id":%q},"timestamp":%d,`+
		`"message":{"mid":"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM-Tq3Wv0bLk9PzRxYcN4sD_eHu1Gf6jOa2Ii7%014d%03d","text":"Hello, is my order %d on its way? I ordered it on Monday."}}]}`,
		pageID, ts+100, sender, pageID, ts, seq, i, 1000+i)
}

// newDelivery builds a delivery of events messages whose ids carry seq.
func newDelivery(name string, events, seq int) delivery {
	entries := make([]string, events)
	for i := range entries {
		entries[i] = textEntry(i, seq)
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
	deliverySingle   = newDelivery("single", 1, 0)
	deliveryBatch100 = newDelivery("batch100", 100, 0)
	deliveries       = []delivery{deliverySingle, deliveryBatch100}
)

// stream hands out deliveries of one shape whose message ids were never sent
// before, as a Page's traffic is: a chunk at a time, built and signed with the
// benchmark timer stopped. A stream that is not fresh cycles through its first
// chunk instead, for the plumbing row, whose empty handler reads no id: building
// bodies for its millions of cheap ops would take minutes of untimed work.
type stream struct {
	shape delivery
	fresh bool
	chunk []delivery
	i     int
	seq   int
}

func newStream(shape delivery, chunk int, fresh bool) *stream {
	s := &stream{shape: shape, fresh: fresh, chunk: make([]delivery, chunk), seq: 1}
	s.fill()
	return s
}

func (s *stream) fill() {
	for i := range s.chunk {
		s.chunk[i] = newDelivery(s.shape.name, s.shape.events, s.seq)
		s.seq++
	}
}

// next returns the next delivery: when the stream is fresh, one no earlier call
// returned.
func (s *stream) next(b *testing.B) delivery {
	if s.i == len(s.chunk) {
		if s.fresh {
			b.StopTimer()
			s.fill()
			b.StartTimer()
		}
		s.i = 0
	}
	d := s.chunk[s.i]
	s.i++
	return d
}

// chunkOf is how many deliveries of a shape a stream builds at a time: about 1.5 MB
// of bodies.
func chunkOf(d delivery) int { return max(16, 1_500_000/len(d.body)) }

var (
	sha1New   = sha1.New
	sha256New = sha256.New
)
