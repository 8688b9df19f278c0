package messenger_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/tags"
)

func printJSON(v any) {
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Println(err)
	}
}

func ExampleText() {
	printJSON(messenger.SendRequest{
		To:      messenger.PSID("1254459154682919"),
		Type:    messenger.Response,
		Message: messenger.Text("Hello, world!"),
	})
	// Output:
	// {"recipient":{"id":"1254459154682919"},"messaging_type":"RESPONSE","message":{"text":"Hello, world!"}}
}

func ExampleMessage_WithQuickReplies() {
	m := messenger.Text("Pick a color:").WithQuickReplies(
		messenger.TextReply("Red", "COLOR_RED").WithImage("http://example.com/img/red.png"),
		messenger.PhoneReply(),
		messenger.EmailReply(),
	)
	printJSON(m)
	// Output:
	// {"text":"Pick a color:","quick_replies":[{"content_type":"text","title":"Red","payload":"COLOR_RED","image_url":"http://example.com/img/red.png"},{"content_type":"user_phone_number"},{"content_type":"user_email"}]}
}

func ExampleTagged() {
	printJSON(messenger.SendRequest{
		To:      messenger.PSID("1254459154682919"),
		Type:    messenger.Tagged(tags.HumanAgent),
		Message: messenger.Text("An agent will follow up on your ticket.").WithMetadata("ticket-42"),
	})
	// Output:
	// {"recipient":{"id":"1254459154682919"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT","message":{"text":"An agent will follow up on your ticket.","metadata":"ticket-42"}}
}

func ExampleGenericTemplate() {
	t := messenger.NewGenericTemplate(messenger.GenericElement{
		Title:         "Welcome!",
		Subtitle:      "We have the right hat for everyone.",
		ImageURL:      "https://example.com/hat.jpg",
		DefaultAction: messenger.DefaultAction("https://example.com/"),
		Buttons: []messenger.Button{
			messenger.URLButton("View Website", "https://example.com/"),
			messenger.PostbackButton("Start Chatting", "DEVELOPER_DEFINED_PAYLOAD"),
		},
	})
	printJSON(messenger.TemplateMessage(t))
	// Output:
	// {"attachment":{"type":"template","payload":{"template_type":"generic","elements":[{"title":"Welcome!","subtitle":"We have the right hat for everyone.","image_url":"https://example.com/hat.jpg","default_action":{"type":"web_url","url":"https://example.com/"},"buttons":[{"type":"web_url","title":"View Website","url":"https://example.com/"},{"type":"postback","title":"Start Chatting","payload":"DEVELOPER_DEFINED_PAYLOAD"}]}]}}}
}

func ExampleNewButtonTemplate() {
	printJSON(messenger.TemplateMessage(messenger.NewButtonTemplate("Need help?",
		messenger.CallButton("Call us", "+15105551234"),
		messenger.URLButton("FAQ", "https://example.com/faq").WithWebview(messenger.WebviewTall),
	)))
	// Output:
	// {"attachment":{"type":"template","payload":{"template_type":"button","text":"Need help?","buttons":[{"type":"phone_number","title":"Call us","payload":"+15105551234"},{"type":"web_url","title":"FAQ","url":"https://example.com/faq","webview_height_ratio":"tall"}]}}}
}

func ExampleNewOneTimeNotifRequest() {
	printJSON(messenger.TemplateMessage(messenger.NewOneTimeNotifRequest("Back in stock?", "RESTOCK_42")))
	// Output:
	// {"attachment":{"type":"template","payload":{"template_type":"one_time_notif_req","title":"Back in stock?","payload":"RESTOCK_42"}}}
}

func ExampleMediaURL() {
	printJSON(messenger.MediaURL(messenger.AttachmentImage, "https://example.com/a.jpg").Reusable())
	// Output:
	// {"attachment":{"type":"image","payload":{"url":"https://example.com/a.jpg","is_reusable":true}}}
}

func ExampleSendRequest_Validate() {
	req := messenger.SendRequest{
		To:      messenger.PSID("1254459154682919"),
		Type:    messenger.Response,
		Message: messenger.Text("Choose").WithQuickReplies(messenger.TextReply("A title far longer than twenty", "A")),
	}
	err := req.Validate()
	var ve *messenger.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(errors.Is(err, messenger.ErrInvalidRequest))
		fmt.Println(ve.Field)
		fmt.Println(ve.Limit)
		fmt.Println(ve.Value)
	}
	// Output:
	// true
	// message.quick_replies[0].title
	// at most 20 characters
	// "A title far longer than twenty" (30 characters)
}

func ExamplePageProfile_Validate() {
	p := messenger.PageProfile{
		Greeting: []messenger.Greeting{{Locale: "en_US", Text: "Hi " + messenger.GreetingFirstName + strings.Repeat("!", 3)}},
	}
	fmt.Println(p.Validate())
	// Output:
	// messenger: invalid request: greeting must be an entry with locale "default", got en_US (the default locale is required)
}
