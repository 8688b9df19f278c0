//go:build unix

package broadcast

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on f for as long as it is open, so two
// processes cannot resume one broadcast at once (both would claim the same
// recipients). The lock dies with the process: a crash leaves no stale lock.
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return fmt.Errorf("broadcast: journal %s is in use by another process", f.Name())
	}
	if err != nil {
		return fmt.Errorf("broadcast: locking journal %s: %w", f.Name(), err)
	}
	return nil
}
