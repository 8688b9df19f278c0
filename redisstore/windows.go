package redisstore

import (
	"context"
	"strconv"
	"time"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storekit"
)

// RecordAction implements [store.Windows] in one script, so concurrent records
// from many instances keep the latest per kind.
func (s *Store) RecordAction(ctx context.Context, page, user string, a store.Action) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if err := storekit.CheckAction(page, user, a); err != nil {
		return err
	}
	if err := checkPage("RecordAction", "page", page); err != nil {
		return err
	}
	args := appendActionArgs(make([]any, 0, 6), a, s.now())
	err := recordActionScript.Run(ctx, s.rdb, []string{s.windowKey(page, user)}, args...).Err()
	return wrap("RecordAction", err)
}

// appendActionArgs appends what record_action (luaWindow) needs of a: its kind and
// time, and the time and TTL to keep the window until, WindowRetention after the
// later of a and now.
func appendActionArgs(args []any, a store.Action, now time.Time) []any {
	keep := a.At
	if now.After(keep) {
		keep = now
	}
	keep = keep.Add(store.WindowRetention)
	return append(args, string(a.Kind), secs(a.At), nanos(a.At), secs(keep), nanos(keep), ttlMillis(keep.Sub(now)))
}

// Window implements [store.Windows]. A window past its retention by the store's
// clock reads as zero even before Redis expires it.
func (s *Store) Window(ctx context.Context, page, user string) (store.Window, error) {
	if err := s.check(ctx); err != nil {
		return store.Window{}, err
	}
	if err := storekit.CheckWindowKey("Window", page, user); err != nil {
		return store.Window{}, err
	}
	if err := checkPage("Window", "page", page); err != nil {
		return store.Window{}, err
	}
	h, err := s.rdb.HGetAll(ctx, s.windowKey(page, user)).Result()
	if err != nil {
		return store.Window{}, wrap("Window", err)
	}
	if len(h) == 0 || !pairTime(h, "ku").After(s.now()) {
		return store.Window{}, nil
	}
	return store.Window{
		LastAction:     store.Action{Kind: store.ActionKind(h["la_k"]), At: pairTime(h, "la")},
		LastMessage:    pairTime(h, "lm"),
		LastAdReferral: pairTime(h, "lad"),
	}, nil
}

// pairTime decodes the time stored in fields name_s and name_n; absent is zero.
func pairTime(h map[string]string, name string) time.Time {
	sv, ok := h[name+"_s"]
	if !ok {
		return time.Time{}
	}
	sec, err1 := strconv.ParseInt(sv, 10, 64)
	nsec, err2 := strconv.ParseInt(h[name+"_n"], 10, 64)
	if err1 != nil || err2 != nil {
		return time.Time{}
	}
	t := time.Unix(sec, nsec).UTC()
	if t.IsZero() {
		return time.Time{}
	}
	return t
}
