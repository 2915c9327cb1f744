// Command multilog reads a sequence of lines from standard input and
// appends selected lines to any number of automatically rotated logs:
//
//	multilog script...
//
// See docs/multilog.md for the action language; the logic is in
// internal/multilog.
package main

import (
	"errors"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/lean"
	"github.com/daemontools-go/daemontools/internal/multilog"
)

func main() {
	lean.Quiet()
	diag.Main("multilog", run)
}

// run reads stdin, which must be a file (a pipe, as a rule): multilog
// reads its descriptor with raw system calls.
func run(stdin io.Reader, _, stderr io.Writer, args []string) error {
	in, ok := diag.Fd(stdin)
	if !ok {
		return errors.New("standard input is not a file")
	}
	syscall.Umask(0o022)
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGALRM)
	defer signal.Stop(sigs)
	if code := multilog.Run(args[1:], multilog.Env{In: in, Stderr: stderr, Signals: sigs}); code != 0 {
		return diag.Exit(code)
	}
	return nil
}
