package broadcast_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/broadcast"
)

func TestProgressString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    broadcast.Progress
		want string
	}{
		{"sending with a known size", broadcast.Progress{Processed: 4500, Expected: 10000, Sent: 4000, Skipped: 480, Failed: 20,
			Rate: 38.94, Limit: 39, ETA: 141 * time.Second},
			"[==========>             ]  45.0% 4500/10000  sent 4000  skipped 480  failed 20  38.9/s (limit 39/s)  ETA 2m21s"},
		{"throttled, size unknown", broadcast.Progress{Processed: 120, Sent: 100, Skipped: 10, Unknown: 1, Invalid: 2, Duplicate: 1,
			Rate: 12, Limit: 19.5, Throttled: 3},
			"120 rows  sent 100  skipped 10  unknown 1  bad rows 3  12.0/s (limit 20/s)  throttled 3"},
		{"dry run done", broadcast.Progress{DryRun: true, Processed: 1000, Expected: 1000, Sendable: 800, Skipped: 200,
			Rate: 250000, Elapsed: 4 * time.Millisecond, Done: true},
			"[========================] 100.0% 1000/1000  sendable 800  skipped 200  250000 rows/s  done in 0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, tt.p.String()); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestProgressBarOffTerminalWritesLines(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	bar := broadcast.ProgressBar(&buf)
	bar(broadcast.Progress{Processed: 1, Sent: 1})
	bar(broadcast.Progress{Processed: 2, Sent: 2, Done: true})
	if diff := cmp.Diff("1 rows  sent 1  skipped 0  0.0/s\n2 rows  sent 2  skipped 0  0.0/s  done in 0s\n", buf.String()); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}
