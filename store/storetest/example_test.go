package storetest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/store/storetest"
)

// A store under test reads the suite's clock, so expiry is tested by moving time,
// never by sleeping. A new implementation is held to the suite with
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return mystore.New(...) })
//	}
func ExampleClock() {
	clock := storetest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	mem, err := memstore.New(memstore.WithClock(clock.Now))
	if err != nil {
		log.Fatal(err)
	}
	defer mem.Close()
	ctx := context.Background()

	first, _ := mem.FirstSeen(ctx, "m_1", time.Hour)
	again, _ := mem.FirstSeen(ctx, "m_1", time.Hour)
	clock.Advance(time.Hour)
	afterTTL, _ := mem.FirstSeen(ctx, "m_1", time.Hour)
	fmt.Println(first, again, afterTTL, clock.Now().Format(time.Kitchen))
	// Output: true false true 1:00PM
}
