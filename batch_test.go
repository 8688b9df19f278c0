package messenger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// batchItem is one operation as Graph receives it in the batch parameter.
type batchItem struct {
	Method      string `json:"method"`
	RelativeURL string `json:"relative_url"`
	Body        string `json:"body"`
	Name        string `json:"name"`
	DependsOn   string `json:"depends_on"`
}

// readBatch decodes the form of a batch call.
func readBatch(t *testing.T, call graphCall) (url.Values, []batchItem) {
	t.Helper()
	if call.Method != http.MethodPost || call.Path != "/v25.0/" || call.ContentType != "application/x-www-form-urlencoded" {
		t.Errorf("batch call = %s %s (%s)", call.Method, call.Path, call.ContentType)
	}
	form, err := url.ParseQuery(string(call.Body))
	if err != nil {
		t.Fatal(err)
	}
	var items []batchItem
	if err := json.Unmarshal([]byte(form.Get("batch")), &items); err != nil {
		t.Fatalf("batch parameter %q: %v", form.Get("batch"), err)
	}
	return form, items
}

const mixedBatchAnswer = `[
 {"code":200,"body":"{\"recipient_id\":\"1\",\"message_id\":\"m_1\"}"},
 {"code":400,"body":"{\"error\":{\"message\":\"(#551) This person isn't available right now.\",\"type\":\"OAuthException\",\"code\":551,\"error_subcode\":1545041,\"fbtrace_id\":\"Bx1\"}}"},
 null,
 {"code":200,"body":"{\"recipient_id\":\"4\"}"}
]`

func TestSendBatchMixedResults(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, mixedBatchAnswer))
	reqs := []SendRequest{
		{To: PSID("1"), Type: Response, Message: Text("hi")},
		{To: PSID("2"), Type: Tagged("HUMAN_AGENT"), Message: Text("agent here"), ReplyTo: "m_0"},
		{To: PSID("3"), Type: Update, Message: TemplateMessage(NewButtonTemplate("Go?", PostbackButton("Yes", "Y")))},
		{To: PSID("4"), Action: MarkSeen},
	}
	res, err := c.SendBatch(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 {
		t.Fatalf("%d results, want 4", len(res))
	}
	if diff := cmp.Diff(&SendResponse{RecipientID: "1", MessageID: "m_1"}, res[0].Response); diff != "" || res[0].Err != nil {
		t.Errorf("item 0 (-want +got):\n%s err %v", diff, res[0].Err)
	}
	var ge *GraphError
	if !errors.As(res[1].Err, &ge) || ge.Code != 551 || ge.HTTPStatus != 400 || ge.FBTraceID != "Bx1" || !errors.Is(res[1].Err, ErrUserUnavailable) {
		t.Errorf("item 1 err = %v, want the 551 *GraphError", res[1].Err)
	}
	if res[2].Response != nil || !errors.Is(res[2].Err, ErrAmbiguous) {
		t.Errorf("item 2 (null) = %+v, want an ErrAmbiguous error", res[2])
	}
	if res[3].Err != nil || res[3].Response.RecipientID != "4" {
		t.Errorf("item 3 = %+v", res[3])
	}

	form, items := readBatch(t, calls()[0])
	if form.Get("include_headers") != "false" {
		t.Errorf("include_headers = %q", form.Get("include_headers"))
	}
	wantBodies := []url.Values{
		{"recipient": {`{"id":"1"}`}, "messaging_type": {"RESPONSE"}, "message": {`{"text":"hi"}`}},
		{"recipient": {`{"id":"2"}`}, "messaging_type": {"MESSAGE_TAG"}, "tag": {"HUMAN_AGENT"},
			"message": {`{"text":"agent here"}`}, "reply_to": {`{"mid":"m_0"}`}},
		{"recipient": {`{"id":"3"}`}, "messaging_type": {"UPDATE"},
			"message": {`{"attachment":{"type":"template","payload":{"template_type":"button","text":"Go?","buttons":[{"type":"postback","title":"Yes","payload":"Y"}]}}}`}},
		{"recipient": {`{"id":"4"}`}, "sender_action": {"mark_seen"}},
	}
	for i, it := range items {
		if it.Method != "POST" || it.RelativeURL != "me/messages" {
			t.Errorf("item %d = %s %s", i, it.Method, it.RelativeURL)
		}
		got, err := url.ParseQuery(it.Body)
		if err != nil {
			t.Fatalf("item %d body %q: %v", i, it.Body, err)
		}
		if diff := cmp.Diff(wantBodies[i], got); diff != "" {
			t.Errorf("item %d body (-want +got):\n%s", i, diff)
		}
	}
}

