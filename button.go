package messenger

import "strings"

// ButtonType is the type of a template or menu button (docs/platform.md, “Buttons”).
type ButtonType string

// The button types.
const (
	ButtonURL           ButtonType = "web_url"
	ButtonPostback      ButtonType = "postback"
	ButtonCall          ButtonType = "phone_number"
	ButtonAccountLink   ButtonType = "account_link"
	ButtonAccountUnlink ButtonType = "account_unlink"
	ButtonGamePlay      ButtonType = "game_play"
)

// WebviewHeight is the height of the webview a URL button opens.
type WebviewHeight string

// The webview heights.
const (
	WebviewCompact WebviewHeight = "compact"
	WebviewTall    WebviewHeight = "tall"
	WebviewFull    WebviewHeight = "full"
)

// MaxButtonTitle is the most characters in a button title (docs/platform.md, “Buttons”).
const MaxButtonTitle = 20

// Button is a button of a template, a generic element's default action or a
// persistent-menu item. Build it with URLButton, PostbackButton, CallButton,
// AccountLinkButton, AccountUnlinkButton or GamePlayButton; which fields apply
// depends on Type (docs/platform.md, “Buttons”). Its JSON encoding is the wire button object.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/send-messages/buttons
type Button struct {
	Type ButtonType `json:"type"`
	// Title is the label, at most 20 characters; absent on account_link,
	// account_unlink and default actions.
	Title string `json:"title,omitempty"`
	// URL is the page a web_url button opens, or the authentication URL of an
	// account_link button.
	URL string `json:"url,omitempty"`
	// Payload is sent back in the postback webhook (≤ 1000 characters); for a call
	// button it is the phone number: "+", country code, number, no spaces.
	Payload string `json:"payload,omitempty"`
	// WebviewHeightRatio sets the webview height of a web_url button.
	WebviewHeightRatio WebviewHeight `json:"webview_height_ratio,omitempty"`
	// MessengerExtensions enables the Messenger Extensions SDK in the webview; the
	// URL's domain must be whitelisted.
	MessengerExtensions bool `json:"messenger_extensions,omitempty"`
	// FallbackURL opens where Messenger Extensions are not supported.
	FallbackURL string `json:"fallback_url,omitempty"`
	// WebviewShareButton is "hide" to hide the webview's share button.
	WebviewShareButton string `json:"webview_share_button,omitempty"`
	// GameMetadata picks the player or context of a game_play button.
	GameMetadata *GameMetadata `json:"game_metadata,omitempty"`
}

// GameMetadata targets a game_play button at a player or a game context.
type GameMetadata struct {
	PlayerID  string `json:"player_id,omitempty"`
	ContextID string `json:"context_id,omitempty"`
}

// URLButton opens url in the in-app browser.
func URLButton(title, url string) Button { return Button{Type: ButtonURL, Title: title, URL: url} }

// WithWebview sets the webview height of a URL button and returns it.
func (b Button) WithWebview(h WebviewHeight) Button {
	b.WebviewHeightRatio = h
	return b
}

// WithExtensions enables Messenger Extensions on a URL button, with the page to open
// where they are not supported (may be ""), and returns it. The URL's domain must be
// whitelisted in the Messenger Profile.
func (b Button) WithExtensions(fallbackURL string) Button {
	b.MessengerExtensions = true
	b.FallbackURL = fallbackURL
	return b
}

// WithoutShareButton hides the webview's share button and returns b.
func (b Button) WithoutShareButton() Button {
	b.WebviewShareButton = "hide"
	return b
}

// PostbackButton sends payload (≤ 1000 characters) back as a messaging_postbacks
// webhook when tapped.
func PostbackButton(title, payload string) Button {
	return Button{Type: ButtonPostback, Title: title, Payload: payload}
}

// CallButton dials phone, written as "+" then country code and number, no spaces.
func CallButton(title, phone string) Button {
	return Button{Type: ButtonCall, Title: title, Payload: phone}
}

// AccountLinkButton starts account linking at the https authentication URL authURL.
func AccountLinkButton(authURL string) Button { return Button{Type: ButtonAccountLink, URL: authURL} }

// AccountUnlinkButton unlinks the person's account.
func AccountUnlinkButton() Button { return Button{Type: ButtonAccountUnlink} }

