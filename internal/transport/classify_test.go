package transport

import (
	"fmt"
	"testing"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status, code, subcode int
		transient             bool
		want                  Class
	}{
		{400, 4, 0, false, Refused},
		{400, 4, 2018354, false, Permanent}, // minimum delay between marketing messages
		{400, 17, 0, false, Refused},
		{400, 32, 0, false, Refused},
		{400, 341, 0, false, Refused},
		{400, 368, 0, false, Refused},
		{400, 613, 0, false, Refused},
		{400, 613, 2534040, false, Refused},
		{400, 80001, 0, false, Refused},       // Pages business-use-case limit
		{400, 80006, 0, false, Refused},       // Messenger business-use-case limit
		{400, 613, 2018338, false, Permanent}, // tag abuse warning
		{400, 613, 1893016, false, Permanent}, // duplicate opt-in request
		{500, 1, 0, false, Transient},
		{500, 1, 1357046, false, Ambiguous},
		{500, 2, 0, false, Transient},
		{500, 1200, 0, false, Transient},
		{400, 10, 2018278, false, Permanent},
		{400, 100, 0, false, Permanent},
		{400, 100, 0, true, Transient}, // is_transient wins for codes without their own rule
		{400, 190, 0, false, Permanent},
		{400, 551, 0, false, Permanent},
		{400, 10900, 0, false, Permanent},
		{429, 0, 0, false, Refused},
		{502, 0, 0, false, Ambiguous}, // a bare 5xx may hide a call that took effect
		{404, 0, 0, false, Permanent},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d_%d_%d", tt.status, tt.code, tt.subcode), func(t *testing.T) {
			if got := Classify(tt.status, tt.code, tt.subcode, tt.transient); got != tt.want {
				t.Errorf("Classify = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestPolicyRetry is the retry table: what each class allows for a call that
// is idempotent (a GET) and for one that is not (a POST), by default and with
// each opt-in.
func TestPolicyRetry(t *testing.T) {
	t.Parallel()
	type row struct{ get, post, postTransient, postAmbiguous bool }
	want := map[Class]row{
		Permanent: {false, false, false, false},
		Refused:   {true, true, true, true},
		Transient: {true, false, true, true},
		Ambiguous: {true, false, false, true},
	}
	for class, w := range want {
		got := row{
			get:           Policy{}.Retry(class, true),
			post:          Policy{}.Retry(class, false),
			postTransient: Policy{RetryTransient: true}.Retry(class, false),
			postAmbiguous: Policy{RetryAmbiguous: true}.Retry(class, false),
		}
		if got != w {
			t.Errorf("%s: retry (get, post, post+transient, post+ambiguous) = %+v, want %+v", class, got, w)
		}
		if mayRun := MayHaveRun(class, false); mayRun != (class == Transient || class == Ambiguous) {
			t.Errorf("%s: MayHaveRun(POST) = %v", class, mayRun)
		}
		if MayHaveRun(class, true) {
			t.Errorf("%s: MayHaveRun(GET) = true, want false: a read has no effect to repeat", class)
		}
	}
}
