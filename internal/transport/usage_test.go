package transport

import (
	"net/http"
	"testing"
	"time"
)

func TestParseUsageIgnoresMalformedHeaders(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set("X-App-Usage", "{not json")
	h.Set("X-Business-Use-Case-Usage", `{"9":[{"type":"pages","call_count":"x"}]}`)
	if u := ParseUsage(h); u.App != nil || u.Page != nil || len(u.Business) != 0 {
		t.Fatalf("malformed headers must be ignored, got %+v", u)
	}
	h.Set("X-Page-Usage", `{"call_count":5,"total_cputime":7,"total_time":1}`)
	h.Set("X-Business-Use-Case-Usage", `{"9":[{"type":"pages","call_count":1,"estimated_time_to_regain_access":0.5}]}`)
	u := ParseUsage(h)
	if u.Page == nil || *u.Page != (AppUsage{CallCount: 5, TotalCPUTime: 7, TotalTime: 1}) {
		t.Fatalf("page usage = %+v", u.Page)
	}
	if got := u.RegainAccessIn(); got != 30*time.Second {
		t.Fatalf("RegainAccessIn = %s, want 30s", got)
	}
}
