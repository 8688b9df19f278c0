package messenger

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger/tags"
)

// assertJSON compares a JSON body with the expected JSON, ignoring key order.
func assertJSON(t *testing.T, want string, got []byte) {
	t.Helper()
	if diff := cmp.Diff(wireValue(t, []byte(want)), wireValue(t, got)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestSendPostsWireJSONAndDecodesResponse(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"recipient_id":"1254477777772919","message_id":"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM","attachment_id":"687799999980546"}`))
	res, err := c.Send(context.Background(), SendRequest{To: PSID("1254477777772919"), Type: Response,
		Message: MediaURL(AttachmentImage, "https://example.com/a.jpg").Reusable()})
	if err != nil {
		t.Fatal(err)
	}
	want := &SendResponse{RecipientID: "1254477777772919", MessageID: "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM", AttachmentID: "687799999980546"}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	got := calls()
	if len(got) != 1 {
		t.Fatalf("%d calls, want 1", len(got))
	}
	if got[0].Method != http.MethodPost || got[0].Path != "/v25.0/me/messages" || got[0].ContentType != "application/json" {
		t.Errorf("call = %s %s (%s)", got[0].Method, got[0].Path, got[0].ContentType)
	}
	assertJSON(t, `{"recipient":{"id":"1254477777772919"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"image","payload":{"url":"https://example.com/a.jpg","is_reusable":true}}}}`, got[0].Body)
}

func TestSendUsesPageIDPath(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"recipient_id":"1","message_id":"m_1"}`), WithPageID("1122334455"))
	if _, err := c.Send(context.Background(), SendRequest{To: PSID("1"), Type: Tagged(tags.HumanAgent), Message: Text("hi")}); err != nil {
		t.Fatal(err)
	}
	if p := calls()[0].Path; p != "/v25.0/1122334455/messages" {
		t.Errorf("path = %s", p)
	}
}

func TestSendRefusesInvalidRequestWithoutNetwork(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{}`))
	_, err := c.Send(context.Background(), SendRequest{To: PSID("1"), Type: Response,
		Message: Text("a").WithQuickReplies(nQuickReplies(14)...)})
	if !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("err = %v, want ErrInvalidRequest", err)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "message.quick_replies" || ve.Limit != "at most 13 quick replies" || ve.Value != "14" {
		t.Errorf("validation error = %+v", ve)
	}
	if n := len(calls()); n != 0 {
		t.Errorf("%d calls reached Graph", n)
	}
}

func TestSendGraphError(t *testing.T) {
	t.Parallel()
	c, _ := stubGraph(t, answer(400, `{"error":{"message":"(#10) This message is sent outside of allowed window.","type":"OAuthException","code":10,"error_subcode":2018278,"fbtrace_id":"AxIIVeNpuf3y2jeXdufRcEX"}}`))
	_, err := c.Send(context.Background(), SendRequest{To: PSID("1"), Type: Update, Message: Text("late")})
	var ge *GraphError
	if !errors.As(err, &ge) || !errors.Is(err, ErrOutsideWindow) {
		t.Fatalf("err = %v, want a *GraphError matching ErrOutsideWindow", err)
	}
	if ge.FBTraceID != "AxIIVeNpuf3y2jeXdufRcEX" || ge.Subcode != 2018278 {
		t.Errorf("graph error = %+v", ge)
	}
}

func TestSendAction(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"recipient_id":"42"}`))
	res, err := c.SendAction(context.Background(), PSID("42"), TypingOn, "persona-7")
	if err != nil {
		t.Fatal(err)
	}
	if res.RecipientID != "42" || res.MessageID != "" {
		t.Errorf("response = %+v", res)
	}
	assertJSON(t, `{"recipient":{"id":"42"},"sender_action":"typing_on","persona_id":"persona-7"}`, calls()[0].Body)

	if _, err := c.SendAction(context.Background(), PSID("42"), MarkSeen, "persona-7"); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("mark_seen as a persona: err = %v, want ErrInvalidRequest", err)
	}
	if n := len(calls()); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestPrivateReply(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"recipient_id":"99","message_id":"m_2"}`))
	for _, to := range []Recipient{Comment("1234_5678"), Post("1234_9999")} {
		if _, err := c.PrivateReply(context.Background(), to, Text("Thanks for your comment!")); err != nil {
			t.Fatalf("%+v: %v", to, err)
		}
	}
	got := calls()
	assertJSON(t, `{"recipient":{"comment_id":"1234_5678"},"message":{"text":"Thanks for your comment!"}}`, got[0].Body)
	assertJSON(t, `{"recipient":{"post_id":"1234_9999"},"message":{"text":"Thanks for your comment!"}}`, got[1].Body)

	for _, to := range []Recipient{PSID("1"), {}, {CommentID: "c", PostID: "p"}} {
		_, err := c.PrivateReply(context.Background(), to, Text("hi"))
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "recipient" || !strings.Contains(ve.Reason, "Comment(id)") {
			t.Errorf("PrivateReply(%+v) err = %v, want a recipient *ValidationError", to, err)
		}
	}
	if n := len(calls()); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
}

func TestPrivateReplyAlreadyReplied(t *testing.T) {
	t.Parallel()
	c, _ := stubGraph(t, answer(400, `{"error":{"message":"(#10900) Activity already replied to","type":"OAuthException","code":10900}}`))
	_, err := c.PrivateReply(context.Background(), Comment("1"), Text("again"))
	if !errors.Is(err, ErrAlreadyReplied) {
		t.Errorf("err = %v, want ErrAlreadyReplied", err)
	}
}

// TestSendConcurrent sends from many goroutines over one client (run with -race).
func TestSendConcurrent(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		body, _ := io.ReadAll(r.Body)
		var req struct {
			Recipient Recipient `json:"recipient"`
		}
		json.Unmarshal(body, &req)
		io.WriteString(w, `{"recipient_id":"`+req.Recipient.ID+`","message_id":"m"}`)
	})
	msg := Text("shared message").WithQuickReplies(TextReply("Yes", "Y"))
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			id := string(rune('a' + i))
			res, err := c.Send(context.Background(), SendRequest{To: PSID(id), Type: Update, Message: msg})
			if err != nil || res.RecipientID != id {
				t.Errorf("send %s: %+v, %v", id, res, err)
			}
		})
	}
	wg.Wait()
	if n.Load() != 16 {
		t.Errorf("%d calls, want 16", n.Load())
	}
}
