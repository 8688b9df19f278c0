// Package otn sends one-time and recurring notifications: the request template that
// asks a person for permission, the capture of the token their opt-in webhook
// carries, and [Notifier.Notify], which spends a token at most once.
//
// # The flow
//
// Inside the 24-hour window, [Notifier.Request] sends the one-time notification
// request template (docs/platform.md, “One-time notifications”): a title of at most 65 characters above a
// "Notify Me" button, and a payload naming the topic. A tap delivers a
// messaging_optins webhook; [Notifier.HandleOptin] (or [Notifier.Capture]) stores
// its token with the person, the Page, the topic and the expiry. Later, outside the
// window, [Notifier.Notify] sends one message with that token:
//
//	tokens, _ := memstore.New()
//	n, _ := otn.New(client, tokens)
//	messenger.On(webhook, n.HandleOptin)
//	n.Request(ctx, otn.OptInRequest{Page: page, User: psid, Title: "Tell me when size 42 is back", Topic: "back_in_stock:sku-42"})
//	// … weeks later
//	n.Notify(ctx, page, psid, "back_in_stock:sku-42", messenger.Text("Size 42 is back!"))
//
// # Single use
//
// A one-time token allows one message and expires one year after it was issued
// (docs/platform.md, “One-time notifications”). Notify claims the token in the store atomically before it sends,
// so two concurrent calls never send with the same token; with the file or Redis
// store this holds across processes too. What happens to the claim when the send
// fails is decided by [FateOf] and reported in [NotifyError]: a failure that proves
// nothing was delivered gives the token back, Graph refusing the token marks it dead,
// and a failure that may have delivered the message keeps the token claimed (a
// second message with it would be a duplicate, or refused).
//
// Recurring notification tokens (notification_messages, docs/platform.md, “Recurring notifications”) are captured
// and spent the same way, with the frequency enforced by the store's MinInterval and
// the person's STOP / RESUME NOTIFICATIONS applied as they arrive. The free product
// was discontinued in most regions in February 2026 in favour of the paid Marketing
// Messages API, which uses the same token recipient.
//
// [Notifier.Holders] lists who holds a usable token for a topic, so a restock bot
// needs no waitlist of its own; it needs a token store that can list by topic
// ([TopicTokens]).
//
// Expired tokens are never sent; [Notifier.Expired] lists them and [Notifier.Purge]
// deletes them along with dead and used ones.
//
// Token values are permissions: this package never puts one in an error or a log.
package otn
