package messenger

import (
	"time"

	"github.com/gomessenger/messenger/internal/jsonread"
)

// ErrMalformedPayload is returned by [ParseEvents] and [ParseEvent] when the input is not
// valid JSON. Valid JSON never fails: fields of unexpected types are left zero (the raw
// JSON keeps them) and items of unknown kinds become [UnknownEvent].
var ErrMalformedPayload = jsonread.ErrMalformed

// jsonReader is the shared JSON reader (internal/jsonread) with this package's
// decoders of webhook events and Graph answers as methods.
type jsonReader struct{ jsonread.Reader }

func newJSONReader(s string) jsonReader { return jsonReader{jsonread.New(s)} }

// party reads {"id": …, "user_ref": …, "name": …}.
func (r *jsonReader) party() Party {
	var p Party
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "id":
			p.ID = r.Str()
		case "user_ref":
			p.UserRef = r.Str()
		case "name":
			p.Name = r.Str()
		default:
			r.Skip()
		}
	}
	return p
}

// millis converts epoch milliseconds to a UTC time; 0 is the zero time.
func millis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// seconds converts epoch seconds to a UTC time; 0 is the zero time.
func seconds(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// toMillis is the inverse of millis (zero time → 0, which omitempty drops).
func toMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func toSeconds(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
