// Package responsiveness measures how quickly a Page answers people, from the
// messages of its conversations: response rate, median and 90th-percentile response
// time, the conversations still waiting, and whether the thresholds of Meta's "very
// responsive" badge (90% of messages answered within 15 minutes) are met.
//
// [Compute] is a pure function over a list of [Message] values (people writing in,
// the Page writing out) and a period, so reports can be rebuilt from stored history
// and tested with scripted days. [Aggregator] collects the same messages from live
// webhook events (messages and message echoes) and reports on demand:
//
//	agg := responsiveness.NewAggregator(0)
//	webhook.OnEvent(func(ctx context.Context, ev messenger.Event) error { agg.Observe(ev); return nil })
//	// …
//	now := time.Now()
//	for _, r := range agg.Report(now.Add(-7*24*time.Hour), now, responsiveness.Options{}) {
//		fmt.Println(r.Page, r.ResponseRate, r.Median, r.Badge)
//	}
//
// Subscribe the app to message_echoes: echoes are the only way to see the answers a
// person typed in the Page inbox, and those count as much as the bot's.
//
// The definitions (what an inquiry is, when it counts, how percentiles are taken)
// are on [Report]. Meta computes its badge on its own data and may count differently;
// this package tells a business where it stands by the published thresholds.
package responsiveness
