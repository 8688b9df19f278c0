package messengertest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// maxBodyBytes caps a request body: the largest attachment Graph takes (25 MB) plus room
// for the other fields of a multipart upload.
const maxBodyBytes = 26 << 20

// maxAttachmentBytes is Graph's attachment size limit (docs/platform.md, “Message object”).
const maxAttachmentBytes = 25 << 20

// params are the top-level parameters of one Graph call, whatever their encoding:
// a JSON body, form fields whose values are JSON strings (as in Meta's curl samples),
// multipart fields, or the query string. Every value is kept as JSON.
type params struct {
	values   map[string]json.RawMessage
	raw      []byte // the body as received (multipart: without the file content)
	jsonBody bool
	file     *uploadedFile
}

// uploadedFile is the filedata part of a multipart upload.
type uploadedFile struct {
	name        string
	contentType string
	size        int64
}

func (p *params) has(name string) bool {
	_, ok := p.values[name]
	return ok
}

// str returns a parameter that must be a string (a JSON number is accepted too, since
// form fields carry no types); ok is false when the parameter is absent.
func (p *params) str(name string) (string, bool, *graphError) {
	v, ok := p.values[name]
	if !ok {
		return "", false, nil
	}
	s, err := flexString(v)
	if err != nil {
		return "", true, errParam("Param %s must be a string", name)
	}
	return s, true, nil
}

// object decodes a parameter that must be a JSON object into dst.
func (p *params) object(name string, dst any) (bool, *graphError) {
	v, ok := p.values[name]
	if !ok {
		return false, nil
	}
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '"' {
		// A form field whose value is a JSON document arrives as a JSON string here
		// only when it did not parse; say so.
		return true, errParam("Param %s must be a JSON object", name)
	}
	if err := strictUnmarshal(v, dst); err != nil {
		return true, errParam("Param %s must be a JSON object of the documented shape: %s", name, jsonProblem(err))
	}
	return true, nil
}

// wireJSON is the call's parameters as one JSON object: the body itself when it was
// JSON, otherwise the fields re-encoded (keys sorted). Credentials are left out.
func (p *params) wireJSON() json.RawMessage {
	if p.jsonBody {
		return json.RawMessage(p.raw)
	}
	keys := make([]string, 0, len(p.values))
	for k := range p.values {
		if k == "access_token" || k == "appsecret_proof" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(p.values[k])
	}
	b.WriteByte('}')
	return b.Bytes()
}

// readParams decodes the parameters of r. Credentials in the query string are part of
// the result so the token check sees them; a JSON body's own fields win over the query.
func readParams(r *http.Request) (*params, *graphError) {
	p := &params{values: map[string]json.RawMessage{}}
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 {
			p.values[k] = formValue(vs[len(vs)-1])
		}
	}
	if r.Body == nil || r.Method == http.MethodGet {
		return p, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body := http.MaxBytesReader(nil, r.Body, maxBodyBytes)
	switch {
	case ct == "multipart/form-data":
		return p, p.readMultipart(body, ctParams["boundary"])
	case ct == "application/x-www-form-urlencoded":
		raw, err := io.ReadAll(body)
		if err != nil {
			return p, errBodyTooLarge(err)
		}
		p.raw = raw
		form, err := url.ParseQuery(string(raw))
		if err != nil {
			return p, errParam("Request body is not a valid form: %v", err)
		}
		for k, vs := range form {
			if len(vs) > 0 {
				p.values[k] = formValue(vs[len(vs)-1])
			}
		}
		return p, nil
	default:
		raw, err := io.ReadAll(body)
		if err != nil {
			return p, errBodyTooLarge(err)
		}
		p.raw = raw
		if len(bytes.TrimSpace(raw)) == 0 {
			return p, nil
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
			return p, errParam("Request body must be a JSON object (Content-Type %q): %s", r.Header.Get("Content-Type"), jsonProblem(err))
		}
		p.jsonBody = true
		for k, v := range obj {
			p.values[k] = v
		}
		return p, nil
	}
}

func errBodyTooLarge(err error) *graphError {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errf(100, 2018109, "Attachment size exceeds allowable limit (request body over %d bytes)", mbe.Limit)
	}
	return errParam("Cannot read request body: %v", err)
}

func (p *params) readMultipart(body io.Reader, boundary string) *graphError {
	if boundary == "" {
		return errParam("multipart/form-data request without a boundary")
	}
	mr := multipart.NewReader(body, boundary)
	var echo bytes.Buffer
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return errBodyTooLarge(err)
		}
		name := part.FormName()
		if part.FileName() != "" || name == "filedata" {
			n, err := io.Copy(io.Discard, part)
			if err != nil {
				return errBodyTooLarge(err)
			}
			p.file = &uploadedFile{name: part.FileName(), contentType: part.Header.Get("Content-Type"), size: n}
			echo.WriteString(name + "=<file " + part.FileName() + ">\n")
			continue
		}
		v, err := io.ReadAll(part)
		if err != nil {
			return errBodyTooLarge(err)
		}
		p.values[name] = formValue(string(v))
		echo.WriteString(name + "=" + string(v) + "\n")
	}
	p.raw = echo.Bytes()
	return nil
}

