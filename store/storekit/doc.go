// Package storekit is for authors of stores: the checks and orders that the
// implementations of [store.Store] in this module (store/memstore, store/filestore and
// the Redis store, module github.com/gomessenger/messenger/redisstore) share, so that
// every store refuses the same input with the same [*store.InputError], picks the same
// token and lists tokens in the same order.
//
// A store of your own calls the Check functions before it touches any state,
// [PrepareToken] in PutToken, [ClaimsBefore] to pick a token in ClaimToken,
// [Unclaim] in ReleaseToken and [SortForList] in ListTokens and TokensByTopic; the
// conformance suite (store/storetest) holds it to the same contracts. The rules that
// belong to the types themselves are methods in package store: [store.Window.Apply],
// [store.Token.Claimable], [store.Token.Claim], [store.Token.Purgeable],
// [store.InboxEntry.ApplyRelease], [store.InboxEntry.ApplyRedrive] and
// [store.Lease.Check].
//
// Users of stores need none of this: package store holds the interfaces, the types
// and the errors they meet.
package storekit
