//go:build !amd64

package sigpipe

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// Native reports whether signals are relayed by the package's own handler.
const Native = false

// catch relays sig through os/signal and a goroutine.
func catch(w int, sig syscall.Signal) error {
	ch := make(chan os.Signal, 16)
	signal.Notify(ch, sig)
	go func() {
		for s := range ch {
			if n, ok := s.(syscall.Signal); ok {
				unix.Write(w, []byte{byte(n)}) //nolint:errcheck // a full pipe already wakes the reader
			}
		}
	}()
	return nil
}
