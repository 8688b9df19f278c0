package transport

import (
	"encoding/json"
	"net/http"
	"time"
)

// AppUsage is the content of the X-App-Usage and X-Page-Usage headers: percentages
// of the budget spent, throttled at 100.
type AppUsage struct {
	CallCount    int `json:"call_count"`
	TotalCPUTime int `json:"total_cputime"`
	TotalTime    int `json:"total_time"`
}

// BusinessUsage is one item of the X-Business-Use-Case-Usage header.
type BusinessUsage struct {
	// ObjectID is the business object the budget belongs to, usually the Page id.
	ObjectID     string `json:"-"`
	Type         string `json:"type"`
	CallCount    int    `json:"call_count"`
	TotalCPUTime int    `json:"total_cputime"`
	TotalTime    int    `json:"total_time"`
	// EstimatedTimeToRegainAccess is how long Graph says the object stays throttled.
	// The header carries minutes.
	EstimatedTimeToRegainAccess time.Duration `json:"-"`
}

// Usage is what Graph said about rate-limit budgets on one response. The root
// package turns it into its exported messenger.Usage.
type Usage struct {
	App      *AppUsage       // X-App-Usage, nil when absent
	Page     *AppUsage       // X-Page-Usage, nil when absent
	Business []BusinessUsage // X-Business-Use-Case-Usage, flattened
}

// RegainAccessIn is the longest estimated_time_to_regain_access in the usage, zero
// when none is throttled.
func (u Usage) RegainAccessIn() time.Duration {
	var d time.Duration
	for _, b := range u.Business {
		d = max(d, b.EstimatedTimeToRegainAccess)
	}
	return d
}

// ParseUsage reads the usage headers of a Graph response. Malformed headers are
// ignored: they are hints, and a bad hint must not fail a call that succeeded.
func ParseUsage(h http.Header) Usage {
	var u Usage
	if v := h.Get("X-App-Usage"); v != "" {
		var a AppUsage
		if json.Unmarshal([]byte(v), &a) == nil {
			u.App = &a
		}
	}
	if v := h.Get("X-Page-Usage"); v != "" {
		var a AppUsage
		if json.Unmarshal([]byte(v), &a) == nil {
			u.Page = &a
		}
	}
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var raw map[string][]struct {
			BusinessUsage
			Regain json.Number `json:"estimated_time_to_regain_access"`
		}
		if json.Unmarshal([]byte(v), &raw) == nil {
			for id, items := range raw {
				for _, it := range items {
					b := it.BusinessUsage
					b.ObjectID = id
					if m, err := it.Regain.Float64(); err == nil && m > 0 {
						b.EstimatedTimeToRegainAccess = time.Duration(m * float64(time.Minute))
					}
					u.Business = append(u.Business, b)
				}
			}
		}
	}
	return u
}
