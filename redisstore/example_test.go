package redisstore_test

import (
	"fmt"
	"log"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/redisstore"
	"github.com/redis/go-redis/v9"
)

// Every instance of a bot fleet builds its stores on one Redis; New does not
// connect (go-redis dials on first use), so it is safe at start-up.
func ExampleNew() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	st, err := redisstore.New(rdb, redisstore.WithPrefix("shopbot"))
	if err != nil {
		log.Fatal(err)
	}

	// The webhook's dedupe, windows and inbox, shared by the fleet.
	wh, err := messenger.NewWebhook("app-secret", "verify-token",
		messenger.WithDedupe(st), messenger.WithWindows(st), messenger.WithInbox(st))
	fmt.Println(st.Prefix(), wh != nil, err)
	// Output: shopbot true <nil>
}
