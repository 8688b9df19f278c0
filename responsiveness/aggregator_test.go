package responsiveness

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger"
)

// asEvent turns a scripted message into the webhook event that would report it.
func asEvent(m Message) messenger.Event {
	if m.Dir == Inbound {
		return &messenger.MessageEvent{
			EventInfo: messenger.EventInfo{PageID: m.Page, Sender: messenger.Party{ID: m.User}, Recipient: messenger.Party{ID: m.Page}, Time: m.At},
			Message:   messenger.ReceivedMessage{MID: "m", Text: "hello"},
		}
	}
	return &messenger.EchoEvent{
		EventInfo: messenger.EventInfo{PageID: m.Page, Sender: messenger.Party{ID: m.Page}, Recipient: messenger.Party{ID: m.User}, Time: m.At},
		Message:   messenger.ReceivedMessage{MID: "m", Text: "hi", IsEcho: true},
	}
}

func TestAggregatorMatchesCompute(t *testing.T) {
	t.Parallel()
	msgs := scriptedDay()
	a := NewAggregator(0)
	// Four webhook workers deliver the day concurrently, in no particular order.
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(msgs); i += 4 {
				a.Observe(asEvent(msgs[i]))
			}
		})
	}
	// Events that carry no message are ignored.
	a.Observe(&messenger.ReadEvent{EventInfo: messenger.EventInfo{PageID: "P1", Time: day}})
	a.Observe(&messenger.PostbackEvent{EventInfo: messenger.EventInfo{PageID: "P1", Sender: messenger.Party{ID: "zoe"}, Time: day}})
	wg.Wait()

	from, to := day, day.Add(24*time.Hour)
	opts := Options{StaleAfter: time.Hour}
	if diff := cmp.Diff(Compute(msgs, from, to, opts), a.Report(from, to, opts)); diff != "" {
		t.Errorf("Aggregator.Report (-Compute +Aggregator):\n%s", diff)
	}
}

func TestAggregatorRetention(t *testing.T) {
	t.Parallel()
	a := NewAggregator(24 * time.Hour)
	start := day
	for i := range 5000 { // one exchange per minute for about 3.5 days
		at := start.Add(time.Duration(i) * time.Minute)
		a.Add(Message{Page: "P", User: "u", At: at, Dir: Inbound})
		a.Add(Message{Page: "P", User: "u", At: at.Add(30 * time.Second), Dir: Outbound})
	}
	a.mu.Lock()
	n := len(a.msgs)
	a.mu.Unlock()
	if n > 2*2*24*60 { // at most two windows' worth before a prune
		t.Errorf("%d messages kept with a 24 h retention", n)
	}
	last := start.Add(5000 * time.Minute)
	r := a.Report(last.Add(-12*time.Hour), last, Options{})
	if len(r) != 1 || r[0].Inquiries != 720 || r[0].Median != 30*time.Second || !r[0].Badge {
		t.Errorf("report over the last 12 h: %+v", r)
	}
	a.Add(Message{Page: "P", User: "u", Dir: Inbound}) // no time: ignored
	a.Add(Message{Page: "", User: "u", At: last, Dir: Inbound})
}
