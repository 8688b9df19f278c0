package otn

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger"
)

func TestRequestMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, title, topic string
		wantField          string // "" for no error
	}{
		{"ok", "Tell me when size 42 is back", "back_in_stock:sku-42", ""},
		{"65 characters", strings.Repeat("é", 65), "t", ""},
		{"66 characters", strings.Repeat("é", 66), "t", "message.attachment.payload.title"},
		{"no title", "", "t", "message.attachment.payload.title"},
		{"no topic", "title", "", "message.attachment.payload.payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := RequestMessage(tt.title, tt.topic)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("RequestMessage: %v", err)
				}
				return
			}
			var ve *messenger.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, messenger.ErrInvalidRequest) {
				t.Fatalf("RequestMessage: %v, want a *messenger.ValidationError", err)
			}
			if ve.Field != tt.wantField {
				t.Errorf("error field %q, want %q (%v)", ve.Field, tt.wantField, err)
			}
		})
	}
}

func TestRequestSendsTemplate(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t, nil)
	n, _ := newNotifier(t, g.client(t), newClock(issued))
	if _, err := n.Request(context.Background(), OptInRequest{Page: "PAGE_ID", User: "PSID_1", Title: "Tell me when size 42 is back", Topic: "back_in_stock:sku-42"}); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{
		"recipient":      map[string]any{"id": "PSID_1"},
		"messaging_type": "RESPONSE",
		"message": map[string]any{"attachment": map[string]any{"type": "template", "payload": map[string]any{
			"template_type": "one_time_notif_req", "title": "Tell me when size 42 is back", "payload": "back_in_stock:sku-42",
		}}},
	}}
	if diff := cmp.Diff(want, g.sent()); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
	if _, err := n.Request(context.Background(), OptInRequest{Page: "PAGE_ID", User: "PSID_1", Title: strings.Repeat("x", 66), Topic: "t"}); !errors.Is(err, messenger.ErrInvalidRequest) {
		t.Errorf("Request with a 66-character title: %v", err)
	}
	if g.requests.Load() != 1 {
		t.Error("an invalid request reached Graph")
	}
}
