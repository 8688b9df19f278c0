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
		{400, 4, 0, false, Transient},
		{400, 4, 2018354, false, Permanent}, // minimum delay between marketing messages
		{400, 17, 0, false, Transient},
		{400, 32, 0, false, Transient},
		{400, 341, 0, false, Transient},
		{400, 368, 0, false, Transient},
		{400, 613, 0, false, Transient},
		{400, 613, 2534040, false, Transient},
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
		{429, 0, 0, false, Transient},
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
