package messengertest

import (
	"net/http"
	"strings"
)

var success = map[string]bool{"success": true}

// threadUser decodes the recipient of a thread-control call and finds the person;
// the caller holds s.mu.
func (s *Server) threadUser(c *call) (*userState, *graphError) {
	var r wireRecipient
	ok, gerr := c.params.object("recipient", &r)
	if gerr != nil {
		return nil, gerr
	}
	if !ok || r.ID == "" {
		return nil, errParam("The parameter recipient is required: {\"id\":\"<PSID>\"}")
	}
	u, found := s.st.users[string(r.ID)]
	if !found {
		return nil, errNoUser()
	}
	return u, nil
}

func (s *Server) handlePassThread(c *call, r *http.Request) (any, *graphError) {
	target, _, gerr := c.params.str("target_app_id")
	if gerr != nil {
		return nil, gerr
	}
	if target == "" {
		return nil, errParam("The parameter target_app_id is required when the primary receiver passes thread control")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, gerr := s.threadUser(c)
	if gerr != nil {
		return nil, gerr
	}
	if u.owner != "" && u.owner != s.cfg.appID {
		return nil, errThreadOwned()
	}
	known := false
	var ids []string
	for _, a := range s.cfg.secondary {
		ids = append(ids, a.ID)
		known = known || a.ID == target
	}
	if !known {
		return nil, errParam("Param target_app_id %q is not a secondary receiver of this Page (%s)", target, strings.Join(ids, ", "))
	}
	u.owner = target
	return success, nil
}

func (s *Server) handleTakeThread(c *call, r *http.Request) (any, *graphError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, gerr := s.threadUser(c)
	if gerr != nil {
		return nil, gerr
	}
	u.owner = s.cfg.appID // the fake's app is the Page's primary receiver
	return success, nil
}

func (s *Server) handleRequestThread(c *call, r *http.Request) (any, *graphError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, gerr := s.threadUser(c)
	if gerr != nil {
		return nil, gerr
	}
	if u.owner == s.cfg.appID {
		return nil, errParam("This app already controls the thread of %s; request_thread_control is for a thread another app controls", u.psid)
	}
	return success, nil
}

func (s *Server) handleReleaseThread(c *call, r *http.Request) (any, *graphError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, gerr := s.threadUser(c)
	if gerr != nil {
		return nil, gerr
	}
	if u.owner != s.cfg.appID {
		return nil, errThreadOwned()
	}
	u.owner = "" // idle
	return success, nil
}

type threadOwnerData struct {
	ThreadOwner struct {
		AppID string `json:"app_id"`
	} `json:"thread_owner"`
}

func (s *Server) handleThreadOwner(c *call, r *http.Request) (any, *graphError) {
	psid, _, gerr := c.params.str("recipient")
	if gerr != nil {
		return nil, gerr
	}
	if psid == "" {
		return nil, errParam("The parameter recipient is required: the PSID whose thread owner to get")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.st.users[psid]
	if !ok {
		return nil, errNoUser()
	}
	out := struct {
		Data []threadOwnerData `json:"data"`
	}{Data: []threadOwnerData{}}
	if u.owner != "" {
		var d threadOwnerData
		d.ThreadOwner.AppID = u.owner
		out.Data = append(out.Data, d)
	}
	return out, nil
}

func (s *Server) handleSecondaryReceivers(c *call, r *http.Request) (any, *graphError) {
	return struct {
		Data []App `json:"data"`
	}{Data: append([]App{}, s.cfg.secondary...)}, nil
}

// ThreadOwner returns the app id that controls the thread with psid ("" when idle).
func (s *Server) ThreadOwner(psid string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.user(psid, s.cfg.appID).owner
}
