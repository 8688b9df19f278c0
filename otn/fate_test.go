package otn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store"
)

func TestFateOf(t *testing.T) {
	t.Parallel()
	ge := func(status, code, sub int) error {
		return messenger.NewGraphError(status, code, sub, "OAuthException", "x")
	}
	tests := []struct {
		name string
		err  error
		want TokenFate
	}{
		{"local validation", &messenger.ValidationError{Field: "message.text"}, TokenRestored},
		{"policy guard", &messenger.PolicyError{}, TokenRestored},
		{"throttled 4", ge(400, 4, 0), TokenRestored},
		{"throttled 613", ge(400, 613, 0), TokenRestored},
		{"temporary 2", ge(500, 2, 0), TokenRestored},
		{"temporary 1200", ge(500, 1200, 0), TokenRestored},
		// The client marks a temporary failure answered to a send Ambiguous: Graph
		// gives these codes for sends it delivered.
		{"temporary 1 answered to a send", &messenger.GraphError{HTTPStatus: 500, Code: 1, Ambiguous: true}, TokenKept},
		{"permission 10", ge(403, 10, 0), TokenRestored},
		{"page token 190", ge(400, 190, 0), TokenRestored},
		{"user blocked 551", ge(400, 551, 0), TokenRestored},
		{"bad attachment 100/2018074", ge(400, 100, 2018074), TokenRestored},
		{"429 without envelope", ge(429, 0, 0), TokenRestored},
		{"token invalid 100", ge(400, 100, 0), TokenDead},
		{"no matching user 100/2018001", ge(400, 100, 2018001), TokenDead},
		{"stopped 10/1893015", ge(400, 10, 1893015), TokenDead},
		{"wrapped token invalid", fmt.Errorf("send: %w", ge(400, 100, 0)), TokenDead},
		{"sent anyway 1/1357046", ge(500, 1, 1357046), TokenKept},
		{"recurring minimum delay", ge(400, 4, 2018354), TokenKept},
		{"502 without envelope", ge(502, 0, 0), TokenKept},
		{"ambiguous transport", fmt.Errorf("%w: connection reset", messenger.ErrAmbiguous), TokenKept},
		{"context canceled", context.Canceled, TokenKept},
		{"deadline", fmt.Errorf("post: %w", context.DeadlineExceeded), TokenKept},
		{"unknown", errors.New("boom"), TokenKept},
		{"nil", nil, TokenKept},
	}
	for _, tt := range tests {
		if got := FateOf(tt.err); got != tt.want {
			t.Errorf("FateOf(%s: %v) = %q, want %q", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestNotifyErrorText(t *testing.T) {
	t.Parallel()
	e := &NotifyError{Page: "P", User: "U", Topic: "t", Kind: store.RecurringKind, Fate: TokenDead,
		Err: messenger.NewGraphError(400, 100, 0, "OAuthException", "(#100) Invalid token")}
	want := `otn: notify user U of Page P on topic "t" with a recurring token: messenger: graph error 100 (HTTP 400): (#100) Invalid token (token dead)`
	if e.Error() != want {
		t.Errorf("Error()\n got %s\nwant %s", e.Error(), want)
	}
	if !errors.Is(e, messenger.ErrInvalidParameter) {
		t.Error("NotifyError does not unwrap to the Graph error")
	}
	if strings.Contains(e.Error(), "one-time") {
		t.Error("wrong kind")
	}
}
