package messenger

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestUploadURL(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"attachment_id":"1857777774821032"}`))
	id, err := c.UploadURL(context.Background(), AttachmentImage, "http://www.messenger-rocks.com/image.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if id != "1857777774821032" {
		t.Errorf("id = %q", id)
	}
	got := calls()[0]
	if got.Method != http.MethodPost || got.Path != "/v25.0/me/message_attachments" || got.ContentType != "application/json" {
		t.Errorf("call = %s %s (%s)", got.Method, got.Path, got.ContentType)
	}
	assertJSON(t, `{"message":{"attachment":{"type":"image","payload":{"url":"http://www.messenger-rocks.com/image.jpg","is_reusable":true}}}}`, got.Body)
}

func TestUploadRefusesBadInputWithoutNetwork(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"attachment_id":"1"}`))
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
		want []string
	}{
		{"template type", func() error { _, err := c.UploadURL(ctx, AttachmentTemplate, "https://e.com/a"); return err },
			[]string{"message.attachment.type"}},
		{"relative url", func() error { _, err := c.UploadURL(ctx, AttachmentFile, "a.pdf"); return err },
			[]string{"message.attachment.payload.url"}},
		{"no name or type", func() error {
			_, err := c.Upload(ctx, UploadFile{Type: AttachmentFile, Body: strings.NewReader("x"), Name: "", ContentType: ""})
			return err
		},
			[]string{"filedata.filename", "filedata.content_type"}},
		{"nil reader", func() error {
			_, err := c.Upload(ctx, UploadFile{Type: AttachmentAudio, Body: nil, Name: "a.mp3", ContentType: "audio/mpeg"})
			return err
		},
			[]string{"filedata"}},
	}
	for _, tc := range tests {
		err := tc.call()
		if !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s: err = %v, want ErrInvalidRequest", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, violationFields(err)); diff != "" {
			t.Errorf("%s: violations (-want +got):\n%s", tc.name, diff)
		}
	}
	if n := len(calls()); n != 0 {
		t.Errorf("%d calls reached Graph", n)
	}
}

// gatedReader yields first, then blocks until gate closes before yielding rest. An
// upload that buffered the whole file before sending would never get past the gate,
// which opens only once the server has read the first bytes of the file part.
type gatedReader struct {
	first, rest []byte
	gate        <-chan struct{}
	ctx         context.Context
}

func (g *gatedReader) Read(p []byte) (int, error) {
	if len(g.first) > 0 {
		n := copy(p, g.first)
		g.first = g.first[n:]
		return n, nil
	}
	if g.gate != nil {
		select {
		case <-g.gate:
		case <-g.ctx.Done():
			return 0, errors.New("upload was buffered: the server never saw the first bytes")
		}
		g.gate = nil
	}
	if len(g.rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.rest)
	g.rest = g.rest[n:]
	return n, nil
}

func TestUploadStreamsMultipart(t *testing.T) {
	t.Parallel()
	first := bytes.Repeat([]byte{0x89}, 4096)
	rest := bytes.Repeat([]byte{0x50}, 256<<10)
	gate := make(chan struct{})
	type part struct{ Name, FileName, ContentType, Body string }
	type seen struct {
		parts   []part
		fileLen int
	}
	got := make(chan seen, 1)
	c, calls := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/form-data" {
			t.Errorf("content type %q: %v", r.Header.Get("Content-Type"), err)
			return
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		var parts []part
		var fileLen int
		defer func() { got <- seen{parts, fileLen} }()
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("next part: %v", err)
				return
			}
			if p.FormName() == "filedata" {
				buf := make([]byte, len(first))
				if _, err := io.ReadFull(p, buf); err != nil {
					t.Errorf("first bytes: %v", err)
					return
				}
				close(gate)
				n, _ := io.Copy(io.Discard, p)
				fileLen = len(buf) + int(n)
				parts = append(parts, part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), ""})
				continue
			}
			b, _ := io.ReadAll(p)
			parts = append(parts, part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(b)})
		}
		io.WriteString(w, `{"attachment_id":"687799999980546"}`)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id, err := c.Upload(ctx, UploadFile{Type: AttachmentImage, Body: &gatedReader{first: first, rest: rest, gate: gate, ctx: ctx}, Name: "photo.png", ContentType: "image/png"})
	if err != nil {
		t.Fatal(err)
	}
	if id != "687799999980546" {
		t.Errorf("id = %q", id)
	}
	want := []part{
		{Name: "message", Body: `{"attachment":{"type":"image","payload":{"is_reusable":true}}}`},
		{Name: "filedata", FileName: "photo.png", ContentType: "image/png"},
	}
	s := <-got
	if diff := cmp.Diff(want, s.parts); diff != "" {
		t.Errorf("parts (-want +got):\n%s", diff)
	}
	if s.fileLen != len(first)+len(rest) {
		t.Errorf("file part has %d bytes, want %d", s.fileLen, len(first)+len(rest))
	}
	if got := calls(); len(got) != 1 || got[0].Path != "/v25.0/me/message_attachments" || got[0].Method != http.MethodPost {
		t.Errorf("calls = %+v", got)
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestUploadStopsPastSizeLimit(t *testing.T) {
	t.Parallel()
	c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"attachment_id":"1"}`)
	})
	ctx := context.Background()
	if _, err := c.Upload(ctx, UploadFile{Type: AttachmentFile, Body: io.LimitReader(zeros{}, MaxUploadBytes), Name: "max.bin", ContentType: "application/octet-stream"}); err != nil {
		t.Fatalf("exactly 25 MB: %v", err)
	}
	_, err := c.Upload(ctx, UploadFile{Type: AttachmentFile, Body: io.LimitReader(zeros{}, MaxUploadBytes+1), Name: "big.bin", ContentType: "application/octet-stream"})
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "filedata" || !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("25 MB + 1 byte: err = %v, want a filedata *ValidationError", err)
	}
}
