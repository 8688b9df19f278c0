package messengertest

import (
	"net/http"
	"strings"
)

// userFields are the user profile fields the fake answers (Meta's User Profile API).
var userFields = []string{"id", "name", "first_name", "last_name", "profile_pic", "locale", "timezone", "gender"}

// defaultProfileFields are answered when a profile call names no fields
// (WithProfileDefaultFields changes them).
var defaultProfileFields = []string{"name", "first_name", "last_name", "profile_pic"}

// handleGetObject serves GET /{id}: the Page, a persona or a user profile.
func (s *Server) handleGetObject(c *call, r *http.Request) (any, *graphError) {
	id := c.path
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == "me" || id == s.cfg.pageID {
		return map[string]string{"id": s.cfg.pageID, "name": s.cfg.pageName}, nil
	}
	if p := s.st.persona(id); p != nil && !p.deleted {
		return Persona{ID: p.id, Name: p.name, ProfilePictureURL: p.pictureURL}, nil
	}
	u, ok := s.st.users[id]
	if !ok {
		return nil, errUnsupported("get", id)
	}
	fields := s.cfg.profileFields
	if v, ok, _ := c.params.str("fields"); ok && v != "" {
		fields = strings.Split(v, ",")
	}
	out := map[string]any{}
	for _, f := range fields {
		f = strings.TrimSpace(f)
		switch f {
		case "id":
			out["id"] = u.psid
		case "name":
			out["name"] = strings.TrimSpace(u.firstName + " " + u.lastName)
		case "first_name":
			out["first_name"] = u.firstName
		case "last_name":
			out["last_name"] = u.lastName
		case "profile_pic":
			out["profile_pic"] = "https://platform-lookaside.fbsbx.com/platform/profilepic/?psid=" + u.psid
		case "locale":
			out["locale"] = "en_US"
		case "timezone":
			out["timezone"] = 0
		case "gender":
			out["gender"] = "unknown"
		default:
			return nil, errParam("Tried accessing nonexisting field (%s) on node type (User); fields are %s", f, strings.Join(userFields, ", "))
		}
	}
	out["id"] = u.psid
	return out, nil
}

// handleDeleteObject serves DELETE /{id}: personas are the only deletable objects.
func (s *Server) handleDeleteObject(c *call, r *http.Request) (any, *graphError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.persona(c.path)
	if p == nil || p.deleted {
		return nil, errUnsupported("delete", c.path)
	}
	p.deleted = true
	return success, nil
}
