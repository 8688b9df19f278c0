package messenger

import (
	"net/http"

	"github.com/gomessenger/messenger/internal/transport"
)

// Usage is what Graph's usage headers said about rate-limit budgets: X-App-Usage,
// X-Page-Usage and X-Business-Use-Case-Usage (whose estimated_time_to_regain_access
// is converted from minutes to a Duration). See Client.LastUsage and WithUsageHook.
type Usage = transport.Usage

// AppUsage is the content of X-App-Usage or X-Page-Usage, in percent of budget.
type AppUsage = transport.AppUsage

// BusinessUsage is one entry of X-Business-Use-Case-Usage.
type BusinessUsage = transport.BusinessUsage

func parseUsage(h http.Header) Usage { return transport.ParseUsage(h) }
