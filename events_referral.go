package messenger

import "time"

// PostbackEvent is a tap on a postback button: Get Started, a persistent-menu item, a
// template button (field "messaging_postbacks", docs/platform.md, “Webhook events”). It opens the
// standard messaging window. Payload reaches only the app that sent the button; other
// apps get the title on standby.
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/messaging_postbacks
type PostbackEvent struct {
	EventInfo
	// Title is the button's title; every subscribed app gets it.
	Title string
	// Payload is the payload the button was created with.
	Payload string
	// MID is the id of the postback (Graph v11.0+).
	MID string
	// Referral is set when the person entered a new thread through an m.me link, ad,
	// Messenger Code or plugin and tapped Get Started (docs/platform.md, “m.me links”).
	Referral *Referral
}

// ReferralEvent is a person entering an existing thread through an m.me link, an ad,
// the chat plugin, a Messenger Code or the Discover tab (field "messaging_referrals",
// docs/platform.md, “Webhook events”). For new threads the referral comes in the Get Started
// [PostbackEvent] instead. A referral with a ref into an existing thread opens the
// messaging window (docs/platform.md, “The 24-hour window”).
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/messaging_referrals
type ReferralEvent struct {
	EventInfo
	// Referral says where the person came from.
	Referral Referral
}

// Referral says how a person reached the Page.
type Referral struct {
	// Ref is the "ref" parameter of the link or ad (alphanumerics, '-', '_', '=').
	Ref string `json:"ref,omitempty"`
	// Source is "SHORTLINK" (m.me), "ADS", "MESSENGER_CODE", "DISCOVER_TAB",
	// "CUSTOMER_CHAT_PLUGIN", … as Meta sends it.
	Source string `json:"source,omitempty"`
	// Type is "OPEN_THREAD".
	Type string `json:"type,omitempty"`
	// AdID and AdsContext are set for Click-to-Messenger ads.
	AdID string `json:"ad_id,omitempty"`
	// AdsContext describes the ad of a Click-to-Messenger referral.
	AdsContext *AdsContext `json:"ads_context_data,omitempty"`
	// RefererURI is the website of a chat-plugin referral.
	RefererURI string `json:"referer_uri,omitempty"`
	// IsGuestUser is true for chat-plugin guests (no Facebook login).
	IsGuestUser bool `json:"is_guest_user,omitempty"`
}

// AdsContext describes the ad of an ADS referral ("ads_context_data").
type AdsContext struct {
	// AdTitle is the ad's title.
	AdTitle string `json:"ad_title,omitempty"`
	// PhotoURL is the ad's image, for image ads.
	PhotoURL string `json:"photo_url,omitempty"`
	// VideoURL is the ad's video thumbnail, for video ads.
	VideoURL string `json:"video_url,omitempty"`
	// PostID is the Page post behind the ad.
	PostID string `json:"post_id,omitempty"`
	// ProductID is the catalogue product of a product ad.
	ProductID string `json:"product_id,omitempty"`
	// FlowID is the conversation flow the ad started, if any.
	FlowID string `json:"flow_id,omitempty"`
}

// OptinEvent is an opt-in (field "messaging_optins", docs/platform.md, “Webhook events”): a Send to
// Messenger or checkbox plugin opt-in (Ref, UserRef; opens the messaging window), a
// one-time notification request accepted (Type "one_time_notif_req",
// OneTimeNotifToken), or a recurring notification / marketing messages opt-in
// (Type "notification_messages", NotificationMessagesToken and the fields after it).
// Notification opt-ins do not open the window.
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/messaging_optins
type OptinEvent struct {
	EventInfo
	// Type is "", "one_time_notif_req" or "notification_messages".
	Type string
	// Payload is the payload of the opt-in request template.
	Payload string
	// Ref is the data-ref passed through a plugin.
	Ref string
	// UserRef is the checkbox plugin's user_ref; message the person with it.
	UserRef string
	// OneTimeNotifToken is the single-use token of a one-time notification (valid one
	// year, docs/platform.md, “One-time notifications”).
	OneTimeNotifToken string
	// NotificationMessagesToken is the recurring notification token.
	NotificationMessagesToken string
	// Frequency is "DAILY", "WEEKLY" or "MONTHLY" (absent since Graph v16).
	Frequency string
	// Timezone is the person's timezone id.
	Timezone string
	// TokenExpiry is when NotificationMessagesToken expires.
	TokenExpiry time.Time
	// TokenStatus is "REFRESHED" or "NOT_REFRESHED".
	TokenStatus string
	// NotificationStatus is "STOP NOTIFICATIONS" or "RESUME NOTIFICATIONS", only on
	// stop and resume.
	NotificationStatus string
	// Title is the title of the opt-in request.
	Title string
}

// Kind returns "postback".
func (*PostbackEvent) Kind() string { return "postback" }

