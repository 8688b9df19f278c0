package referral

import (
	"time"

	"github.com/gomessenger/messenger"
)

// Source is where a referral came from, as the webhook names it (docs/platform.md, “Webhook events”).
type Source string

// The referral sources of the platform. Others are passed through as Meta sends them.
const (
	ShortLink     Source = "SHORTLINK"            // an m.me link
	Ads           Source = "ADS"                  // a Click-to-Messenger ad
	ChatPlugin    Source = "CUSTOMER_CHAT_PLUGIN" // the chat plugin on a website
	MessengerCode Source = "MESSENGER_CODE"       // a parametric Messenger Code (older)
	DiscoverTab   Source = "DISCOVER_TAB"         // the Discover tab (older)
)

// Via is which kind of event carried a referral, which tells a new conversation
// from a returning one.
type Via string

const (
	// ViaReferral: a messaging_referrals event, sent only for a person entering an
	// existing conversation.
	ViaReferral Via = "referral"
	// ViaPostback: the Get Started postback, which exists only in a new
	// conversation (docs/platform.md, “m.me links”).
	ViaPostback Via = "postback"
	// ViaMessage: a message carrying the referral, the first message after a
	// Click-to-Messenger ad.
	ViaMessage Via = "message"
)

// Referral is how one person reached a Page, read from any event that carries it.
type Referral struct {
	Page    string    // the Page's id
	User    string    // the person's PSID; empty for chat-plugin visitors known by UserRef only
	UserRef string    // the chat plugin's user_ref, when the sender has one
	Time    time.Time // when the event happened

	Source Source
	Ref    string // the ref of the link, ad or plugin; may be empty
	Type   string // "OPEN_THREAD"

	AdID       string                // ADS only
	AdsContext *messenger.AdsContext // ADS only: title, picture, post, product, flow
	RefererURI string                // CUSTOMER_CHAT_PLUGIN only: the website
	// IsGuestUser is true for a chat-plugin visitor without a Facebook login.
	IsGuestUser bool

	Via Via
	// NewConversation is true when the referral opened a new conversation (Get
	// Started postback, first message after an ad) and false when the person came
	// back into an existing one (referral event).
	NewConversation bool
}

// From returns the referral an event carries and whether it carries one: a
// *messenger.ReferralEvent (existing conversation), a *messenger.PostbackEvent with a
// Referral (Get Started in a new conversation) or a *messenger.MessageEvent whose
// message has a Referral (first message after an ad). Every other event gives false.
func From(ev messenger.Event) (Referral, bool) {
	var (
		r   *messenger.Referral
		via Via
	)
	switch e := ev.(type) {
	case *messenger.ReferralEvent:
		if e != nil {
			r, via = &e.Referral, ViaReferral
		}
	case *messenger.PostbackEvent:
		if e != nil {
			r, via = e.Referral, ViaPostback
		}
	case *messenger.MessageEvent:
		if e != nil {
			r, via = e.Message.Referral, ViaMessage
		}
	}
	if r == nil {
		return Referral{}, false
	}
	info := ev.Info()
	out := Referral{
		Page:            info.PageID,
		User:            info.Sender.ID,
		UserRef:         info.Sender.UserRef,
		Time:            info.Time,
		Source:          Source(r.Source),
		Ref:             r.Ref,
		Type:            r.Type,
		AdID:            r.AdID,
		RefererURI:      r.RefererURI,
		IsGuestUser:     r.IsGuestUser,
		Via:             via,
		NewConversation: via != ViaReferral,
	}
	if out.Page == "" {
		out.Page = info.Recipient.ID
	}
	if r.AdsContext != nil {
		c := *r.AdsContext
		out.AdsContext = &c
	}
	return out, true
}
