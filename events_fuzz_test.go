package messenger

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseEvents holds ParseEvents to its contract on any input: no panic; an error
// exactly when the input is not a JSON object (or null); and every event it returns
// marshals to valid JSON that parses back to the same kind.
func FuzzParseEvents(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "webhooks", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"entry":[{"changes":[{"field":"feed"}]}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := ParseEvents(body)
		valid := json.Valid(body)
		if err != nil {
			if !errors.Is(err, ErrMalformedPayload) {
				t.Fatalf("error %v does not wrap ErrMalformedPayload", err)
			}
			var v any
			if valid && json.Unmarshal(body, &v) == nil {
				if _, isObj := v.(map[string]any); isObj || v == nil {
					t.Fatalf("valid JSON object rejected: %v", err)
				}
			}
			return
		}
		if !valid {
			t.Fatalf("invalid JSON accepted: %q", body)
		}
		for i, ev := range evs {
			b, err := json.Marshal(ev)
			if err != nil {
				t.Fatalf("event %d (%s): marshal: %v", i, ev.Kind(), err)
			}
			back, err := ParseEvent(b)
			if _, unknown := ev.(*UnknownEvent); unknown {
				// Kept as it came, which may not be an item at all (a bare number in an
				// entry, a change without a field); nothing more to hold it to.
				continue
			}
			if err != nil {
				t.Fatalf("event %d (%s): %s does not parse back: %v", i, ev.Kind(), b, err)
			}
			if back.Kind() != ev.Kind() {
				t.Fatalf("event %d: kind %s became %s through %s", i, ev.Kind(), back.Kind(), b)
			}
		}
	})
}
