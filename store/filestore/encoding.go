package filestore

import (
	"encoding/binary"
	"time"
)

// The file's layout. Keys that start with a time use timeKey, so a bucket cursor
// walks them in time order; keys built from several strings length-prefix each one,
// so ("ab", "c") and ("a", "bc") never meet.
var (
	bucketMeta      = []byte("meta")
	bucketWindows   = []byte("windows")    // pageUser → windowRecord (JSON)
	bucketWindowExp = []byte("window_exp") // timeKey(keepUntil) + pageUser → nil
	bucketTokens    = []byte("tokens")     // value → tokenRecord (JSON)
	bucketTokenIdx  = []byte("token_idx")  // pageUser + (kind, topic) + value → value
	// bucketTokenTopic indexes tokens by (page, topic) for TokensByTopic. Files
	// written before it existed lack it; Open builds it (see topicindex.go).
	bucketTokenTopic = []byte("token_topic") // (page, topic) + value → value
	bucketDedupe     = []byte("dedupe")      // key → timeKey(expiry)
	bucketDedupeExp  = []byte("dedupe_exp")  // timeKey(expiry) + key → nil
	bucketInbox      = []byte("inbox")       // be64(seq) → timeKey(received) + body
	// bucketInboxState holds where each inbox entry is in its handling, apart from
	// the body, so claims and renewals rewrite a few bytes, not the body, and scan
	// small records. Files written before it existed lack it; Open builds it.
	bucketInboxState = []byte("inbox_state") // be64(seq) → state record, see inboxstate.go

	allBuckets = [][]byte{bucketMeta, bucketWindows, bucketWindowExp, bucketTokens, bucketTokenIdx, bucketDedupe, bucketDedupeExp, bucketInbox}
	// bucketTokenTopic and bucketInboxState are not in allBuckets: Open creates them
	// with their entries.

	keyVersion = []byte("format")
)

const formatVersion = "1"

// timeKeyLen is the size of an encoded time: 8 bytes of seconds, 4 of nanoseconds.
const timeKeyLen = 12

// timeKey encodes t so that byte order is time order, for any time (the sign bit
// of the seconds is flipped so negative seconds sort first).
func timeKey(t time.Time) []byte {
	b := make([]byte, timeKeyLen)
	binary.BigEndian.PutUint64(b, uint64(t.Unix())^(1<<63))
	binary.BigEndian.PutUint32(b[8:], uint32(t.Nanosecond()))
	return b
}

// parseTimeKey decodes the first timeKeyLen bytes of b, in UTC.
func parseTimeKey(b []byte) time.Time {
	sec := int64(binary.BigEndian.Uint64(b) ^ (1 << 63))
	nsec := int64(binary.BigEndian.Uint32(b[8:]))
	return time.Unix(sec, nsec).UTC()
}

// pageUserKey is the length-prefixed pair (page, user).
func pageUserKey(page, user string) []byte {
	b := make([]byte, 0, 2*binary.MaxVarintLen64+len(page)+len(user))
	b = binary.AppendUvarint(b, uint64(len(page)))
	b = append(b, page...)
	b = binary.AppendUvarint(b, uint64(len(user)))
	return append(b, user...)
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func concat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}
