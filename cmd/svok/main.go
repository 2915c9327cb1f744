// Command svok checks whether supervise is running in a service directory:
// svok dir exits 0 if it is, 100 if not, 111 on trouble. Only the first
// argument is used.
package main

import (
	"io"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/svdir"
)

func main() { diag.Main("svok", run) }

func run(_ io.Reader, _, stderr io.Writer, args []string) error {
	log := diag.Logger{Prog: "svok", W: stderr}
	if len(args) < 2 {
		return log.UsageError("svok dir")
	}
	dir := args[1]
	if err := unix.Chdir(dir); err != nil {
		return log.Failure(diag.ExitTemporary, "unable to chdir to ", dir, diag.Err(err))
	}
	ok, err := svdir.Running(unix.AT_FDCWD)
	if err != nil {
		return log.Failure(diag.ExitTemporary, "unable to open ", dir, "/", layout.OK, diag.Err(err))
	}
	if !ok {
		return diag.Exit(diag.ExitUsage)
	}
	return nil
}
