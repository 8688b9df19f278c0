package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomessenger/messenger/store"
)

// Bench measures the two calls on every webhook and notification's hot path, token
// claim and dedupe check, one caller at a time and from 8×GOMAXPROCS goroutines (a
// webhook handling many deliveries at once), and reports ops/s. open must return a
// new, empty store; Bench closes it.
func Bench(b *testing.B, open func(b *testing.B) store.Store) {
	b.Run("ClaimToken", func(b *testing.B) { benchClaim(b, open, false) })
	b.Run("ClaimToken/parallel", func(b *testing.B) { benchClaim(b, open, true) })
	b.Run("FirstSeen/new", func(b *testing.B) { benchDedupe(b, open, false, false) })
	b.Run("FirstSeen/new/parallel", func(b *testing.B) { benchDedupe(b, open, false, true) })
	b.Run("FirstSeen/duplicate", func(b *testing.B) { benchDedupe(b, open, true, false) })
	b.Run("FirstSeen/duplicate/parallel", func(b *testing.B) { benchDedupe(b, open, true, true) })
}

func benchClaim(b *testing.B, open func(b *testing.B) store.Store, parallel bool) {
	st := open(b)
	defer st.Close()
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// A recurring token with no minimum interval can be claimed on every call, so
	// each op is a full pick-and-update.
	tok := recurring("bench-token", now)
	tok.MinInterval = 0
	if err := st.PutToken(ctx, tok); err != nil {
		b.Fatal(err)
	}
	// A few tokens of other topics for the claim to look past.
	for i := range 4 {
		other := oneTime(fmt.Sprintf("other-%d", i), now)
		other.Topic = fmt.Sprintf("other-%d", i)
		if err := st.PutToken(ctx, other); err != nil {
			b.Fatal(err)
		}
	}
	op := func() {
		if _, err := st.ClaimToken(ctx, store.TokenQuery{Page: page, User: user, Topic: topic, Kind: store.RecurringKind}, now); err != nil {
			b.Error(err)
		}
	}
	run(b, parallel, op)
}

func benchDedupe(b *testing.B, open func(b *testing.B) store.Store, duplicate, parallel bool) {
	st := open(b)
	defer st.Close()
	ctx := context.Background()
	var n atomic.Int64
	if duplicate {
		if _, err := st.FirstSeen(ctx, "mid.dup", time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	op := func() {
		key := "mid.dup"
		if !duplicate {
			key = fmt.Sprintf("mid.%d", n.Add(1))
		}
		first, err := st.FirstSeen(ctx, key, time.Hour)
		if err != nil || first == duplicate {
			b.Errorf("FirstSeen(%s) = %v, %v", key, first, err)
		}
	}
	run(b, parallel, op)
}

func run(b *testing.B, parallel bool, op func()) {
	b.ResetTimer()
	if parallel {
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				op()
			}
		})
	} else {
		for b.Loop() {
			op()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
