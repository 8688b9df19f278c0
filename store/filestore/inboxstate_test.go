package filestore

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
)

func stateCases() map[string]store.InboxEntry {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	return map[string]store.InboxEntry{
		"fresh":   {State: store.InboxPending},
		"leased":  {State: store.InboxPending, Owner: "instance-a", LeaseUntil: t0},
		"failed":  {State: store.InboxPending, Attempts: 3, LastError: "handler: boom", RetryAt: t0.Add(time.Second)},
		"dead":    {State: store.InboxDead, Attempts: 300, LastError: strings.Repeat("é", 200)},
		"unicode": {State: store.InboxPending, Owner: "héllo\x00wörld", LeaseUntil: t0.Add(-time.Hour)},
	}
}

func TestInboxStateRoundTrip(t *testing.T) {
	for name, want := range stateCases() {
		var got store.InboxEntry
		if err := decodeInboxState(encodeInboxState(&want), &got); err != nil {
			t.Errorf("%s: decode: %v", name, err)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: round trip (-want +got):\n%s", name, diff)
		}
	}
}

// A record cut short or with bytes this version does not know is an error, never
// a panic nor a wrong entry.
func TestInboxStateDamaged(t *testing.T) {
	for name, e := range stateCases() {
		v := encodeInboxState(&e)
		for n := range len(v) {
			var got store.InboxEntry
			if err := decodeInboxState(v[:n], &got); !errors.Is(err, errBadInboxRecord) {
				t.Errorf("%s cut to %d of %d bytes: err = %v, want errBadInboxRecord", name, n, len(v), err)
			}
			if n < inboxStateFixed {
				if _, err := freeAt(v[:n], timeKey(time.Time{})); !errors.Is(err, errBadInboxRecord) {
					t.Errorf("%s cut to %d bytes: freeAt err = %v, want errBadInboxRecord", name, n, err)
				}
			}
		}
	}
	good := encodeInboxState(&store.InboxEntry{State: store.InboxPending})
	for name, damage := range map[string]func(v []byte){
		"layout": func(v []byte) { v[0] = inboxStateLayout + 1 },
		"state":  func(v []byte) { v[1] = 7 },
		"owner":  func(v []byte) { v[inboxStateFixed+1] = 0x7f }, // longer than the record
	} {
		v := append([]byte{}, good...)
		damage(v)
		var got store.InboxEntry
		if err := decodeInboxState(v, &got); !errors.Is(err, errBadInboxRecord) {
			t.Errorf("bad %s: err = %v, want errBadInboxRecord", name, err)
		}
	}
}

// freeAt reads the bytes as InboxEntry.Free reads the entry, to the nanosecond.
func TestInboxStateFreeAt(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	nows := []time.Time{{}, t0.Add(-time.Hour), t0.Add(-time.Nanosecond), t0, t0.Add(time.Nanosecond), t0.Add(time.Hour)}
	entries := []store.InboxEntry{
		{State: store.InboxPending},
		{State: store.InboxPending, Owner: "a", LeaseUntil: t0},
		{State: store.InboxPending, RetryAt: t0},
		{State: store.InboxPending, Owner: "a", LeaseUntil: t0.Add(-time.Hour), RetryAt: t0},
		{State: store.InboxDead},
		{State: store.InboxDead, RetryAt: t0},
	}
	for _, e := range entries {
		for _, now := range nows {
			got, err := freeAt(encodeInboxState(&e), timeKey(now))
			if err != nil {
				t.Fatal(err)
			}
			if want := e.Free(now); got != want {
				t.Errorf("freeAt(%+v, %v) = %v, want %v", e, now, got, want)
			}
		}
	}
}
