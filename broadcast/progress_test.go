package broadcast_test

import (
	"testing"

	"github.com/gomessenger/messenger/broadcast"
)

func TestProgressPercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    broadcast.Progress
		want float64
	}{
		{broadcast.Progress{Processed: 5}, -1},
		{broadcast.Progress{Processed: 25, Expected: 100}, 25},
		{broadcast.Progress{Processed: 120, Expected: 100}, 100}, // the audience grew meanwhile
	}
	for _, tt := range tests {
		if got := tt.p.Percent(); got != tt.want {
			t.Errorf("%+v: %v, want %v", tt.p, got, tt.want)
		}
	}
}
