package messengertest

import "encoding/json"

// The fake decodes sends into its own wire structs, independent of the SDK's encoder, so
// it judges what actually went over the wire. Pointers tell "absent" from "empty".

type wireRecipient struct {
	ID                        idString `json:"id"`
	UserRef                   string   `json:"user_ref"`
	CommentID                 idString `json:"comment_id"`
	PostID                    idString `json:"post_id"`
	OneTimeNotifToken         string   `json:"one_time_notif_token"`
	NotificationMessagesToken string   `json:"notification_messages_token"`
	PhoneNumber               string   `json:"phone_number"`
	Name                      *struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
	} `json:"name"`
}

type wireMessage struct {
	Text         *string          `json:"text"`
	Attachment   *wireAttachment  `json:"attachment"`
	Attachments  []wireAttachment `json:"attachments"`
	QuickReplies []wireQuickReply `json:"quick_replies"`
	Metadata     *string          `json:"metadata"`
}

type wireAttachment struct {
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

type wireQuickReply struct {
	ContentType string          `json:"content_type"`
	Title       *string         `json:"title"`
	Payload     json.RawMessage `json:"payload"`
	ImageURL    string          `json:"image_url"`
}

// wireMediaPayload is the payload of an image, audio, video or file attachment.
type wireMediaPayload struct {
	URL          string    `json:"url"`
	IsReusable   *flexBool `json:"is_reusable"`
	AttachmentID idString  `json:"attachment_id"`
}

type wireTemplateHead struct {
	TemplateType string `json:"template_type"`
}

type wireButton struct {
	Type                string          `json:"type"`
	Title               *string         `json:"title"`
	URL                 string          `json:"url"`
	Payload             json.RawMessage `json:"payload"`
	WebviewHeightRatio  string          `json:"webview_height_ratio"`
	MessengerExtensions *flexBool       `json:"messenger_extensions"`
	FallbackURL         string          `json:"fallback_url"`
	WebviewShareButton  string          `json:"webview_share_button"`
	GameMetadata        json.RawMessage `json:"game_metadata"`
}

type wireGeneric struct {
	TemplateType     string    `json:"template_type"`
	Sharable         *flexBool `json:"sharable"`
	ImageAspectRatio string    `json:"image_aspect_ratio"`
	Elements         []struct {
		Title         *string      `json:"title"`
		Subtitle      *string      `json:"subtitle"`
		ImageURL      string       `json:"image_url"`
		DefaultAction *wireButton  `json:"default_action"`
		Buttons       []wireButton `json:"buttons"`
	} `json:"elements"`
}

type wireButtonTemplate struct {
	TemplateType string       `json:"template_type"`
	Text         *string      `json:"text"`
	Buttons      []wireButton `json:"buttons"`
	Sharable     *flexBool    `json:"sharable"`
}

type wireMediaTemplate struct {
	TemplateType string    `json:"template_type"`
	Sharable     *flexBool `json:"sharable"`
	Elements     []struct {
		MediaType    string       `json:"media_type"`
		AttachmentID idString     `json:"attachment_id"`
		URL          string       `json:"url"`
		Buttons      []wireButton `json:"buttons"`
	} `json:"elements"`
}

type wireReceipt struct {
	TemplateType  string          `json:"template_type"`
	Sharable      *flexBool       `json:"sharable"`
	RecipientName *string         `json:"recipient_name"`
	MerchantName  string          `json:"merchant_name"`
	OrderNumber   *idString       `json:"order_number"`
	Currency      *string         `json:"currency"`
	PaymentMethod *string         `json:"payment_method"`
	OrderURL      string          `json:"order_url"`
	Timestamp     idString        `json:"timestamp"`
	Elements      json.RawMessage `json:"elements"`
	Address       json.RawMessage `json:"address"`
	Summary       *struct {
		Subtotal     *json.Number `json:"subtotal"`
		ShippingCost *json.Number `json:"shipping_cost"`
		TotalTax     *json.Number `json:"total_tax"`
		TotalCost    *json.Number `json:"total_cost"`
	} `json:"summary"`
	Adjustments json.RawMessage `json:"adjustments"`
}

type wireProduct struct {
	TemplateType string `json:"template_type"`
	Elements     []struct {
		ID idString `json:"id"`
	} `json:"elements"`
}

type wireCustomerFeedback struct {
	TemplateType    string  `json:"template_type"`
	Title           *string `json:"title"`
	Subtitle        *string `json:"subtitle"`
	ButtonTitle     *string `json:"button_title"`
	FeedbackScreens []struct {
		Questions []struct {
			ID          string          `json:"id"`
			Type        string          `json:"type"`
			Title       *string         `json:"title"`
			ScoreLabel  string          `json:"score_label"`
			ScoreOption string          `json:"score_option"`
			FollowUp    json.RawMessage `json:"follow_up"`
		} `json:"questions"`
	} `json:"feedback_screens"`
	BusinessPrivacy *struct {
		URL string `json:"url"`
	} `json:"business_privacy"`
	ExpiresInDays *flexInt `json:"expires_in_days"`
}

type wireOTNRequest struct {
	TemplateType string  `json:"template_type"`
	Title        *string `json:"title"`
	Payload      *string `json:"payload"`
}

type wireNotificationMessages struct {
	TemplateType                  string  `json:"template_type"`
	Title                         *string `json:"title"`
	ImageURL                      string  `json:"image_url"`
	Payload                       *string `json:"payload"`
	NotificationMessagesFrequency string  `json:"notification_messages_frequency"`
	NotificationMessagesReoptin   string  `json:"notification_messages_reoptin"`
	NotificationMessagesTimezone  string  `json:"notification_messages_timezone"`
	NotificationMessagesCTAText   string  `json:"notification_messages_cta_text"`
}

type wireReplyTo struct {
	MID string `json:"mid"`
}
