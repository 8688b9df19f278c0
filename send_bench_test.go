package messenger

import (
	"bytes"
	"encoding/json"
	"testing"
)

func benchGeneric() SendRequest {
	els := make([]GenericElement, 3)
	for i := range els {
		els[i] = GenericElement{
			Title:         "Welcome!",
			Subtitle:      "We have the right hat for everyone.",
			ImageURL:      "https://example.com/hat.jpg",
			DefaultAction: &Button{Type: ButtonURL, URL: "https://example.com/", WebviewHeightRatio: WebviewTall},
			Buttons: []Button{
				URLButton("View Website", "https://example.com/"),
				PostbackButton("Start Chatting", "DEVELOPER_DEFINED_PAYLOAD"),
			},
		}
	}
	return SendRequest{To: PSID("1254459154682919"), Type: Response,
		Message: TemplateMessage(&GenericTemplate{ImageAspectRatio: AspectHorizontal, Elements: els})}
}

// benchEncode measures what Send does before the network: encode the wire body the
// way Do does (json.Encoder, no HTML escaping, into a reused buffer).
func benchEncode(b *testing.B, req SendRequest, validate bool) {
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		if validate {
			if err := req.Validate(); err != nil {
				b.Fatal(err)
			}
		}
		buf.Reset()
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(req.wire()); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

func BenchmarkEncodeTextSend(b *testing.B) {
	benchEncode(b, SendRequest{To: PSID("1254459154682919"), Type: Response, Message: Text("Hello, world!")}, false)
}

// BenchmarkSendBody compares the two encoders of Send's body on the sends the
// hand-written one takes: encoding_json is what Send did before it (and still
// does for attachments and templates), appendJSON what it does now.
func BenchmarkSendBody(b *testing.B) {
	reqs := []struct {
		name string
		req  SendRequest
	}{
		{"text", SendRequest{To: PSID("1254459154682919"), Type: Response, Message: Text("Hello, world!")}},
		{"quick_replies", SendRequest{To: PSID("1254459154682919"), Type: Response, Message: Text("Pick a color:").
			WithQuickReplies(TextReply("Red", "COLOR_RED"), TextReply("Green", "COLOR_GREEN"), EmailReply())}},
	}
	for _, r := range reqs {
		b.Run(r.name+"/encoding_json", func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := encodeJSON(&buf, r.req.wire()); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(r.name+"/appendJSON", func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				var wb wireBuf
				r.req.wireTo(&wb)
				out, ok := wb.appendJSON(buf.AvailableBuffer(), r.req.Message != nil)
				if !ok {
					b.Fatal("not taken")
				}
				buf.Write(out)
			}
		})
	}
}

func BenchmarkEncodeGenericSend(b *testing.B) { benchEncode(b, benchGeneric(), false) }

func BenchmarkValidateAndEncodeTextSend(b *testing.B) {
	benchEncode(b, SendRequest{To: PSID("1254459154682919"), Type: Response, Message: Text("Hello, world!")}, true)
}

func BenchmarkValidateAndEncodeGenericSend(b *testing.B) { benchEncode(b, benchGeneric(), true) }
