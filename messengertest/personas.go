package messengertest

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"
)

// Persona is a persona of the fake Page (docs/platform.md, “Personas”).
type Persona struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	ProfilePictureURL string `json:"profile_picture_url,omitempty"`
}

func (st *state) persona(id string) *persona {
	for _, p := range st.personas {
		if p.id == id {
			return p
		}
	}
	return nil
}

// Personas returns the personas that exist (not deleted), oldest first.
func (s *Server) Personas() []Persona {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.livePersonas()
}

func (s *Server) livePersonas() []Persona {
	var out []Persona
	for _, p := range s.st.personas {
		if !p.deleted {
			out = append(out, Persona{ID: p.id, Name: p.name, ProfilePictureURL: p.pictureURL})
		}
	}
	return out
}

func (s *Server) handleCreatePersona(c *call, r *http.Request) (any, *graphError) {
	name, _, gerr := c.params.str("name")
	if gerr != nil {
		return nil, gerr
	}
	pic, _, gerr := c.params.str("profile_picture_url")
	if gerr != nil {
		return nil, gerr
	}
	if name == "" {
		return nil, errParam("The parameter name is required")
	}
	if n := utf8.RuneCountInString(name); n > maxPersonaName {
		return nil, errParam("Length of param name must be at most %d characters; got %d", maxPersonaName, n)
	}
	if pic != "" {
		if u, err := url.Parse(pic); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errParam("Param profile_picture_url must be an absolute http(s) URL; got %q", pic)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &persona{id: s.st.newNumericID(3000), name: name, pictureURL: pic}
	s.st.personas = append(s.st.personas, p)
	return map[string]string{"id": p.id}, nil
}

type pageOfPersonas struct {
	Data   []Persona `json:"data"`
	Paging *paging   `json:"paging,omitempty"`
}

type paging struct {
	Cursors  cursors `json:"cursors"`
	Next     string  `json:"next,omitempty"`
	Previous string  `json:"previous,omitempty"`
}

type cursors struct {
	Before string `json:"before"`
	After  string `json:"after"`
}

func cursorOf(id string) string { return base64.RawURLEncoding.EncodeToString([]byte(id)) }

// handleListPersonas serves GET /{page}/personas with Graph's cursor paging.
func (s *Server) handleListPersonas(c *call, r *http.Request) (any, *graphError) {
	limit := 25
	if v, ok, _ := c.params.str("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, errParam("Param limit must be a positive integer; got %q", v)
		}
		limit = min(n, 100)
	}
	after, _, _ := c.params.str("after")
	before, _, _ := c.params.str("before")
	s.mu.Lock()
	all := s.livePersonas()
	s.mu.Unlock()
	var start, end int
	find := func(cur string) (int, *graphError) {
		for i, p := range all {
			if cursorOf(p.ID) == cur {
				return i, nil
			}
		}
		return 0, errParam("Param cursor %q is not a valid cursor of this list", cur)
	}
	switch {
	case after != "":
		i, gerr := find(after)
		if gerr != nil {
			return nil, gerr
		}
		start = i + 1
		end = min(start+limit, len(all))
	case before != "":
		i, gerr := find(before)
		if gerr != nil {
			return nil, gerr
		}
		end = i
		start = max(0, end-limit)
	default:
		end = min(limit, len(all))
	}
	out := pageOfPersonas{Data: append([]Persona{}, all[start:end]...)}
	if len(out.Data) == 0 {
		return out, nil
	}
	pg := &paging{Cursors: cursors{Before: cursorOf(out.Data[0].ID), After: cursorOf(out.Data[len(out.Data)-1].ID)}}
	base := s.URL + "/" + c.version + "/" + c.path + "?limit=" + strconv.Itoa(limit)
	if end < len(all) {
		pg.Next = base + "&after=" + pg.Cursors.After
	}
	if start > 0 {
		pg.Previous = base + "&before=" + pg.Cursors.Before
	}
	out.Paging = pg
	return out, nil
}
