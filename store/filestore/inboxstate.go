package filestore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/gomessenger/messenger/store"
)

// An inbox entry is two records under the same key, be64(seq): its body in
// bucketInbox, as timeKey(received) + body (the layout of every version), and where
// it is in its handling in bucketInboxState, as
//
//	[0]       inboxStateLayout
//	[1]       state: 0 pending, 1 dead
//	[2:14]    timeKey(RetryAt)
//	[14:26]   timeKey(LeaseUntil)
//	[26:]     uvarint Attempts, then Owner and LastError, each a uvarint length
//	          and the bytes
//
// The fixed part comes first, so Claim tells a free entry from a held one by
// comparing bytes (timeKey order is time order), without decoding anything.
const (
	inboxStateLayout = 1
	inboxStateFixed  = 2 + 2*timeKeyLen
	retryAtAt        = 2
	leaseUntilAt     = retryAtAt + timeKeyLen
)

const (
	statePending byte = 0
	stateDead    byte = 1
)

var errBadInboxRecord = errors.New("malformed inbox record")

// encodeInboxState is the state record of e; e's ID, Body and Received are not in
// it.
func encodeInboxState(e *store.InboxEntry) []byte {
	b := make([]byte, 0, inboxStateFixed+3*binary.MaxVarintLen64+len(e.Owner)+len(e.LastError))
	state := statePending
	if e.State == store.InboxDead {
		state = stateDead
	}
	b = append(b, inboxStateLayout, state)
	b = append(b, timeKey(e.RetryAt)...)
	b = append(b, timeKey(e.LeaseUntil)...)
	b = binary.AppendUvarint(b, uint64(e.Attempts))
	b = appendString(b, e.Owner)
	return appendString(b, e.LastError)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeInboxState sets the fields of e that the state record v holds. A damaged
// record is an error, never a panic.
func decodeInboxState(v []byte, e *store.InboxEntry) error {
	if err := checkStateFixed(v); err != nil {
		return err
	}
	switch v[1] {
	case statePending:
		e.State = store.InboxPending
	case stateDead:
		e.State = store.InboxDead
	default:
		return fmt.Errorf("%w: state %d", errBadInboxRecord, v[1])
	}
	e.RetryAt = parseTimeKey(v[retryAtAt:])
	e.LeaseUntil = parseTimeKey(v[leaseUntilAt:])
	rest := v[inboxStateFixed:]
	attempts, n := binary.Uvarint(rest)
	if n <= 0 || attempts > uint64(^uint(0)>>1) {
		return fmt.Errorf("%w: attempts", errBadInboxRecord)
	}
	e.Attempts = int(attempts)
	rest = rest[n:]
	var ok bool
	if e.Owner, rest, ok = cutString(rest); !ok {
		return fmt.Errorf("%w: owner", errBadInboxRecord)
	}
	if e.LastError, _, ok = cutString(rest); !ok {
		return fmt.Errorf("%w: last error", errBadInboxRecord)
	}
	return nil
}

func cutString(b []byte) (s string, rest []byte, ok bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return "", nil, false
	}
	return string(b[k : k+int(n)]), b[k+int(n):], true
}

func checkStateFixed(v []byte) error {
	if len(v) < inboxStateFixed {
		return fmt.Errorf("%w: state record of %d bytes", errBadInboxRecord, len(v))
	}
	if v[0] != inboxStateLayout {
		return fmt.Errorf("%w: state layout %d, this version reads %d", errBadInboxRecord, v[0], inboxStateLayout)
	}
	return nil
}

// freeAt reports whether the entry of state record v may be claimed at the time
// whose timeKey is now: pending, not leased past now, and due for its retry (as
// [store.InboxEntry.Free]).
func freeAt(v, now []byte) (bool, error) {
	if err := checkStateFixed(v); err != nil {
		return false, err
	}
	return v[1] == statePending &&
		bytes.Compare(v[leaseUntilAt:leaseUntilAt+timeKeyLen], now) <= 0 &&
		bytes.Compare(v[retryAtAt:retryAtAt+timeKeyLen], now) <= 0, nil
}

// inboxKey is the key of the entry whose ID is id; ok is false for a string that
// is no ID of this store (IDs are decimal sequence numbers, written canonically).
func inboxKey(id string) (k []byte, ok bool) {
	seq, err := strconv.ParseUint(id, 10, 64)
	if err != nil || strconv.FormatUint(seq, 10) != id {
		return nil, false
	}
	return seqKey(seq), true
}

func inboxID(k []byte) string { return strconv.FormatUint(binary.BigEndian.Uint64(k), 10) }

// getInboxState reads the state record under k, or returns nil when there is none.
func getInboxState(states *bolt.Bucket, k []byte) (*store.InboxEntry, error) {
	v := states.Get(k)
	if v == nil {
		return nil, nil
	}
	e := &store.InboxEntry{ID: inboxID(k)}
	if err := decodeInboxState(v, e); err != nil {
		return nil, fmt.Errorf("inbox entry %s: %w", e.ID, err)
	}
	return e, nil
}

// readBody sets e's Received and Body (a copy: bbolt's bytes die with the
// transaction) from the body record under k; ok is false when there is none.
func readBody(bodies *bolt.Bucket, k []byte, e *store.InboxEntry) (ok bool, err error) {
	v := bodies.Get(k)
	if v == nil {
		return false, nil
	}
	if len(v) < timeKeyLen {
		return false, fmt.Errorf("inbox entry %s: %w: body record of %d bytes", inboxID(k), errBadInboxRecord, len(v))
	}
	e.Received = parseTimeKey(v)
	e.Body = bytes.Clone(v[timeKeyLen:])
	return true, nil
}

// ensureInboxState gives every inbox body a state record and drops the records
// whose body is gone, in Open's transaction, so every other call may take the two
// buckets to hold the same keys. A body without a record was appended by a version
// that kept bodies only (before this bucket existed, or since, by an older binary
// run on the same file): it becomes pending, unleased, with no attempts, so an
// upgrade loses no acknowledged body. A record without a body is one such a version
// marked done. Checking walks the keys of both buckets at Open, decoding nothing:
// an inbox is small.
func ensureInboxState(tx *bolt.Tx) error {
	states, err := tx.CreateBucketIfNotExists(bucketInboxState)
	if err != nil {
		return err
	}
	var missing, orphans [][]byte
	bc, sc := tx.Bucket(bucketInbox).Cursor(), states.Cursor()
	bk, _ := bc.First()
	sk, _ := sc.First()
	for bk != nil || sk != nil {
		switch cmp := compareKeys(bk, sk); {
		case cmp < 0:
			missing = append(missing, bytes.Clone(bk))
			bk, _ = bc.Next()
		case cmp > 0:
			orphans = append(orphans, bytes.Clone(sk))
			sk, _ = sc.Next()
		default:
			bk, _ = bc.Next()
			sk, _ = sc.Next()
		}
	}
	fresh := encodeInboxState(&store.InboxEntry{State: store.InboxPending})
	for _, k := range missing {
		if err := states.Put(k, fresh); err != nil {
			return err
		}
	}
	for _, k := range orphans {
		if err := states.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// compareKeys orders two cursors' keys, a finished cursor (nil) after every key.
func compareKeys(a, b []byte) int {
	switch {
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return bytes.Compare(a, b)
}
