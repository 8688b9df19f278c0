package responsiveness_test

import (
	"fmt"
	"time"

	"github.com/gomessenger/messenger/responsiveness"
)

func ExampleCompute() {
	day := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	in := func(user string, t time.Time) responsiveness.Message {
		return responsiveness.Message{Page: "1029384756", User: user, At: t, Dir: responsiveness.Inbound}
	}
	out := func(user string, t time.Time) responsiveness.Message {
		return responsiveness.Message{Page: "1029384756", User: user, At: t, Dir: responsiveness.Outbound}
	}
	msgs := []responsiveness.Message{
		in("ana", at(9, 0)), out("ana", at(9, 4)), // 4 minutes
		in("ben", at(10, 0)), in("ben", at(10, 1)), out("ben", at(10, 12)), // 12 minutes, one inquiry
		in("cy", at(11, 0)), out("cy", at(11, 40)), // 40 minutes
		in("dee", at(15, 0)), // still waiting
	}
	for _, r := range responsiveness.Compute(msgs, day, day.Add(24*time.Hour), responsiveness.Options{}) {
		fmt.Printf("inquiries %d, answered %d (%.0f%%), median %v, p90 %v\n", r.Inquiries, r.Answered, 100*r.ResponseRate, r.Median, r.P90)
		fmt.Printf("within 15m: %.0f%%, badge: %v\n", 100*r.TargetRate, r.Badge)
		for _, w := range r.Unanswered {
			fmt.Printf("%s waiting %v\n", w.User, w.For)
		}
	}
	// Output:
	// inquiries 4, answered 3 (75%), median 12m0s, p90 40m0s
	// within 15m: 50%, badge: false
	// dee waiting 9h0m0s
}
