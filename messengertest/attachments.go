package messengertest

import "net/http"

// handleUpload serves POST /{page}/message_attachments: a media attachment from a URL
// (JSON) or a file (multipart filedata), saved for reuse (docs/platform.md, “Attachments”).
func (s *Server) handleUpload(c *call, r *http.Request) (any, *graphError) {
	p := c.params
	var m wireMessage
	ok, gerr := p.object("message", &m)
	if gerr != nil {
		return nil, gerr
	}
	if !ok {
		return nil, errParam("The parameter message is required: {\"attachment\":{\"type\":...,\"payload\":{...}}}")
	}
	if m.Attachment == nil || m.Text != nil || m.Attachments != nil || m.QuickReplies != nil || m.Metadata != nil {
		return nil, errParam("Param message must hold only attachment when uploading")
	}
	a := *m.Attachment
	if !mediaTypes[a.Type] {
		return nil, errParam("Param message[attachment][type] must be image, audio, video or file for an upload; got %q", a.Type)
	}
	req := &sendRequest{file: p.file}
	if gerr := req.checkMedia(a, "message[attachment]"); gerr != nil {
		return nil, gerr
	}
	if len(req.attachmentIDs) > 0 {
		return nil, errParam("Param message[attachment][payload] needs url or a filedata part to upload, not attachment_id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.st.newNumericID(1857)
	s.st.attachments[id] = true
	return map[string]string{"attachment_id": id}, nil
}

// SaveAttachment registers an attachment id as saved by the Page, as if uploaded,
// and returns it; sends may then reuse it.
func (s *Server) SaveAttachment() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.st.newNumericID(1857)
	s.st.attachments[id] = true
	return id
}
