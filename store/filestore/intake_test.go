package filestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store"
)

// openAt opens the store at path on a clock stopped at inboxNow, and closes it when
// tb ends.
func openAt(tb testing.TB, path string) *Store {
	tb.Helper()
	s, err := Open(path, WithClock(func() time.Time { return inboxNow }))
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// deliveryOf is a delivery of events events, each a message with its own key from
// its own user, as the webhook admits one body.
func deliveryOf(name string, events int, at time.Time) store.Delivery {
	d := store.Delivery{
		Body: benchBody, Received: at, Lease: leaseTo("receiver", at.Add(time.Minute)), TTL: time.Hour,
		Keys: make([]string, events), Actions: make([]store.WindowAction, events),
	}
	for i := range events {
		d.Keys[i] = fmt.Sprintf("%s.mid.%d", name, i)
		d.Actions[i] = store.WindowAction{Page: "page", User: fmt.Sprintf("%s.user.%d", name, i),
			Action: store.Action{Kind: store.ActionMessage, At: at}}
	}
	return d
}

// A delivery costs one synced transaction to take in, however many events it
// holds, and finished entries one transaction for all of them; calls that change
// nothing commit nothing.
func TestIntakeTransactionsPerCall(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "state.db"))
	ctx := t.Context()
	var ids []string
	admitting := func(d store.Delivery, wantNew bool) func() error {
		return func() error {
			got, err := s.Admit(ctx, d)
			if err != nil {
				return err
			}
			if (got.ID != "") != wantNew {
				return fmt.Errorf("Admit = %+v, want an entry: %v", got, wantNew)
			}
			if got.ID != "" {
				ids = append(ids, got.ID)
			}
			return nil
		}
	}
	redelivered := deliveryOf("one", 1, inboxNow)
	redelivered.Actions[0].Action.At = inboxNow.Add(time.Second)
	steps := []txStep{
		{"Admit of a 1-event delivery", admitting(deliveryOf("one", 1, inboxNow), true), 1},
		{"Admit of its redelivery", admitting(deliveryOf("one", 1, inboxNow), false), 0},
		{"Admit of a redelivery with a later action", admitting(redelivered, false), 1},
		{"Admit of a 100-event delivery", admitting(deliveryOf("hundred", 100, inboxNow), true), 1},
		{"98 Admits of 1-event deliveries", func() error {
			for i := range 98 {
				if err := admitting(deliveryOf(fmt.Sprint(i), 1, inboxNow), true)(); err != nil {
					return err
				}
			}
			return nil
		}, 98},
		{"Complete of 100 ids", func() error {
			if len(ids) != 100 {
				return fmt.Errorf("%d entries admitted, want 100", len(ids))
			}
			return s.Complete(ctx, ids)
		}, 1},
		{"Complete of the same ids again", func() error { return s.Complete(ctx, ids) }, 0},
		{"Complete of strings that are no ids", func() error { return s.Complete(ctx, []string{"", "x", "0" + ids[0]}) }, 0},
	}
	checkTransactions(t, s, steps)
	if n := countBoth(t, s); n != [2]int{} {
		t.Errorf("bodies and state records after Complete = %v, want none of either", n)
	}
}

