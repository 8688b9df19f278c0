package messenger

import (
	"strconv"
	"time"

	"github.com/gomessenger/messenger/internal/dedupe"
)

// dedupeKey names an event so that a redelivery of it gets the same name: the message
// id for messages, echoes, postbacks and edits; the message id, action, person and time
// for reactions (so reacting again after an unreact counts); the Page, person and
// watermark for deliveries and reads; otherwise a hash of the Page and the item's exact
// bytes. Standby copies are keyed apart from messaging ones.
func dedupeKey(ev Event) string {
	in := ev.Info()
	sb := ""
	if in.Standby {
		sb = "s"
	}
	switch e := ev.(type) {
	case *MessageEvent:
		if e.Message.MID != "" {
			return sb + "message:" + e.Message.MID
		}
	case *EchoEvent:
		if e.Message.MID != "" {
			return sb + "echo:" + e.Message.MID
		}
	case *PostbackEvent:
		if e.MID != "" {
			return sb + "postback:" + e.MID
		}
	case *MessageEditEvent:
		if e.MID != "" {
			return sb + "edit:" + e.MID + ":" + strconv.FormatInt(e.NumEdit, 10)
		}
	case *ReactionEvent:
		if e.MID != "" {
			return sb + "reaction:" + e.MID + ":" + e.Action + ":" + e.Sender.key() + ":" + strconv.FormatInt(toMillis(e.Time), 10)
		}
	case *DeliveryEvent:
		return sb + "delivery:" + in.PageID + ":" + e.Sender.key() + ":" + strconv.FormatInt(toMillis(e.Watermark), 10)
	case *ReadEvent:
		return sb + "read:" + in.PageID + ":" + e.Sender.key() + ":" + strconv.FormatInt(toMillis(e.Watermark), 10)
	}
	h := fnv64a(fnvOffset, in.PageID)
	h = fnv64a(h, "\x00")
	if in.raw != "" {
		h = fnv64a(h, in.raw)
	} else if b, err := ev.MarshalJSON(); err == nil {
		h = fnv64a(h, string(b))
	}
	var buf [32]byte
	return string(strconv.AppendUint(append(append(buf[:0], sb...), "hash:"...), h, 16))
}

// FNV-1a, written out: hash/fnv's constructor returns an interface and allocates.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv64a(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// newMemoryDedupe returns the default dedupe store: keys held in process memory,
// at most max of them, the oldest record dropped first (see [dedupe.Memory]; the
// memory store of store/memstore keeps its keys the same way). It does not survive a
// restart; use a durable store.Dedupe (with an inbox) for that.
func newMemoryDedupe(clock func() time.Time, max int) *dedupe.Memory {
	return dedupe.New(clock, max)
}
