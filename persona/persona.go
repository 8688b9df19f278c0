package persona

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/gomessenger/messenger"
)

// MaxNameLen is the longest persona name the platform accepts, in characters
// (docs/platform.md, “Personas”).
const MaxNameLen = 50

// DefaultPageSize is how many personas List asks Graph for per page.
const DefaultPageSize = 25

const fields = "id,name,profile_picture_url"

// Persona is an identity a Page can send as: the name and picture shown on its
// messages (the Page's name stays in the thread header).
type Persona struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	ProfilePictureURL string `json:"profile_picture_url"`
}

// Client calls the Personas API of one Page and caches personas by name for
// [Client.Ensure]. It is safe for concurrent use.
type Client struct {
	c        *messenger.Client
	pageSize int

	mu      sync.Mutex
	byName  map[string]Persona
	loaded  bool               // byName holds every persona Graph listed
	loading *flight            // the List in progress that fills byName
	flights map[string]*flight // Ensure calls in progress, by name
}

// flight is one piece of work several callers wait for.
type flight struct {
	done chan struct{}
	p    Persona
	err  error
}

// Option configures a [Client]. Options check their argument: New fails with an
// error naming the option instead of building a client that misbehaves later.
type Option func(*Client) error

// WithPageSize sets how many personas List asks for per request (Graph's limit
// parameter); it must be at least 1. Without it List asks for [DefaultPageSize].
func WithPageSize(n int) Option {
	return func(p *Client) error {
		if n < 1 {
			return fmt.Errorf("persona: WithPageSize: size must be at least 1, got %d", n)
		}
		p.pageSize = n
		return nil
	}
}

// New returns a Client for the Page c acts as, or the error of the first option that
// rejected its argument. It never touches the network.
func New(c *messenger.Client, opts ...Option) (*Client, error) {
	if c == nil {
		return nil, errors.New("persona: New: client must not be nil")
	}
	p := &Client{c: c, pageSize: DefaultPageSize, byName: map[string]Persona{}, flights: map[string]*flight{}}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("persona: New: nil Option")
		}
		if err := o(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Create makes a persona named name (1 to [MaxNameLen] characters) with the picture
// at pictureURL (an absolute http or https URL; Meta downloads it, up to 8 MB).
// Both are checked before the network. Graph allows several personas with one name;
// [Client.Ensure] avoids that.
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/send-messages/personas
func (p *Client) Create(ctx context.Context, name, pictureURL string) (Persona, error) {
	if err := validate(name, pictureURL); err != nil {
		return Persona{}, err
	}
	per, err := p.create(ctx, name, pictureURL)
	if err != nil {
		return Persona{}, err
	}
	p.mu.Lock()
	if _, ok := p.byName[name]; !ok {
		p.byName[name] = per
	}
	p.mu.Unlock()
	return per, nil
}

func (p *Client) create(ctx context.Context, name, pictureURL string) (Persona, error) {
	var out struct {
		ID string `json:"id"`
	}
	body := struct {
		Name              string `json:"name"`
		ProfilePictureURL string `json:"profile_picture_url"`
	}{name, pictureURL}
	if err := p.c.Do(ctx, http.MethodPost, p.c.PagePath("personas"), body, &out); err != nil {
		return Persona{}, fmt.Errorf("persona: create %q: %w", name, err)
	}
	if out.ID == "" {
		return Persona{}, fmt.Errorf("persona: create %q: Graph answered without an id", name)
	}
	return Persona{ID: out.ID, Name: name, ProfilePictureURL: pictureURL}, nil
}

// Get reads one persona by id.
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/send-messages/personas
func (p *Client) Get(ctx context.Context, id string) (Persona, error) {
	if err := validateID(id); err != nil {
		return Persona{}, err
	}
	var out Persona
	if err := p.c.Do(ctx, http.MethodGet, url.PathEscape(id)+"?fields="+fields, nil, &out); err != nil {
		return Persona{}, fmt.Errorf("persona: get %s: %w", id, err)
	}
	return out, nil
}

// List iterates over every persona of the Page, asking Graph page by page: it
// requests the next page with paging.cursors.after for as long as the answer has a
// paging.next link, which Graph leaves out on the last page (it may send a cursor
// there all the same, and an empty page that still has a next link). An error ends
// the iteration after being yielded once. Breaking out of the loop stops further
// requests.
//
//	for per, err := range personas.List(ctx) {
//		if err != nil { … }
//	}
//
// Graph API docs: https://developers.facebook.com/docs/graph-api/reference/page/personas/
func (p *Client) List(ctx context.Context) iter.Seq2[Persona, error] {
	return func(yield func(Persona, error) bool) {
		after := ""
		for {
			q := url.Values{"fields": {fields}, "limit": {strconv.Itoa(p.pageSize)}}
			if after != "" {
				q.Set("after", after)
			}
			var page struct {
				Data   []Persona `json:"data"`
				Paging struct {
					Cursors struct {
						After string `json:"after"`
					} `json:"cursors"`
					Next string `json:"next"`
				} `json:"paging"`
			}
			if err := p.c.Do(ctx, http.MethodGet, p.c.PagePath("personas")+"?"+q.Encode(), nil, &page); err != nil {
				yield(Persona{}, fmt.Errorf("persona: list: %w", err))
				return
			}
			for _, per := range page.Data {
				if !yield(per, nil) {
					return
				}
			}
			next := page.Paging.Cursors.After
			if page.Paging.Next == "" || next == "" || next == after {
				return
			}
			after = next
		}
	}
}

// Delete removes a persona. Messages it sent stay; it cannot send new ones
// (docs/platform.md, “Personas”). It also leaves the cache.
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/send-messages/personas
func (p *Client) Delete(ctx context.Context, id string) error {
	if err := validateID(id); err != nil {
		return err
	}
	var out struct {
		Success bool `json:"success"`
	}
	if err := p.c.Do(ctx, http.MethodDelete, url.PathEscape(id), nil, &out); err != nil {
		return fmt.Errorf("persona: delete %s: %w", id, err)
	}
	if !out.Success {
		return fmt.Errorf("persona: delete %s: Graph did not confirm", id)
	}
	p.mu.Lock()
	for name, per := range p.byName {
		if per.ID == id {
			delete(p.byName, name)
		}
	}
	p.mu.Unlock()
	return nil
}

func validate(name, pictureURL string) error {
	if name == "" {
		return &messenger.ValidationError{Field: "name", Limit: "1 to " + strconv.Itoa(MaxNameLen) + " characters", Value: `""`}
	}
	if n := utf8.RuneCountInString(name); n > MaxNameLen {
		return &messenger.ValidationError{Field: "name", Limit: "at most " + strconv.Itoa(MaxNameLen) + " characters",
			Value: fmt.Sprintf("%q (%d characters)", name, n)}
	}
	u, err := url.Parse(pictureURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return &messenger.ValidationError{Field: "profile_picture_url", Limit: "an absolute http or https URL", Value: strconv.Quote(pictureURL)}
	}
	return nil
}

func validateID(id string) error {
	if id == "" {
		return &messenger.ValidationError{Field: "id", Limit: "a persona id", Value: `""`}
	}
	return nil
}