// A refused Admit names the field of the delivery that broke the rule and commits
// nothing; one that fails half way through (here on a damaged window record, after
// its keys were written) leaves nothing of itself either.
func TestIntakeAdmitFailureRecordsNothing(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "state.db"))
	ctx := t.Context()
	tests := []struct {
		name string
		edit func(d *store.Delivery)
		want string
	}{
		{"no owner", func(d *store.Delivery) { d.Lease.Owner = "" },
			`store: Admit: Delivery.Lease.Owner must not be empty (got "")`},
		{"empty key", func(d *store.Delivery) { d.Keys[1] = "" },
			`store: Admit: Delivery.Keys[1] must not be empty (got "")`},
		{"no ttl", func(d *store.Delivery) { d.TTL = -time.Second },
			`store: Admit: Delivery.TTL must be positive (got -1s)`},
		{"no user", func(d *store.Delivery) { d.Actions[1].User = "" },
			`store: Admit: Delivery.Actions[1].User must not be empty (got "")`},
		{"no action time", func(d *store.Delivery) { d.Actions[0].Action.At = time.Time{} },
			`store: Admit: Delivery.Actions[0].Action.At must not be the zero time (got 0001-01-01 00:00:00 +0000 UTC)`},
	}
	before := txID(s.db)
	for _, tc := range tests {
		d := deliveryOf("bad", 2, inboxNow)
		tc.edit(&d)
		_, err := s.Admit(ctx, d)
		if !errors.Is(err, store.ErrInvalidInput) {
			t.Errorf("%s: Admit = %v, want ErrInvalidInput", tc.name, err)
			continue
		}
		if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
			t.Errorf("%s: error (-want +got):\n%s", tc.name, diff)
		}
	}
	if got := txID(s.db) - before; got != 0 {
		t.Errorf("refused Admits committed %d transactions, want 0", got)
	}

	d := deliveryOf("damaged", 2, inboxNow)
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketWindows).Put(pageUserKey("page", d.Actions[1].User), []byte("{"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Admit(ctx, d); err == nil {
		t.Fatalf("Admit over a damaged window record = %+v, want an error", got)
	}
	for _, k := range d.Keys {
		if first, err := s.FirstSeen(ctx, k, time.Hour); err != nil || !first {
			t.Errorf("FirstSeen(%s) after a failed Admit = %v, %v; want the key new", k, first, err)
		}
	}
	if w, err := s.Window(ctx, "page", d.Actions[0].User); err != nil || w != (store.Window{}) {
		t.Errorf("Window of the first action after a failed Admit = %+v, %v; want none", w, err)
	}
	if n := countBoth(t, s); n != [2]int{} {
		t.Errorf("bodies and state records after a failed Admit = %v, want none", n)
	}
}

// Everything an acknowledged Admit or Complete did is in the file when it is
// opened again: the entry with its lease, every key, every window.
func TestIntakeSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := openAt(t, path)
	ctx := t.Context()
	kept := deliveryOf("kept", 3, inboxNow)
	done := deliveryOf("done", 1, inboxNow)
	var admitted []store.Admitted
	for _, d := range []store.Delivery{kept, done} {
		a, err := s.Admit(ctx, d)
		if err != nil {
			t.Fatalf("Admit: %v", err)
		}
		admitted = append(admitted, a)
	}
	if err := s.Complete(ctx, []string{admitted[1].ID}); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openAt(t, path)
	want := []store.InboxEntry{{ID: admitted[0].ID, Body: kept.Body, Received: inboxNow,
		State: store.InboxPending, Owner: kept.Lease.Owner, LeaseUntil: kept.Lease.Until}}
	got, err := s.Entries(ctx, store.InboxPending)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inbox after reopen (-want +got):\n%s", diff)
	}
	for _, d := range []store.Delivery{kept, done} {
		for _, k := range d.Keys {
			if first, err := s.FirstSeen(ctx, k, time.Hour); err != nil || first {
				t.Errorf("FirstSeen(%s) after reopen = %v, %v; want the key remembered", k, first, err)
			}
		}
		for _, a := range d.Actions {
			if w, err := s.Window(ctx, a.Page, a.User); err != nil || !w.LastMessage.Equal(inboxNow) {
				t.Errorf("Window(%s) after reopen = %+v, %v; want the message at %v", a.User, w, err, inboxNow)
			}
		}
	}
}

// BenchmarkIntake measures taking in a webhook delivery of 1 and of 100 events by
// Admit, against the same writes made by the single calls (FirstSeen and
// RecordAction for each event, then Append), and finishing 100 entries by one
// Complete against 100 Dones. tx/delivery is the synced transactions each delivery
// cost.
func BenchmarkIntake(b *testing.B) {
	for _, events := range []int{1, 100} {
		b.Run(fmt.Sprintf("Admit/events=%d", events), func(b *testing.B) { benchAdmit(b, events, false) })
		b.Run(fmt.Sprintf("Separate/events=%d", events), func(b *testing.B) { benchAdmit(b, events, true) })
	}
	b.Run("Complete/ids=100", func(b *testing.B) { benchComplete(b, 100, false) })
	b.Run("DoneEach/ids=100", func(b *testing.B) { benchComplete(b, 100, true) })
}

// reportDeliveries reports the transactions committed per delivery since the tx
// ID before, and deliveries per second.
func reportDeliveries(b *testing.B, s *Store, before, deliveries int) {
	b.ReportMetric(float64(txID(s.db)-before)/float64(deliveries), "tx/delivery")
	b.ReportMetric(float64(deliveries)/b.Elapsed().Seconds(), "deliveries/s")
}

