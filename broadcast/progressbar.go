package broadcast

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// ProgressBar returns a Progress func that draws the progress on w: on a terminal
// one line redrawn in place, elsewhere (a log, a pipe) one line per report. The
// command line's "messenger broadcast" uses it on stderr.
func ProgressBar(w io.Writer) func(Progress) {
	inPlace := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			inPlace = true
		}
	}
	return func(p Progress) {
		line := p.String()
		switch {
		case inPlace && p.Done:
			fmt.Fprintf(w, "\r%s\x1b[K\n", line)
		case inPlace:
			fmt.Fprintf(w, "\r%s\x1b[K", line)
		default:
			fmt.Fprintln(w, line)
		}
	}
}

const barWidth = 24

// String formats p on one line: a bar when the audience size is known, the counts,
// the rate and the time left.
func (p Progress) String() string {
	var b strings.Builder
	if pct := p.Percent(); pct >= 0 {
		full := int(pct / 100 * barWidth)
		b.WriteByte('[')
		b.WriteString(strings.Repeat("=", full))
		if full < barWidth {
			b.WriteByte('>')
			b.WriteString(strings.Repeat(" ", barWidth-full-1))
		}
		fmt.Fprintf(&b, "] %5.1f%% %d/%d", pct, p.Processed, p.Expected)
	} else {
		fmt.Fprintf(&b, "%d rows", p.Processed)
	}
	if p.DryRun {
		fmt.Fprintf(&b, "  sendable %d  skipped %d", p.Sendable, p.Skipped)
	} else {
		fmt.Fprintf(&b, "  sent %d  skipped %d", p.Sent, p.Skipped)
	}
	if p.Failed > 0 {
		fmt.Fprintf(&b, "  failed %d", p.Failed)
	}
	if p.Unknown > 0 {
		fmt.Fprintf(&b, "  unknown %d", p.Unknown)
	}
	if n := p.Invalid + p.Duplicate; n > 0 {
		fmt.Fprintf(&b, "  bad rows %d", n)
	}
	if p.DryRun {
		fmt.Fprintf(&b, "  %.0f rows/s", p.Rate)
	} else {
		fmt.Fprintf(&b, "  %.1f/s", p.Rate)
		if p.Limit > 0 {
			fmt.Fprintf(&b, " (limit %.0f/s)", p.Limit)
		}
	}
	if p.Throttled > 0 {
		fmt.Fprintf(&b, "  throttled %d", p.Throttled)
	}
	switch {
	case p.Done:
		fmt.Fprintf(&b, "  done in %s", p.Elapsed.Round(time.Second))
	case p.ETA > 0:
		fmt.Fprintf(&b, "  ETA %s", p.ETA.Round(time.Second))
	}
	return b.String()
}
