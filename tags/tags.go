// Package tags is a temporary stand-in (send branch) until main's tags package lands.
package tags

// Tag is a message tag.
type Tag string

// Current tags.
const (
	HumanAgent           Tag = "HUMAN_AGENT"
	CustomerFeedback     Tag = "CUSTOMER_FEEDBACK"
	ConfirmedEventUpdate Tag = "CONFIRMED_EVENT_UPDATE"
	PostPurchaseUpdate   Tag = "POST_PURCHASE_UPDATE"
	AccountUpdate        Tag = "ACCOUNT_UPDATE"
)
