package otn

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store"
)

// recurringBody is a recurring notification opt-in (docs/platform.md, “Webhook events”) with the
// given frequency and status; the token expires 2026-09-10T14:25:52.478Z.
func recurringBody(token, frequency, status string) string {
	return fmt.Sprintf(`{"object":"page","entry":[{"id":"PAGE_ID","time":1773152752478,"messaging":[
 {"sender":{"id":"PSID_1"},"recipient":{"id":"PAGE_ID"},"timestamp":1773152752478,
  "optin":{"type":"notification_messages","payload":"weekly_deals","title":"Weekly deals",
   "notification_messages_token":%q,"notification_messages_frequency":%q,
   "notification_messages_timezone":"Europe/Berlin","token_expiry_timestamp":1789050352478,
   "user_token_status":"NOT_REFRESHED","notification_messages_status":%q}}]}]}`, token, frequency, status)
}

const pluginOptinBody = `{"object":"page","entry":[{"id":"PAGE_ID","time":1773152752478,"messaging":[
 {"sender":{"id":"PSID_1"},"recipient":{"id":"PAGE_ID"},"timestamp":1773152752478,
  "optin":{"ref":"checkout","user_ref":"UREF_1"}}]}]}`

func TestTokenFromOptin(t *testing.T) {
	t.Parallel()
	recurringExpiresAt := time.UnixMilli(1789050352478)
	tests := []struct {
		name string
		body string
		want store.Token
		ok   bool
	}{
		{name: "plugin opt-in has no token", body: pluginOptinBody},
		{name: "one-time", body: optinBody, ok: true, want: store.Token{
			Value: "OTN_TOKEN_A", Kind: store.OneTimeKind, Page: "PAGE_ID", User: "PSID_1",
			Topic: "back_in_stock:sku-42", IssuedAt: issued, ExpiresAt: issued.AddDate(1, 0, 0), State: store.TokenLive,
		}},
		{name: "recurring daily", body: recurringBody("RN_TOKEN", "DAILY", ""), ok: true, want: store.Token{
			Value: "RN_TOKEN", Kind: store.RecurringKind, Page: "PAGE_ID", User: "PSID_1", Topic: "weekly_deals",
			IssuedAt: issued, ExpiresAt: recurringExpiresAt, MinInterval: 24 * time.Hour, State: store.TokenLive,
		}},
		{name: "recurring weekly", body: recurringBody("RN_TOKEN", "WEEKLY", ""), ok: true, want: store.Token{
			Value: "RN_TOKEN", Kind: store.RecurringKind, Page: "PAGE_ID", User: "PSID_1", Topic: "weekly_deals",
			IssuedAt: issued, ExpiresAt: recurringExpiresAt, MinInterval: 7 * 24 * time.Hour, State: store.TokenLive,
		}},
		{name: "recurring stopped", body: recurringBody("RN_TOKEN", "", StatusStop), ok: true, want: store.Token{
			Value: "RN_TOKEN", Kind: store.RecurringKind, Page: "PAGE_ID", User: "PSID_1", Topic: "weekly_deals",
			IssuedAt: issued, ExpiresAt: recurringExpiresAt, MinInterval: 24 * time.Hour, State: store.TokenDead,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := TokenFromOptin(optinFrom(t, tt.body), time.Time{})
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("TokenFromOptin (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTokenFromOptinFallbacks(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := &messenger.OptinEvent{Type: OptinRecurring, Payload: "p", NotificationMessagesToken: "T", Frequency: "MONTHLY"}
	ev.Recipient.ID, ev.Sender.UserRef = "PAGE", "UREF"
	got, ok := TokenFromOptin(ev, now)
	if !ok || got.Page != "PAGE" || got.User != "UREF" || !got.IssuedAt.Equal(now) ||
		!got.ExpiresAt.Equal(now.AddDate(1, 0, 0)) || got.MinInterval != 30*24*time.Hour {
		t.Errorf("TokenFromOptin without page id, PSID, time or expiry: %+v", got)
	}
	ev.Frequency = "DAILY"
	if got, _ := TokenFromOptin(ev, now); !got.ExpiresAt.Equal(now.AddDate(0, 6, 0)) {
		t.Errorf("DAILY token without expiry expires %v, want six months", got.ExpiresAt)
	}
	if _, ok := TokenFromOptin(nil, now); ok {
		t.Error("TokenFromOptin(nil) ok")
	}
}

func TestCapturePluginOptin(t *testing.T) {
	t.Parallel()
	n, mem := newNotifier(t, senderFunc(nil), newClock(issued))
	tok, ok, err := n.Capture(context.Background(), optinFrom(t, pluginOptinBody))
	if err != nil || ok || tok != (store.Token{}) {
		t.Errorf("Capture(plugin opt-in) = %+v, %v, %v", tok, ok, err)
	}
	if toks, _ := mem.ListTokens(context.Background(), "PAGE_ID", "PSID_1"); len(toks) != 0 {
		t.Errorf("stored %+v", toks)
	}
}

func TestRecurringFrequencyStopAndResume(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t, nil)
	clk := newClock(issued)
	n, _ := newNotifier(t, g.client(t), clk)
	ctx := context.Background()
	capture(t, n, recurringBody("RN_TOKEN", "DAILY", ""))
	notify := func() error {
		_, err := n.Notify(ctx, "PAGE_ID", "PSID_1", "weekly_deals", text("deal"))
		return err
	}
	steps := []struct {
		name    string
		at      time.Time
		body    string // an opt-in delivered before notifying
		wantErr error
	}{
		{name: "first", at: issued.Add(time.Hour)},
		{name: "a day minus 1ns later", at: issued.Add(25*time.Hour - time.Nanosecond), wantErr: ErrNoToken},
		{name: "a day later", at: issued.Add(25 * time.Hour)},
		{name: "stopped", at: issued.Add(72 * time.Hour), body: recurringBody("RN_TOKEN", "DAILY", StatusStop), wantErr: ErrNoToken},
		{name: "resumed", at: issued.Add(96 * time.Hour), body: recurringBody("RN_TOKEN", "DAILY", StatusResume)},
		{name: "resume keeps the frequency", at: issued.Add(97 * time.Hour), body: recurringBody("RN_TOKEN", "DAILY", StatusResume), wantErr: ErrNoToken},
		{name: "stop without a token", at: issued.Add(200 * time.Hour), body: recurringBody("", "", StatusStop), wantErr: ErrNoToken},
		{name: "resume without a token", at: issued.Add(201 * time.Hour), body: recurringBody("", "", StatusResume)},
		{name: "after token_expiry_timestamp", at: time.UnixMilli(1789050352478), wantErr: ErrNoToken},
	}
	for _, s := range steps {
		clk.Set(s.at)
		if s.body != "" {
			if _, _, err := n.Capture(ctx, optinFrom(t, s.body)); err != nil {
				t.Fatalf("%s: Capture: %v", s.name, err)
			}
		}
		if err := notify(); !errors.Is(err, s.wantErr) || (s.wantErr == nil && err != nil) {
			t.Fatalf("%s: Notify: %v, want %v", s.name, err, s.wantErr)
		}
	}
	if got := g.requests.Load(); got != 4 {
		t.Errorf("Graph got %d requests, want 4", got)
	}
	for _, b := range g.sent() {
		if diff := cmp.Diff(map[string]any{"notification_messages_token": "RN_TOKEN"}, b["recipient"]); diff != "" {
			t.Errorf("recipient (-want +got):\n%s", diff)
		}
	}
}

func TestRecurringMinimumDelayKeepsTheClaim(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t, func(int64) (int, string) {
		return 400, `{"error":{"message":"(#4) minimum delay","code":4,"error_subcode":2018354}}`
	})
	clk := newClock(issued)
	n, mem := newNotifier(t, g.client(t), clk)
	capture(t, n, recurringBody("RN_TOKEN", "DAILY", ""))
	_, err := n.Notify(context.Background(), "PAGE_ID", "PSID_1", "weekly_deals", text("deal"))
	if FateOf(err) != TokenKept {
		t.Fatalf("Notify: %v, want the claim kept", err)
	}
	toks, _ := mem.ListTokens(context.Background(), "PAGE_ID", "PSID_1")
	if toks[0].State != store.TokenLive || !toks[0].LastUsed.Equal(issued) {
		t.Errorf("token %+v: want live with LastUsed at the failed send", toks[0])
	}
}

func TestHandleOptinWithWebhook(t *testing.T) {
	t.Parallel()
	n, mem := newNotifier(t, senderFunc(nil), newClock(issued))
	if err := n.HandleOptin(context.Background(), optinFrom(t, optinBody)); err != nil {
		t.Fatal(err)
	}
	if toks, _ := mem.ListTokens(context.Background(), "PAGE_ID", "PSID_1"); len(toks) != 1 {
		t.Errorf("HandleOptin stored %d tokens, want 1", len(toks))
	}
}

func TestPurge(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t, nil)
	clk := newClock(issued)
	n, _ := newNotifier(t, g.client(t), clk)
	ctx := context.Background()
	capture(t, n, optinBody)
	capture(t, n, `{"object":"page","entry":[{"id":"PAGE_ID","messaging":[{"sender":{"id":"PSID_1"},"recipient":{"id":"PAGE_ID"},"timestamp":1773152752478,"optin":{"type":"one_time_notif_req","payload":"other","one_time_notif_token":"OTN_TOKEN_B"}}]}]}`)
	if _, err := n.Notify(ctx, "PAGE_ID", "PSID_1", "back_in_stock:sku-42", text("x")); err != nil {
		t.Fatal(err)
	}
	// The used token goes now; the unused one only once it has expired.
	if k, err := n.Purge(ctx); k != 1 || err != nil {
		t.Errorf("Purge = %d, %v; want 1 (the used token)", k, err)
	}
	clk.Set(issued.AddDate(1, 0, 0))
	exp, _ := n.Expired(ctx, "PAGE_ID", "PSID_1")
	if len(exp) != 1 || exp[0].Topic != "other" {
		t.Errorf("Expired = %+v, want the unused token", exp)
	}
	if k, err := n.Purge(ctx); k != 1 || err != nil {
		t.Errorf("Purge after a year = %d, %v; want 1", k, err)
	}
	if toks, _ := n.Tokens(ctx, "PAGE_ID", "PSID_1"); len(toks) != 0 {
		t.Errorf("tokens left: %+v", toks)
	}
}

// TestCaptureWebhookCorpus captures every opt-in of the module's webhook corpus, as
// Meta sends them (numbers sometimes as strings).
func TestCaptureWebhookCorpus(t *testing.T) {
	t.Parallel()
	at := time.UnixMilli(1458692752478)
	recurringExpiry := time.UnixMilli(1474244752478)
	tests := []struct {
		file string
		want []store.Token // as stored after capturing the file
	}{
		{"optin_plugin.json", nil},
		{"optin_checkbox.json", nil},
		{"optin_one_time.json", []store.Token{{
			Value: "otn-token-abc", Kind: store.OneTimeKind, Page: "1234567890", User: "6783274623",
			Topic: "PRICE_DROP_SKU_42", IssuedAt: at, ExpiresAt: at.UTC().AddDate(1, 0, 0), State: store.TokenLive,
		}}},
		{"optin_recurring.json", []store.Token{{
			Value: "rn-token-xyz", Kind: store.RecurringKind, Page: "1234567890", User: "6783274623",
			Topic: "DAILY_DEALS", IssuedAt: at, ExpiresAt: recurringExpiry, MinInterval: 24 * time.Hour, State: store.TokenLive,
		}}},
		{"optin_recurring_stop.json", []store.Token{{
			Value: "rn-token-xyz", Kind: store.RecurringKind, Page: "1234567890", User: "6783274623",
			Topic: "DAILY_DEALS", IssuedAt: at, ExpiresAt: recurringExpiry, MinInterval: 24 * time.Hour, State: store.TokenDead,
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join("..", "testdata", "webhooks", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			n, mem := newNotifier(t, senderFunc(nil), newClock(at))
			events, err := messenger.ParseEvents(body)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range events {
				if err := n.HandleOptin(context.Background(), ev.(*messenger.OptinEvent)); err != nil {
					t.Fatal(err)
				}
			}
			got, _ := mem.ListTokens(context.Background(), "1234567890", "6783274623")
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("stored (-want +got):\n%s", diff)
			}
		})
	}
}
