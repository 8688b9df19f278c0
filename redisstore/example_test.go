package redisstore_test

import (
	"fmt"
	"log"
	"time"

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

// A fleet whose Redis has a replica (and Sentinel to promote it) makes the webhook
// answer Meta 200 only once the replica has the delivery. New checks the option
// against the client: a wait that could end in a read timeout is refused.
func ExampleWithReplicaAck() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ReadTimeout: 3 * time.Second})
	defer rdb.Close()
	st, err := redisstore.New(rdb, redisstore.WithReplicaAck(1, 500*time.Millisecond))
	fmt.Println(st != nil, err)
	_, err = redisstore.New(rdb, redisstore.WithReplicaAck(1, 2*time.Second))
	fmt.Println(err)
	// Output:
	// true <nil>
	// redisstore: WithReplicaAck: timeout must be at most half the client's ReadTimeout (3s), got 2s
}
