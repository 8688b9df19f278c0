package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
)

func (s *suite) closed(t *testing.T) {
	st := s.open(t)
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	ctx := t.Context()
	now := s.now()
	calls := map[string]func() error{
		"RecordAction": func() error {
			return st.RecordAction(ctx, page, user, store.Action{Kind: store.ActionMessage, At: now})
		},
		"Window":   func() error { _, err := st.Window(ctx, page, user); return err },
		"PutToken": func() error { return st.PutToken(ctx, oneTime("otn-1", now)) },
		"ClaimToken": func() error {
			_, err := st.ClaimToken(ctx, store.TokenQuery{Page: page, User: user, Topic: topic, Kind: store.OneTimeKind}, now)
			return err
		},
		"ReleaseToken": func() error { return st.ReleaseToken(ctx, oneTime("otn-1", now)) },
		"KillToken":    func() error { return st.KillToken(ctx, "otn-1") },
		"ListTokens":   func() error { _, err := st.ListTokens(ctx, page, user); return err },
		"PurgeTokens":  func() error { _, err := st.PurgeTokens(ctx, now); return err },
		"FirstSeen":    func() error { _, err := st.FirstSeen(ctx, "k", time.Hour); return err },
		"Forget":       func() error { return st.Forget(ctx, "k") },
		"Append": func() error {
			_, err := st.Append(ctx, []byte("b"), now, store.Lease{Owner: ownerA, Until: now})
			return err
		},
		"Claim": func() error {
			_, err := st.Claim(ctx, store.Lease{Owner: ownerA, Until: now}, now, 0)
			return err
		},
		"Renew": func() error {
			_, err := st.Renew(ctx, store.Lease{Owner: ownerA, Until: now}, []string{"1"})
			return err
		},
		"Release": func() error { return st.Release(ctx, "1", ownerA, store.Release{}) },
		"Done":    func() error { return st.Done(ctx, "1") },
		"Entries": func() error { _, err := st.Entries(ctx, store.InboxPending); return err },
		"Redrive": func() error { return st.Redrive(ctx, "1") },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
}

func (s *suite) reopen(t *testing.T) {
	if s.cfg.reopen == nil {
		t.Skip("storetest: not a durable store (no storetest.WithReopen)")
	}
	ctx := t.Context()
	now := s.now()
	st := s.open(t)
	a := store.Action{Kind: store.ActionMessage, At: now}
	ad := store.Action{Kind: store.ActionAdClick, At: now.Add(time.Second)}
	for _, act := range []store.Action{a, ad} {
		if err := st.RecordAction(ctx, page, user, act); err != nil {
			t.Fatalf("RecordAction: %v", err)
		}
	}
	put(t, st, oneTime("otn-1", now), oneTime("otn-2", now.Add(time.Minute)), recurring("rec-1", now))
	claimed, ok := claim(t, st, store.OneTimeKind, now)
	if !ok {
		t.Fatal("claim failed")
	}
	rec, ok := claim(t, st, store.RecurringKind, now)
	if !ok {
		t.Fatal("recurring claim failed")
	}
	if err := st.KillToken(ctx, "otn-2"); err != nil {
		t.Fatalf("KillToken: %v", err)
	}
	if !firstSeen(t, st, "mid.kept", time.Hour) {
		t.Fatal("FirstSeen of a new key = false")
	}
	var kept []store.InboxEntry
	for _, b := range []string{"one", "two", "three"} {
		kept = append(kept, appendBody(t, st, b, now))
	}
	if err := st.Done(ctx, kept[1].ID); err != nil {
		t.Fatalf("Done: %v", err)
	}
	kept = append(kept[:1], kept[2])
	// A failed run and a dead letter are durable too.
	if err := st.Release(ctx, kept[0].ID, ownerA, store.Release{Failed: true, Reason: "r", RetryAt: now.Add(time.Second)}); err != nil {
		t.Fatalf("Release: %v", err)
	}
	kept[0].Owner, kept[0].LeaseUntil, kept[0].Attempts, kept[0].LastError, kept[0].RetryAt = "", time.Time{}, 1, "r", now.Add(time.Second)
	dead := appendBody(t, st, "dead", now)
	if err := st.Release(ctx, dead.ID, ownerA, store.Release{Failed: true, Reason: "d", Dead: true}); err != nil {
		t.Fatalf("Release(dead): %v", err)
	}
	dead.State, dead.Owner, dead.LeaseUntil, dead.Attempts, dead.LastError = store.InboxDead, "", time.Time{}, 1, "d"
	wantTokens := list(t, st)

	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	st = s.cfg.reopen(t, st)
	t.Cleanup(func() { _ = st.Close() })

	w, err := st.Window(ctx, page, user)
	if err != nil {
		t.Fatalf("Window: %v", err)
	}
	wantW := store.Window{LastAction: ad, LastMessage: a.At, LastAdReferral: ad.At}
	if diff := cmp.Diff(wantW, w); diff != "" {
		t.Errorf("Window after reopen (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantTokens, list(t, st)); diff != "" {
		t.Errorf("tokens after reopen (-want +got):\n%s", diff)
	}
	if tok, ok := claim(t, st, store.OneTimeKind, now); ok {
		t.Errorf("claimed %q after reopen; every one-time token was claimed or dead", tok.Value)
	}
	// The claims can still be undone after a restart.
	if err := st.ReleaseToken(ctx, claimed); err != nil {
		t.Fatalf("ReleaseToken: %v", err)
	}
	if err := st.ReleaseToken(ctx, rec); err != nil {
		t.Fatalf("ReleaseToken(recurring): %v", err)
	}
	if _, ok := claim(t, st, store.OneTimeKind, now); !ok {
		t.Error("released one-time token not claimable after reopen")
	}
	if _, ok := claim(t, st, store.RecurringKind, now); !ok {
		t.Error("released recurring token not claimable after reopen")
	}
	if firstSeen(t, st, "mid.kept", time.Hour) {
		t.Error("dedupe key lost on reopen")
	}
	if diff := cmp.Diff(kept, entries(t, st, store.InboxPending)); diff != "" {
		t.Errorf("inbox after reopen (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]store.InboxEntry{dead}, entries(t, st, store.InboxDead)); diff != "" {
		t.Errorf("dead letters after reopen (-want +got):\n%s", diff)
	}
	// The sequence goes on after the entries kept: a new entry is last.
	kept = append(kept, appendBody(t, st, "four", now))
	if diff := cmp.Diff(kept, entries(t, st, store.InboxPending)); diff != "" {
		t.Errorf("inbox after an Append following reopen (-want +got):\n%s", diff)
	}
}