func benchAdmit(b *testing.B, events int, separate bool) {
	s := openFile(b, filepath.Join(b.TempDir(), "bench.db"))
	ctx := b.Context()
	before := txID(s.db)
	n := 0
	for b.Loop() {
		d := deliveryOf(fmt.Sprint(n), events, inboxNow)
		n++
		if !separate {
			if a, err := s.Admit(ctx, d); err != nil || a.ID == "" {
				b.Fatalf("Admit = %+v, %v", a, err)
			}
			continue
		}
		for i, k := range d.Keys {
			if _, err := s.FirstSeen(ctx, k, d.TTL); err != nil {
				b.Fatal(err)
			}
			a := d.Actions[i]
			if err := s.RecordAction(ctx, a.Page, a.User, a.Action); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.Append(ctx, d.Body, d.Received, d.Lease); err != nil {
			b.Fatal(err)
		}
	}
	reportDeliveries(b, s, before, n)
}

func benchComplete(b *testing.B, batch int, each bool) {
	s := openFile(b, filepath.Join(b.TempDir(), "bench.db"))
	ctx := b.Context()
	fillInbox(b, s, b.N*batch)
	before := txID(s.db)
	b.ResetTimer()
	seq := 0
	for range b.N {
		ids := make([]string, batch)
		for i := range ids {
			seq++
			ids[i] = fmt.Sprint(seq)
		}
		if !each {
			if err := s.Complete(ctx, ids); err != nil {
				b.Fatal(err)
			}
			continue
		}
		for _, id := range ids {
			if err := s.Done(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	if n := countBoth(b, s); n != [2]int{} {
		b.Fatalf("bodies and state records left = %v, want none", n)
	}
	reportDeliveries(b, s, before, b.N*batch)
}

// BenchmarkWebhookIntake measures the webhook with one file store as inbox, dedupe
// and window store (every other option its default) taking signed deliveries of 1
// and of 100 events with ids never seen before, one after another; handlers do
// nothing. Its time includes Shutdown, so every handler has run and every finished
// entry is removed. tx/delivery is every synced transaction the store committed
// per delivery, the removal of finished entries included (BenchmarkIntake/Admit
// shows those of the intake alone).
func BenchmarkWebhookIntake(b *testing.B) {
	const secret = "bench-app-secret"
	for _, events := range []int{1, 100} {
		b.Run(fmt.Sprintf("events=%d", events), func(b *testing.B) {
			s := openFile(b, filepath.Join(b.TempDir(), "bench.db"))
			wh, err := messenger.NewWebhook(secret, "verify",
				messenger.WithInbox(s), messenger.WithDedupe(s), messenger.WithWindows(s))
			if err != nil {
				b.Fatal(err)
			}
			wh.OnEvent(func(context.Context, messenger.Event) error { return nil })
			before, admitted := txID(s.db), 0
			var bodies [][]byte
			var sigs []string
			for b.Loop() {
				// Bodies with new ids are made a chunk at a time with the timer
				// stopped (stopping it for each one would cost more than a delivery).
				if len(bodies) == 0 {
					b.StopTimer()
					for range 64 {
						body := webhookBody(admitted+len(bodies), events)
						bodies = append(bodies, body)
						sigs = append(sigs, messenger.SignPayload(body, secret))
					}
					b.StartTimer()
				}
				req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(bodies[0]))
				req.Header.Set(messenger.SignatureHeader, sigs[0])
				bodies, sigs = bodies[1:], sigs[1:]
				rec := httptest.NewRecorder()
				wh.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
				admitted++
			}
			b.StartTimer()
			if err := wh.Shutdown(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if n := countBoth(b, s); n[0] != 0 {
				b.Fatalf("bodies left in the inbox after Shutdown = %d, want none", n[0])
			}
			b.ReportMetric(float64(txID(s.db)-before)/float64(admitted), "tx/delivery")
			b.ReportMetric(float64(admitted*events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// webhookBody is delivery number n: events messages, each with its own new
// message id, from one person of a thousand.
func webhookBody(n, events int) []byte {
	items := make([]string, events)
	for i := range items {
		items[i] = fmt.Sprintf(`{"sender":{"id":"u%d"},"recipient":{"id":"1001"},"timestamp":%d,"message":{"mid":"m_bench_%d_%d_%s","text":"hi"}}`,
			n%1000, 1772366400000+i, n, i, strings.Repeat("x", 60))
	}
	return fmt.Appendf(nil, `{"object":"page","entry":[{"id":"1001","time":1772366400000,"messaging":[%s]}]}`, strings.Join(items, ","))
}
