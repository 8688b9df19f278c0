package persona

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gomessenger/messenger"
)

// fakePersonas is the Personas API of one Page (docs/platform.md, “Personas”) under /v25.0/, with
// cursor paging, plus a Send API that records bodies.
type fakePersonas struct {
	t        *testing.T
	srv      *httptest.Server
	creates  atomic.Int64
	lists    atomic.Int64
	mu       sync.Mutex
	personas []Persona
	nextID   int
	sends    []map[string]any
	queries  []string // raw query of every list call
}

func newFakePersonas(t *testing.T, existing ...string) *fakePersonas {
	t.Helper()
	f := &fakePersonas{t: t, nextID: 1000}
	for _, name := range existing {
		f.add(name, "https://example.com/"+name+".jpg")
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakePersonas) add(name, pic string) Persona {
	f.nextID++
	p := Persona{ID: strconv.Itoa(f.nextID), Name: name, ProfilePictureURL: pic}
	f.personas = append(f.personas, p)
	return p
}

func (f *fakePersonas) client(t *testing.T) *messenger.Client {
	t.Helper()
	c, err := messenger.New("page-token", messenger.WithBaseURL(f.srv.URL), messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newClient is a persona Client on the fake's messenger client.
func (f *fakePersonas) newClient(t *testing.T, opts ...Option) *Client {
	t.Helper()
	p, err := New(f.client(t), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func graphError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": "OAuthException", "code": code}})
}

func (f *fakePersonas) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("access_token") != "page-token" {
		graphError(w, 400, 190, "Invalid OAuth access token")
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/v25.0/")
	if !ok {
		graphError(w, 404, 100, "no version in path")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && path == "me/personas":
		var body struct {
			Name              string `json:"name"`
			ProfilePictureURL string `json:"profile_picture_url"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Name == "" || body.ProfilePictureURL == "" {
			graphError(w, 400, 100, "name and profile_picture_url required")
			return
		}
		f.creates.Add(1)
		writeJSON(w, 200, map[string]string{"id": f.add(body.Name, body.ProfilePictureURL).ID})
	case r.Method == http.MethodGet && path == "me/personas":
		f.lists.Add(1)
		f.queries = append(f.queries, r.URL.RawQuery)
		q := r.URL.Query()
		if q.Get("fields") != fields {
			graphError(w, 400, 100, "fields: "+q.Get("fields"))
			return
		}
		limit, _ := strconv.Atoi(q.Get("limit"))
		start := 0
		if a := q.Get("after"); a != "" {
			start, _ = strconv.Atoi(strings.TrimPrefix(a, "cursor-"))
		}
		end := min(start+limit, len(f.personas))
		page := map[string]any{"data": append([]Persona{}, f.personas[start:end]...)}
		if end > start {
			cursors := map[string]string{"before": fmt.Sprintf("cursor-%d", start), "after": fmt.Sprintf("cursor-%d", end)}
			paging := map[string]any{"cursors": cursors}
			if end < len(f.personas) {
				paging["next"] = f.srv.URL + r.URL.Path + "?after=" + cursors["after"]
			}
			page["paging"] = paging
		}
		writeJSON(w, 200, page)
	case r.Method == http.MethodPost && path == "me/messages":
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		f.sends = append(f.sends, body)
		writeJSON(w, 200, map[string]string{"recipient_id": "PSID_1", "message_id": "m_1"})
	case r.Method == http.MethodGet || r.Method == http.MethodDelete:
		for i, p := range f.personas {
			if p.ID != path {
				continue
			}
			if r.Method == http.MethodGet {
				writeJSON(w, 200, p)
			} else {
				f.personas = append(f.personas[:i], f.personas[i+1:]...)
				writeJSON(w, 200, map[string]bool{"success": true})
			}
			return
		}
		graphError(w, 400, 100, "Unsupported get request. Object with ID '"+path+"' does not exist")
	default:
		graphError(w, 400, 100, "unexpected "+r.Method+" "+path)
	}
	io.Copy(io.Discard, r.Body)
}
