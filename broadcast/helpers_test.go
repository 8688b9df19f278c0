package broadcast_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/memstore"
	"github.com/gomessenger/messenger/store/storetest"
)

// testPage is the Page of the tests.
const testPage = "1000000000000001"

// newStore is the in-memory store, on the tests' clock (it forgets windows a
// week after their last action by its own clock).
func newStore(t *testing.T, now time.Time) *memstore.Store {
	return storetest.NewMemory(t, memstore.WithClock(func() time.Time { return now }))
}

// tokenState is the state of the token with value in st.
func tokenState(st store.Tokens, psid, value string) store.TokenState {
	toks, err := st.ListTokens(context.Background(), testPage, psid)
	if err != nil {
		panic(err)
	}
	for _, t := range toks {
		if t.Value == value {
			return t.State
		}
	}
	return ""
}

// fakeGraph is a small stand-in for Graph's Send API: it knows windows and
// one-time tokens, records what it accepted, and fails on demand.
type fakeGraph struct {
	mu      sync.Mutex
	now     time.Time            // the policy clock, frozen
	windows map[string]time.Time // psid → last message
	tokens  map[string]string    // live one-time token → psid
	sends   []fakeSend
	calls   int
	// fault, when set, may answer call n (1-based) with an error instead.
	fault func(n int, psids []string) *fakeError
	// onSend runs after each accepted send with the number of sends so far.
	onSend func(n int)
}

type fakeSend struct {
	PSID, Token, Type, Tag, Text string
	At                           time.Time // real (or bubble) time
}

type fakeError struct {
	status, code, subcode int
	header                http.Header
}

func newFakeGraph(now time.Time) *fakeGraph {
	return &fakeGraph{now: now, windows: map[string]time.Time{}, tokens: map[string]string{}}
}

func (f *fakeGraph) Now() time.Time { return f.now }

// says opens psid's window at the fake's now minus ago, in the fake and in st.
func (f *fakeGraph) says(st store.Windows, psid string, ago time.Duration) {
	at := f.now.Add(-ago)
	f.mu.Lock()
	f.windows[psid] = at
	f.mu.Unlock()
	if err := st.RecordAction(context.Background(), testPage, psid, store.Action{Kind: store.ActionMessage, At: at}); err != nil {
		panic(err)
	}
}

// optsIn gives psid a one-time token for topic, in the fake and in st.
func (f *fakeGraph) optsIn(st store.Tokens, psid, topic string) string {
	tok := fmt.Sprintf("otn-%s-%s", topic, psid)
	f.mu.Lock()
	f.tokens[tok] = psid
	f.mu.Unlock()
	err := st.PutToken(context.Background(), store.Token{Value: tok, Kind: store.OneTimeKind, Page: testPage, User: psid,
		Topic: topic, IssuedAt: f.now.Add(-time.Hour), ExpiresAt: f.now.AddDate(1, 0, 0), State: store.TokenLive})
	if err != nil {
		panic(err)
	}
	return tok
}

// sentTo counts accepted sends per PSID.
func (f *fakeGraph) sentTo() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := map[string]int{}
	for _, s := range f.sends {
		m[s.PSID]++
	}
	return m
}

func (f *fakeGraph) allSends() []fakeSend {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sends)
}

type wireSend struct {
	Recipient struct {
		ID    string `json:"id"`
		Token string `json:"one_time_notif_token"`
	} `json:"recipient"`
	MessagingType string `json:"messaging_type"`
	Tag           string `json:"tag"`
	Message       struct {
		Text string `json:"text"`
	} `json:"message"`
}