// GamePlayButton launches an Instant Game; payload is passed to the game and meta
// may be nil.
func GamePlayButton(title, payload string, meta *GameMetadata) Button {
	return Button{Type: ButtonGamePlay, Title: title, Payload: payload, GameMetadata: meta}
}

// DefaultAction is the tap action of a generic template element: a URL button
// without a title (docs/platform.md, “Buttons”).
func DefaultAction(url string) *Button { return &Button{Type: ButtonURL, URL: url} }

// validateButtons checks a list of buttons: between min and max of them, each valid.
func validateButtons(v *validator, path string, bs []Button, min, max int) {
	v.count(path, "", len(bs), min, max, "buttons")
	for i := range bs {
		bs[i].validate(v, index(path, i))
	}
}

func (b *Button) validate(v *validator, path string) { b.validateWithTitle(v, path, MaxButtonTitle) }

// validateWithTitle checks b with titles of at most maxTitle characters (menu items
// allow 30).
func (b *Button) validateWithTitle(v *validator, path string, maxTitle int) {
	if !v.oneOf(path, ".type", string(b.Type), string(ButtonURL), string(ButtonPostback), string(ButtonCall),
		string(ButtonAccountLink), string(ButtonAccountUnlink), string(ButtonGamePlay)) {
		return
	}
	switch b.Type {
	case ButtonURL:
		v.required(path, ".title", b.Title, "a URL button needs a title")
		b.validateWebview(v, path)
	case ButtonPostback:
		v.required(path, ".title", b.Title, "a postback button needs a title")
		v.required(path, ".payload", b.Payload, "a postback button needs a payload")
		v.maxRunes(path, ".payload", b.Payload, MaxPayloadLen)
	case ButtonCall:
		v.required(path, ".title", b.Title, "a call button needs a title")
		if !strings.HasPrefix(b.Payload, "+") || len(b.Payload) < 2 || strings.ContainsAny(b.Payload, " \t") {
			v.fail(path, ".payload", `"+" then country code and number, no spaces`, preview(b.Payload),
				"not a phone number the platform can dial")
		}
	case ButtonAccountLink:
		v.webURL(path, ".url", b.URL, true)
		if b.Title != "" {
			v.fail(path, ".title", "absent", preview(b.Title), "an account link button has no title")
		}
	case ButtonAccountUnlink:
		if b.Title != "" {
			v.fail(path, ".title", "absent", preview(b.Title), "an account unlink button has no title")
		}
	case ButtonGamePlay:
		v.required(path, ".title", b.Title, "a game play button needs a title")
		v.maxRunes(path, ".payload", b.Payload, MaxPayloadLen)
		if m := b.GameMetadata; m != nil && m.PlayerID != "" && m.ContextID != "" {
			v.fail(path, ".game_metadata", "one of player_id, context_id", "both", "a game is played with a player or in a context")
		}
	}
	v.maxRunes(path, ".title", b.Title, maxTitle)
}

// validateWebview checks the fields shared by URL buttons and default actions.
func (b *Button) validateWebview(v *validator, path string) {
	v.webURL(path, ".url", b.URL, false)
	if b.WebviewHeightRatio != "" {
		v.oneOf(path, ".webview_height_ratio", string(b.WebviewHeightRatio),
			string(WebviewCompact), string(WebviewTall), string(WebviewFull))
	}
	if b.WebviewShareButton != "" {
		v.oneOf(path, ".webview_share_button", b.WebviewShareButton, "hide")
	}
	if b.FallbackURL != "" {
		if !b.MessengerExtensions {
			v.fail(path, ".fallback_url", "only with messenger_extensions", preview(b.FallbackURL),
				"a fallback URL is used only where Messenger Extensions are unsupported")
		}
		v.webURL(path, ".fallback_url", b.FallbackURL, false)
	}
}

// validateDefaultAction checks a generic element's default action: a URL button
// without a title (docs/platform.md, “Buttons”).
func (b *Button) validateDefaultAction(v *validator, path string) {
	if b.Type != ButtonURL {
		v.fail(path, ".type", string(ButtonURL), preview(string(b.Type)), "a default action opens a URL")
		return
	}
	if b.Title != "" {
		v.fail(path, ".title", "absent", preview(b.Title), "a default action has no title")
	}
	b.validateWebview(v, path)
}