// Kind returns "referral".
func (*ReferralEvent) Kind() string { return "referral" }

// Kind returns "optin".
func (*OptinEvent) Kind() string { return "optin" }

// MarshalJSON returns the messaging item (see [Event]).
func (e *PostbackEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	return marshalItem(&e.EventInfo, "postback", struct {
		MID      string    `json:"mid,omitempty"`
		Title    string    `json:"title,omitempty"`
		Payload  string    `json:"payload,omitempty"`
		Referral *Referral `json:"referral,omitempty"`
	}{e.MID, e.Title, e.Payload, e.Referral})
}

// MarshalJSON returns the messaging item (see [Event]).
func (e *ReferralEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	return marshalItem(&e.EventInfo, "referral", e.Referral)
}

// MarshalJSON returns the messaging item (see [Event]).
func (e *OptinEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	return marshalItem(&e.EventInfo, "optin", struct {
		Type                      string `json:"type,omitempty"`
		Payload                   string `json:"payload,omitempty"`
		Ref                       string `json:"ref,omitempty"`
		UserRef                   string `json:"user_ref,omitempty"`
		Title                     string `json:"title,omitempty"`
		OneTimeNotifToken         string `json:"one_time_notif_token,omitempty"`
		NotificationMessagesToken string `json:"notification_messages_token,omitempty"`
		Frequency                 string `json:"notification_messages_frequency,omitempty"`
		Timezone                  string `json:"notification_messages_timezone,omitempty"`
		TokenExpiry               int64  `json:"token_expiry_timestamp,omitempty"`
		TokenStatus               string `json:"user_token_status,omitempty"`
		NotificationStatus        string `json:"notification_messages_status,omitempty"`
	}{e.Type, e.Payload, e.Ref, e.UserRef, e.Title, e.OneTimeNotifToken, e.NotificationMessagesToken,
		e.Frequency, e.Timezone, toMillis(e.TokenExpiry), e.TokenStatus, e.NotificationStatus})
}

// UnmarshalJSON decodes one messaging item holding a postback.
func (e *PostbackEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// UnmarshalJSON decodes one messaging item holding a referral.
func (e *ReferralEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// UnmarshalJSON decodes one messaging item holding an optin.
func (e *OptinEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

func (r *jsonReader) postback() *PostbackEvent {
	e := &PostbackEvent{}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "title":
			e.Title = r.Str()
		case "payload":
			e.Payload = r.Str()
		case "mid":
			e.MID = r.Str()
		case "referral":
			e.Referral = r.referralPtr()
		default:
			r.Skip()
		}
	}
	return e
}

// referralPtr decodes a referral object, or skips a non-object and returns nil.
func (r *jsonReader) referralPtr() *Referral {
	if r.Peek() != '{' {
		r.Skip()
		return nil
	}
	ref := r.referral()
	return &ref
}

func (r *jsonReader) referral() Referral {
	var ref Referral
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "ref":
			ref.Ref = r.Str()
		case "source":
			ref.Source = r.Str()
		case "type":
			ref.Type = r.Str()
		case "ad_id":
			ref.AdID = r.Str()
		case "referer_uri":
			ref.RefererURI = r.Str()
		case "is_guest_user":
			ref.IsGuestUser = r.Bool()
		case "ads_context_data":
			if r.Peek() != '{' {
				r.Skip()
				continue
			}
			ac := &AdsContext{}
			for ok := r.Enter('{'); ok; ok = r.Next('}') {
				switch r.Key() {
				case "ad_title":
					ac.AdTitle = r.Str()
				case "photo_url":
					ac.PhotoURL = r.Str()
				case "video_url":
					ac.VideoURL = r.Str()
				case "post_id":
					ac.PostID = r.Str()
				case "product_id":
					ac.ProductID = r.Str()
				case "flow_id":
					ac.FlowID = r.Str()
				default:
					r.Skip()
				}
			}
			ref.AdsContext = ac
		default:
			r.Skip()
		}
	}
	return ref
}

func (r *jsonReader) optin() *OptinEvent {
	e := &OptinEvent{}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "type":
			e.Type = r.Str()
		case "payload":
			e.Payload = r.Str()
		case "ref":
			e.Ref = r.Str()
		case "user_ref":
			e.UserRef = r.Str()
		case "title":
			e.Title = r.Str()
		case "one_time_notif_token":
			e.OneTimeNotifToken = r.Str()
		case "notification_messages_token":
			e.NotificationMessagesToken = r.Str()
		case "notification_messages_frequency":
			e.Frequency = r.Str()
		case "notification_messages_timezone":
			e.Timezone = r.Str()
		case "token_expiry_timestamp":
			e.TokenExpiry = millis(r.Int())
		case "user_token_status":
			e.TokenStatus = r.Str()
		case "notification_messages_status":
			e.NotificationStatus = r.Str()
		default:
			r.Skip()
		}
	}
	return e
}