func (f *fakeGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("access_token") != "test-token" {
		writeGraphError(w, &fakeError{status: 400, code: 190})
		return
	}
	body, _ := io.ReadAll(r.Body)
	var items []wireSend
	batch := r.URL.Path == "/v25.0/"
	switch {
	case batch:
		form, _ := url.ParseQuery(string(body))
		var ops []struct {
			Body string `json:"body"`
		}
		if err := json.Unmarshal([]byte(form.Get("batch")), &ops); err != nil {
			http.Error(w, "bad batch", 400)
			return
		}
		for _, op := range ops {
			v, _ := url.ParseQuery(op.Body)
			var ws wireSend
			_ = json.Unmarshal([]byte(v.Get("recipient")), &ws.Recipient)
			_ = json.Unmarshal([]byte(v.Get("message")), &ws.Message)
			ws.MessagingType, ws.Tag = v.Get("messaging_type"), v.Get("tag")
			items = append(items, ws)
		}
	case strings.HasSuffix(r.URL.Path, "/messages"):
		var ws wireSend
		if err := json.Unmarshal(body, &ws); err != nil {
			http.Error(w, "bad json", 400)
			return
		}
		items = append(items, ws)
	default:
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	f.calls++
	n := f.calls
	fault := f.fault
	f.mu.Unlock()
	if fault != nil {
		psids := make([]string, len(items))
		for i, it := range items {
			psids[i] = it.Recipient.ID
		}
		if fe := fault(n, psids); fe != nil {
			writeGraphError(w, fe)
			return
		}
	}
	type answer struct {
		status int
		body   string
	}
	answers := make([]answer, len(items))
	for i, it := range items {
		st, b := f.accept(it)
		answers[i] = answer{st, b}
	}
	if !batch {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(answers[0].status)
		io.WriteString(w, answers[0].body)
		return
	}
	out := make([]map[string]any, len(answers))
	for i, a := range answers {
		out[i] = map[string]any{"code": a.status, "body": a.body}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// accept judges one send as Graph would and records it.
func (f *fakeGraph) accept(ws wireSend) (int, string) {
	f.mu.Lock()
	psid := ws.Recipient.ID
	switch {
	case ws.Recipient.Token != "":
		owner, ok := f.tokens[ws.Recipient.Token]
		if !ok {
			f.mu.Unlock()
			return 400, graphErrorBody(100, 0)
		}
		delete(f.tokens, ws.Recipient.Token)
		psid = owner
	case ws.MessagingType == "UPDATE" || ws.MessagingType == "RESPONSE":
		last, ok := f.windows[psid]
		if !ok {
			f.mu.Unlock()
			return 400, graphErrorBody(100, 2018001)
		}
		if f.now.Sub(last) >= 24*time.Hour {
			f.mu.Unlock()
			return 400, graphErrorBody(10, 2018278)
		}
	}
	f.sends = append(f.sends, fakeSend{PSID: psid, Token: ws.Recipient.Token, Type: ws.MessagingType, Tag: ws.Tag, Text: ws.Message.Text, At: time.Now()})
	n := len(f.sends)
	hook := f.onSend
	f.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	return 200, fmt.Sprintf(`{"recipient_id":%q,"message_id":"m_%d"}`, psid, n)
}

func graphErrorBody(code, subcode int) string {
	return fmt.Sprintf(`{"error":{"message":"(#%d) fake error","type":"OAuthException","code":%d,"error_subcode":%d,"fbtrace_id":"FAKE"}}`, code, code, subcode)
}

func writeGraphError(w http.ResponseWriter, e *fakeError) {
	for k, v := range e.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	status := e.status
	if status == 0 {
		status = 400
	}
	w.WriteHeader(status)
	io.WriteString(w, graphErrorBody(e.code, e.subcode))
}

// throttled is Graph's 613 with a usage header asking for a pause.
func throttled(regainMinutes int) *fakeError {
	return &fakeError{code: 613, subcode: 2534040, header: http.Header{"X-Business-Use-Case-Usage": {
		fmt.Sprintf(`{%q:[{"type":"messenger","call_count":100,"total_cputime":0,"total_time":0,"estimated_time_to_regain_access":%d}]}`, testPage, regainMinutes)}}}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// inProcessClient is a client served by h without a network, so that a
// testing/synctest bubble controls every wait.
func inProcessClient(t testing.TB, h http.Handler, now func() time.Time) *messenger.Client {
	t.Helper()
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if r.Body != nil {
			r.Body.Close()
		}
		return rec.Result(), nil
	})}
	c, err := messenger.New("test-token",
		messenger.WithBaseURL("http://graph.test"),
		messenger.WithPageID(testPage),
		messenger.WithHTTPClient(hc),
		messenger.WithClock(now),
		messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 2, MinWait: 10 * time.Millisecond, MaxWait: 100 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
