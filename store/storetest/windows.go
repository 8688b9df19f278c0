package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/store"
)

const (
	page  = "page-1"
	user  = "user-1"
	topic = "spring-sale"
)

func (s *suite) windowsEmpty(t *testing.T) {
	st := s.fresh(t)
	got, err := st.Window(t.Context(), page, user)
	if err != nil {
		t.Fatalf("Window: %v", err)
	}
	if diff := cmp.Diff(store.Window{}, got); diff != "" {
		t.Errorf("Window of a person who never acted (-want +got):\n%s", diff)
	}
}

func (s *suite) windowsLatestPerKind(t *testing.T) {
	t0 := s.now()
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	act := func(k store.ActionKind, h int) store.Action { return store.Action{Kind: k, At: at(h)} }
	tests := []struct {
		name    string
		actions []store.Action
		want    store.Window
	}{
		{
			name:    "one message",
			actions: []store.Action{act(store.ActionMessage, 0)},
			want:    store.Window{LastAction: act(store.ActionMessage, 0), LastMessage: at(0)},
		},
		{
			name:    "postback after message keeps the message time",
			actions: []store.Action{act(store.ActionMessage, 0), act(store.ActionPostback, 2)},
			want:    store.Window{LastAction: act(store.ActionPostback, 2), LastMessage: at(0)},
		},
		{
			name:    "older action changes nothing",
			actions: []store.Action{act(store.ActionMessage, 5), act(store.ActionMessage, 1), act(store.ActionPostback, 3)},
			want:    store.Window{LastAction: act(store.ActionMessage, 5), LastMessage: at(5)},
		},
		{
			name:    "out of order message still counts per kind",
			actions: []store.Action{act(store.ActionReaction, 6), act(store.ActionMessage, 4)},
			want:    store.Window{LastAction: act(store.ActionReaction, 6), LastMessage: at(4)},
		},
		{
			name:    "ad click is kept apart",
			actions: []store.Action{act(store.ActionAdClick, 1), act(store.ActionMessage, 2), act(store.ActionAdClick, -1)},
			want:    store.Window{LastAction: act(store.ActionMessage, 2), LastMessage: at(2), LastAdReferral: at(1)},
		},
		{
			name:    "redelivery is harmless",
			actions: []store.Action{act(store.ActionOptin, 1), act(store.ActionOptin, 1), act(store.ActionOptin, 1)},
			want:    store.Window{LastAction: act(store.ActionOptin, 1)},
		},
		{
			name:    "nanoseconds count",
			actions: []store.Action{{Kind: store.ActionMessage, At: at(1)}, {Kind: store.ActionReferral, At: at(1).Add(time.Nanosecond)}},
			want:    store.Window{LastAction: store.Action{Kind: store.ActionReferral, At: at(1).Add(time.Nanosecond)}, LastMessage: at(1)},
		},
	}
	st := s.fresh(t)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := user + "-" + string(rune('a'+i))
			for _, a := range tc.actions {
				if err := st.RecordAction(t.Context(), page, u, a); err != nil {
					t.Fatalf("RecordAction(%v): %v", a, err)
				}
			}
			got, err := st.Window(t.Context(), page, u)
			if err != nil {
				t.Fatalf("Window: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Window (-want +got):\n%s", diff)
			}
		})
	}
}

func (s *suite) windowsIsolated(t *testing.T) {
	st := s.fresh(t)
	a := store.Action{Kind: store.ActionMessage, At: s.now()}
	if err := st.RecordAction(t.Context(), page, user, a); err != nil {
		t.Fatalf("RecordAction: %v", err)
	}
	for _, k := range [][2]string{{page, "user-2"}, {"page-2", user}, {"page-1u", "ser-1"}, {"page-", "1user-1"}} {
		got, err := st.Window(t.Context(), k[0], k[1])
		if err != nil {
			t.Fatalf("Window(%q, %q): %v", k[0], k[1], err)
		}
		if diff := cmp.Diff(store.Window{}, got); diff != "" {
			t.Errorf("Window(%q, %q) sees another person's action (-want +got):\n%s", k[0], k[1], diff)
		}
	}
}

func (s *suite) windowsForgotten(t *testing.T) {
	clock := s.needClock(t)
	st := s.fresh(t)
	start := clock.Now()
	recent := store.Action{Kind: store.ActionMessage, At: start}
	// An action replayed from long ago is kept for the retention from now.
	old := store.Action{Kind: store.ActionMessage, At: start.Add(-30 * 24 * time.Hour)}
	if err := st.RecordAction(t.Context(), page, user, recent); err != nil {
		t.Fatalf("RecordAction: %v", err)
	}
	if err := st.RecordAction(t.Context(), page, "old", old); err != nil {
		t.Fatalf("RecordAction: %v", err)
	}
	clock.Set(start.Add(store.WindowRetention - time.Nanosecond))
	for u, a := range map[string]store.Action{user: recent, "old": old} {
		got, err := st.Window(t.Context(), page, u)
		if err != nil {
			t.Fatalf("Window: %v", err)
		}
		want := store.Window{LastAction: a, LastMessage: a.At}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Window(%q) 1ns before retention ends (-want +got):\n%s", u, diff)
		}
	}
	clock.Set(start.Add(store.WindowRetention))
	for _, u := range []string{user, "old"} {
		got, err := st.Window(t.Context(), page, u)
		if err != nil {
			t.Fatalf("Window: %v", err)
		}
		if diff := cmp.Diff(store.Window{}, got); diff != "" {
			t.Errorf("Window(%q) when retention ended (-want +got):\n%s", u, diff)
		}
	}
}

func (s *suite) windowsInvalid(t *testing.T) {
	st := s.fresh(t)
	now := s.now()
	tests := []struct {
		name       string
		page, user string
		a          store.Action
		field      string
	}{
		{"empty page", "", user, store.Action{Kind: store.ActionMessage, At: now}, "page"},
		{"empty user", page, "", store.Action{Kind: store.ActionMessage, At: now}, "user"},
		{"long user", page, string(make([]byte, store.MaxIDLen+1)), store.Action{Kind: store.ActionMessage, At: now}, "user"},
		{"empty kind", page, user, store.Action{At: now}, "Action.Kind"},
		{"zero time", page, user, store.Action{Kind: store.ActionMessage}, "Action.At"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := st.RecordAction(t.Context(), tc.page, tc.user, tc.a)
			checkInputError(t, err, tc.field)
		})
	}
	_, err := st.Window(t.Context(), "", user)
	checkInputError(t, err, "page")
}

// checkInputError checks that err is an *store.InputError about field.
func checkInputError(t *testing.T, err error, field string) {
	t.Helper()
	if !errors.Is(err, store.ErrInvalidInput) {
		t.Fatalf("error = %v, want one matching store.ErrInvalidInput", err)
	}
	var ie *store.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v is not a *store.InputError", err)
	}
	if ie.Field != field {
		t.Errorf("InputError.Field = %q, want %q (error: %v)", ie.Field, field, err)
	}
}
