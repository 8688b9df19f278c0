package tags_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/gomessenger/messenger/tags"
)

func ExampleParse() {
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

	t, err := tags.Parse("human agent", at)
	fmt.Println(t, err)

	_, err = tags.Parse("SHIPPING_UPDATE", at)
	fmt.Println(errors.Is(err, tags.ErrNotValid))
	fmt.Println(err)
	// Output:
	// HUMAN_AGENT <nil>
	// true
	// tags: tag SHIPPING_UPDATE is not valid at 2026-05-01T00:00:00Z (retired on 2020-03-04; replaced by POST_PURCHASE_UPDATE, itself retired on 2026-04-27; replacement: no tag: Utility Message templates (messaging_type UTILITY) for transactional updates, or the paid Marketing Messages API); valid at 2026-05-01T00:00:00Z: CUSTOMER_FEEDBACK, HUMAN_AGENT, NON_PROMOTIONAL_SUBSCRIPTION
}

func ExampleLookup() {
	info, _ := tags.Lookup(tags.PostPurchaseUpdate)
	fmt.Println(info.Purpose)
	fmt.Println("valid", info.ValidFrom.Format(time.DateOnly), "until", info.ValidUntil.Format(time.DateOnly))
	fmt.Println("instead:", info.ReplacementNote, "["+info.ReplacementConfidence+"]")
	// Output:
	// updates about a purchase the person made
	// valid 2019-08-29 until 2026-04-27
	// instead: no tag: Utility Message templates (messaging_type UTILITY) for transactional updates, or the paid Marketing Messages API [T]
}

func ExampleValidAt() {
	fmt.Println(tags.ValidAt(time.Date(2026, 4, 27, 0, 0, 0, 0, time.UTC)))
	// Output:
	// [CUSTOMER_FEEDBACK HUMAN_AGENT NON_PROMOTIONAL_SUBSCRIPTION]
}

func ExampleReplacementsAt() {
	at := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	fmt.Println(tags.ReplacementsAt(tags.ShippingUpdate, at))
	fmt.Println(tags.ReplacementsAt(tags.IssueResolution, at))
	// Output:
	// [POST_PURCHASE_UPDATE]
	// [ACCOUNT_UPDATE HUMAN_AGENT]
}
