// Package transport carries Graph API calls for the messenger client: retries,
// backoff and the usage headers Graph returns. Nothing outside the module should
// import it.
package transport

import (
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/hashicorp/go-retryablehttp"
	_ "github.com/stretchr/testify/require"
	_ "golang.org/x/time/rate"
)
