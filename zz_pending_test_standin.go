package messenger

// Temporary stand-ins for the foundation (messenger.go, errors.go) until it lands on
// main. DELETE this file after `git merge main`.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"
)

var (
	ErrInvalidRequest = errors.New("messenger: invalid request")
	ErrAmbiguous      = errors.New("messenger: ambiguous outcome")
)

type ValidationError struct{ Field, Limit, Value, Reason string }

func (e *ValidationError) Error() string {
	return fmt.Sprintf("messenger: invalid request: %s: %s (limit %s, got %s)", e.Field, e.Reason, e.Limit, e.Value)
}
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

type GraphError struct {
	HTTPStatus, Code, Subcode                        int
	Type, Message, UserTitle, UserMessage, FBTraceID string
	Retryable, IsTransient                           bool
	RetryAfter                                       time.Duration
}

func (e *GraphError) Error() string {
	return fmt.Sprintf("graph %d/%d: %s", e.Code, e.Subcode, e.Message)
}

func NewGraphError(status, code, subcode int, typ, msg string) *GraphError {
	return &GraphError{HTTPStatus: status, Code: code, Subcode: subcode, Type: typ, Message: msg}
}

type MultipartField struct{ Name, Value string }
type MultipartBody struct {
	Fields                           []MultipartField
	FileField, FileName, ContentType string
	File                             io.Reader
}

type Client struct {
	base, token, pageID string
	hc                  *http.Client
}

type Option func(*Client)

func WithBaseURL(u string) Option { return func(c *Client) { c.base = u } }
func WithPageID(id string) Option { return func(c *Client) { c.pageID = id } }

func New(token string, opts ...Option) (*Client, error) {
	c := &Client{base: "https://graph.facebook.com", token: token, hc: http.DefaultClient}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

func (c *Client) PageID() string { return c.pageID }
func (c *Client) PagePath(s string) string {
	if c.pageID == "" {
		return "me/" + s
	}
	return c.pageID + "/" + s
}

func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	u := c.base + "/v25.0/" + strings.TrimPrefix(path, "/")
	if strings.Contains(u, "?") {
		u += "&access_token=" + url.QueryEscape(c.token)
	} else {
		u += "?access_token=" + url.QueryEscape(c.token)
	}
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case *MultipartBody:
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		ct = mw.FormDataContentType()
		go func() {
			for _, f := range b.Fields {
				if err := mw.WriteField(f.Name, f.Value); err != nil {
					pw.CloseWithError(err)
					return
				}
			}
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, b.FileField, b.FileName))
			h.Set("Content-Type", b.ContentType)
			w, err := mw.CreatePart(h)
			if err == nil {
				_, err = io.Copy(w, b.File)
			}
			if err == nil {
				err = mw.Close()
			}
			pw.CloseWithError(err)
		}()
		rd = pr
	default:
		bs, err := json.Marshal(b)
		if err != nil {
			return err
		}
		rd, ct = bytes.NewReader(bs), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var env struct {
			Error struct {
				Message   string `json:"message"`
				Type      string `json:"type"`
				Code      int    `json:"code"`
				Subcode   int    `json:"error_subcode"`
				FBTraceID string `json:"fbtrace_id"`
			} `json:"error"`
		}
		_ = json.Unmarshal(data, &env)
		ge := NewGraphError(resp.StatusCode, env.Error.Code, env.Error.Subcode, env.Error.Type, env.Error.Message)
		ge.FBTraceID = env.Error.FBTraceID
		return ge
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}