func TestBatchRawOperations(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `[{"code":200,"body":"{\"id\":\"p1\"}"},{"code":200,"body":"{\"name\":\"Page B\",\"id\":\"b\"}"}]`))
	res, err := c.Batch(context.Background(), []BatchRequest{
		{Method: "POST", RelativeURL: "me/personas", Body: url.Values{"name": {"Adam"}}, Name: "first"},
		{Method: "GET", RelativeURL: "PAGE-B-ID", DependsOn: "first"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var page struct{ Name, ID string }
	if err := res[1].Decode(&page); err != nil || page.Name != "Page B" {
		t.Errorf("decode item 1: %+v, %v", page, err)
	}
	_, items := readBatch(t, calls()[0])
	want := []batchItem{
		{Method: "POST", RelativeURL: "me/personas", Body: "name=Adam", Name: "first"},
		{Method: "GET", RelativeURL: "PAGE-B-ID", DependsOn: "first"},
	}
	if diff := cmp.Diff(want, items); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
}

func TestBatchLimits(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		var items []json.RawMessage
		json.Unmarshal([]byte(form.Get("batch")), &items)
		out := "["
		for i := range items {
			if i > 0 {
				out += ","
			}
			out += fmt.Sprintf(`{"code":200,"body":"{\"recipient_id\":\"%d\"}"}`, i)
		}
		w.Write([]byte(out + "]"))
	})
	sends := func(n int) []SendRequest {
		out := make([]SendRequest, n)
		for i := range out {
			out[i] = SendRequest{To: PSID(fmt.Sprint(i)), Action: TypingOn}
		}
		return out
	}
	ctx := context.Background()
	res, err := c.SendBatch(ctx, sends(50))
	if err != nil || len(res) != 50 {
		t.Fatalf("50 sends: %d results, %v", len(res), err)
	}
	_, err = c.SendBatch(ctx, sends(51))
	checkViolation(t, err, "batch")
	_, err = c.SendBatch(ctx, nil)
	checkViolation(t, err, "batch")

	bad := sends(3)
	bad[2].Action = ""
	bad[2].Type = Response
	bad[2].Message = Text(runesOf(2000))
	_, err = c.SendBatch(ctx, bad)
	checkViolation(t, err, "batch[2].message.text")

	_, err = c.Batch(ctx, []BatchRequest{{Method: "PATCH", RelativeURL: "me"}})
	checkViolation(t, err, "batch[0].method")
	if n := len(calls()); n != 1 {
		t.Errorf("%d calls reached Graph, want 1", n)
	}
}

func TestBatchWholeFailure(t *testing.T) {
	t.Parallel()
	c, _ := stubGraph(t, answer(400, `{"error":{"message":"(#190) Invalid OAuth access token.","type":"OAuthException","code":190}}`))
	_, err := c.SendBatch(context.Background(), []SendRequest{{To: PSID("1"), Action: TypingOn}})
	if !errors.Is(err, ErrInvalidToken) {
		t.Errorf("err = %v, want ErrInvalidToken", err)
	}

	c, _ = stubGraph(t, answer(200, `[{"code":200,"body":"{}"}]`))
	_, err = c.SendBatch(context.Background(), []SendRequest{{To: PSID("1"), Action: TypingOn}, {To: PSID("2"), Action: TypingOn}})
	if !errors.Is(err, ErrAmbiguous) {
		t.Errorf("short answer: err = %v, want ErrAmbiguous", err)
	}
}
