// Command multilog reads a sequence of lines from standard input and
// appends selected lines to any number of automatically rotated logs:
//
//	multilog script...
//
// See docs/multilog.md for the action language; the logic is in
// internal/multilog.
package main

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/daemontools-go/daemontools/internal/lean"
	"github.com/daemontools-go/daemontools/internal/multilog"
)

func main() {
	lean.Quiet()
	syscall.Umask(0o022)
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGALRM)
	os.Exit(multilog.Run(os.Args[1:], multilog.Env{In: 0, Stderr: os.Stderr, Signals: sigs}))
}
