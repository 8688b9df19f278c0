//go:build !unix

package broadcast

import "os"

// lockFile does nothing where flock is not available: one process at a time is
// then the caller's to ensure.
func lockFile(*os.File) error { return nil }