// formValue turns a form field into JSON: a field holding a JSON object or array is
// that document (Meta's samples even use single quotes, which Graph tolerates); any
// other value is a JSON string.
func formValue(v string) json.RawMessage {
	t := strings.TrimSpace(v)
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		if json.Valid([]byte(t)) {
			return json.RawMessage(t)
		}
		if q := strings.ReplaceAll(t, "'", `"`); json.Valid([]byte(q)) {
			return json.RawMessage(q)
		}
	}
	b, _ := json.Marshal(v)
	return b
}

// flexString reads a JSON string or number as a string.
func flexString(v json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s, nil
	}
	var n json.Number
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	if err := d.Decode(&n); err != nil {
		return "", err
	}
	return n.String(), nil
}

// idString is a JSON string that also accepts a number: Graph ids are strings, but
// clients often send app ids and PSIDs as numbers.
type idString string

func (s *idString) UnmarshalJSON(b []byte) error {
	v, err := flexString(b)
	if err != nil {
		return errors.New("must be a string or a number")
	}
	*s = idString(v)
	return nil
}

// Graph reads form-style scalars: a parameter sent as the string "true" is the
// boolean true, and "5" is the number 5, whatever the encoding of the call, since
// form fields carry no types and many clients stringify every value. flexBool and
// flexInt take those strings where the platform documents a boolean or an integer;
// any other value is refused, naming the field.

// flexBool is a JSON boolean that also accepts the strings "true" and "false" in
// any case. Other strings, including "1" and "0", are refused.
type flexBool bool

func (b *flexBool) UnmarshalJSON(v []byte) error {
	var x bool
	if err := json.Unmarshal(v, &x); err == nil {
		*b = flexBool(x)
		return nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		switch strings.ToLower(s) {
		case "true":
			*b = true
			return nil
		case "false":
			*b = false
			return nil
		}
	}
	return &json.UnmarshalTypeError{Value: describeJSON(v), Type: reflect.TypeFor[bool]()}
}

// flexInt is a JSON integer that also accepts a string holding one ("5").
type flexInt int

func (n *flexInt) UnmarshalJSON(v []byte) error {
	var x int
	if err := json.Unmarshal(v, &x); err == nil {
		*n = flexInt(x)
		return nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		if x, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			*n = flexInt(x)
			return nil
		}
	}
	return &json.UnmarshalTypeError{Value: describeJSON(v), Type: reflect.TypeFor[int]()}
}

// describeJSON names a JSON value for an error: its kind, and a string's text.
func describeJSON(v []byte) string {
	t := bytes.TrimSpace(v)
	switch {
	case len(t) == 0:
		return "empty value"
	case t[0] == '"':
		if len(t) > 40 {
			return "string"
		}
		return "string " + string(t)
	case t[0] == '{':
		return "object"
	case t[0] == '[':
		return "array"
	case t[0] == 't' || t[0] == 'f':
		return "bool"
	case t[0] == 'n':
		return "null"
	}
	return "number " + string(t)
}

// list reads a parameter holding names: a JSON array, a string holding one, or a
// comma-separated string; ok is false when the parameter is absent.
func (p *params) list(name string) ([]string, bool, *graphError) {
	v, ok := p.values[name]
	if !ok {
		return nil, false, nil
	}
	var out []string
	if json.Unmarshal(v, &out) == nil {
		return out, true, nil
	}
	s, err := flexString(v)
	if err != nil {
		return nil, true, errParam("Param %s must be a list of names, comma separated or a JSON array", name)
	}
	if strings.HasPrefix(strings.TrimSpace(s), "[") {
		if json.Unmarshal([]byte(s), &out) != nil {
			return nil, true, errParam("Param %s must be a list of names, comma separated or a JSON array", name)
		}
		return out, true, nil
	}
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out, true, nil
}

// boolean reads a top-level parameter that is a flexBool; ok is false when absent.
func (p *params) boolean(name string) (value, ok bool, gerr *graphError) {
	v, ok := p.values[name]
	if !ok {
		return false, false, nil
	}
	var b flexBool
	if err := json.Unmarshal(v, &b); err != nil {
		return false, true, errParam("Param %s must be a boolean (true or false); got %s", name, describeJSON(v))
	}
	return bool(b), true, nil
}

// strictUnmarshal decodes v into dst rejecting fields dst does not know, so a
// misspelled field is an error instead of being ignored.
func strictUnmarshal(v []byte, dst any) error {
	d := json.NewDecoder(bytes.NewReader(v))
	d.DisallowUnknownFields()
	if err := d.Decode(dst); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// jsonProblem words a decoding error without echoing the whole input.
func jsonProblem(err error) string {
	if err == nil {
		return "not an object"
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "value"
		}
		return field + " must be " + te.Type.String() + ", not a JSON " + te.Value
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}
