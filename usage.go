package messenger

import (
	"net/http"
	"time"

	"github.com/gomessenger/messenger/internal/transport"
)

// Usage is what Graph's usage headers said about rate-limit budgets on one
// response: X-App-Usage, X-Page-Usage and X-Business-Use-Case-Usage. Each
// SendResponse carries the usage of its own response, a *GraphError that of the
// failed one, and WithUsageHook sees every response's.
type Usage struct {
	App      *AppUsage       // X-App-Usage: the app's budget; nil when absent
	Page     *AppUsage       // X-Page-Usage: the Page's budget; nil when absent
	Business []BusinessUsage // X-Business-Use-Case-Usage, one item per object and type
}

// AppUsage is the content of X-App-Usage or X-Page-Usage: percentages of the budget
// spent. Graph throttles at 100.
type AppUsage struct {
	CallCount    int `json:"call_count"`    // calls made, in percent of the allowed calls
	TotalCPUTime int `json:"total_cputime"` // CPU time used, in percent
	TotalTime    int `json:"total_time"`    // total time used, in percent
}

// Max is the highest of the three percentages.
func (u AppUsage) Max() int { return max(u.CallCount, u.TotalCPUTime, u.TotalTime) }

// BusinessUsage is one item of X-Business-Use-Case-Usage.
type BusinessUsage struct {
	ObjectID     string // the business object the budget belongs to, usually the Page id
	Type         string // the use case, such as "messenger" or "pages"
	CallCount    int    // calls made, in percent
	TotalCPUTime int    // CPU time used, in percent
	TotalTime    int    // total time used, in percent
	// EstimatedTimeToRegainAccess is how long Graph says the object stays throttled
	// (the header's minutes, as a Duration); zero when it is not throttled.
	EstimatedTimeToRegainAccess time.Duration
}

// Max is the highest of the three percentages.
func (u BusinessUsage) Max() int { return max(u.CallCount, u.TotalCPUTime, u.TotalTime) }

// Empty reports whether the response carried no usage header.
func (u Usage) Empty() bool { return u.App == nil && u.Page == nil && len(u.Business) == 0 }

// RegainAccessIn is the longest EstimatedTimeToRegainAccess in the usage, zero when
// nothing is throttled.
func (u Usage) RegainAccessIn() time.Duration {
	var d time.Duration
	for _, b := range u.Business {
		d = max(d, b.EstimatedTimeToRegainAccess)
	}
	return d
}

// hasUsage reports whether h carries any usage header. Indexing the map with the
// canonical names skips Header.Get's canonicalisation: most responses have none.
func hasUsage(h http.Header) bool {
	return len(h["X-App-Usage"]) != 0 || len(h["X-Page-Usage"]) != 0 || len(h["X-Business-Use-Case-Usage"]) != 0
}

// parseUsage reads the usage headers of a response; malformed ones are left out.
func parseUsage(h http.Header) Usage {
	if !hasUsage(h) {
		return Usage{}
	}
	t := transport.ParseUsage(h)
	u := Usage{App: appUsage(t.App), Page: appUsage(t.Page)}
	for _, b := range t.Business {
		u.Business = append(u.Business, BusinessUsage{ObjectID: b.ObjectID, Type: b.Type, CallCount: b.CallCount,
			TotalCPUTime: b.TotalCPUTime, TotalTime: b.TotalTime, EstimatedTimeToRegainAccess: b.EstimatedTimeToRegainAccess})
	}
	return u
}

func appUsage(a *transport.AppUsage) *AppUsage {
	if a == nil {
		return nil
	}
	return &AppUsage{CallCount: a.CallCount, TotalCPUTime: a.TotalCPUTime, TotalTime: a.TotalTime}
}

// usageCarrier is implemented by answers that report the usage headers of the
// response they came in (SendResponse); Do fills them in.
type usageCarrier interface {
	setUsage(Usage)
}
