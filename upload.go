package messenger

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
)

// UploadURL has Meta fetch the media at url and save it with the Attachment Upload
// API (POST /{page}/message_attachments, docs/platform.md, “Attachments”), and returns its attachment
// id, to send later with SavedMedia or in a media template. The id works only for
// this Page and expires after 90 days (docs/platform.md, “Attachments”). t is AttachmentImage,
// AttachmentAudio, AttachmentVideo or AttachmentFile; images may be up to 8 MB,
// other types 25 MB.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/attachment-upload-api
func (c *Client) UploadURL(ctx context.Context, t AttachmentType, url string) (string, error) {
	var v validator
	checkUploadType(&v, t)
	v.webURL("message.attachment.payload.url", "", url, false)
	if err := v.err(); err != nil {
		return "", err
	}
	body := struct {
		Message *messageWire `json:"message"`
	}{&messageWire{Attachment: &attachmentWire{Type: t, Payload: &mediaPayload{URL: url, IsReusable: true}}}}
	return c.upload(ctx, body)
}

// UploadFile is one file for [Client.Upload].
type UploadFile struct {
	// Type is AttachmentImage, AttachmentAudio, AttachmentVideo or AttachmentFile.
	Type AttachmentType
	// Body is read once, as the request is written.
	Body io.Reader
	// Name is the file's name; Graph requires one for a streamed upload.
	Name string
	// ContentType is the media's MIME type (e.g. "image/png"); it must agree with
	// Type, or Graph answers 100/2018047.
	ContentType string
}

// Upload streams f.Body to the Attachment Upload API as multipart/form-data
// (docs/platform.md, “Attachments”) and returns its attachment id, valid for this Page for 90 days.
// The file is copied as the request is written, never held in memory whole, so a
// streamed upload is not retried. Files may be up to 25 MB: a longer stream is cut
// off at the limit and the upload fails with a *ValidationError.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/attachment-upload-api
func (c *Client) Upload(ctx context.Context, f UploadFile) (string, error) {
	var v validator
	checkUploadType(&v, f.Type)
	v.required("filedata.filename", "", f.Name, "Graph needs a file name for a streamed upload")
	v.required("filedata.content_type", "", f.ContentType, "Graph rejects a file part without a content type")
	if f.Body == nil {
		v.fail("filedata", "", "a reader", "nil", "nothing to upload")
	}
	if err := v.err(); err != nil {
		return "", err
	}
	msg, err := json.Marshal(messageWire{Attachment: &attachmentWire{Type: f.Type, Payload: &mediaPayload{IsReusable: true}}})
	if err != nil {
		return "", err
	}
	return c.upload(ctx, &MultipartBody{
		Fields:      []MultipartField{{Name: "message", Value: string(msg)}},
		FileField:   "filedata",
		FileName:    f.Name,
		ContentType: f.ContentType,
		File:        &sizeLimit{r: f.Body, left: MaxUploadBytes},
	})
}

// MaxUploadBytes is the largest file the Attachment Upload API takes: 25 MB
// (docs/platform.md, “Message object”, “Limits”).
const MaxUploadBytes = 25 << 20

// sizeLimit fails the upload as soon as the file grows past the platform's limit,
// rather than streaming the rest of a file Graph will refuse (100/2018109).
type sizeLimit struct {
	r    io.Reader
	left int64
}

func (s *sizeLimit) Read(p []byte) (int, error) {
	if s.left < 0 {
		return 0, s.tooLarge()
	}
	if int64(len(p)) > s.left+1 {
		p = p[:s.left+1]
	}
	n, err := s.r.Read(p)
	s.left -= int64(n)
	if s.left < 0 {
		return 0, s.tooLarge()
	}
	return n, err
}

func (s *sizeLimit) tooLarge() error {
	return &ValidationError{Field: "filedata", Limit: "at most 25 MB", Value: "more than 25 MB",
		Reason: "the Attachment Upload API refuses larger files"}
}

func (c *Client) upload(ctx context.Context, body any) (string, error) {
	var out struct {
		AttachmentID string `json:"attachment_id"`
	}
	if err := c.Do(ctx, http.MethodPost, c.PagePath("message_attachments"), body, &out); err != nil {
		return "", err
	}
	return out.AttachmentID, nil
}

func checkUploadType(v *validator, t AttachmentType) {
	v.oneOf("message.attachment.type", "", string(t), string(AttachmentImage), string(AttachmentAudio),
		string(AttachmentVideo), string(AttachmentFile))
}
