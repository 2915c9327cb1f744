// Command fghack is an anti-backgrounding tool: it runs a program and waits
// until the program and every process that inherited one of its 31 copies
// of a pipe's write end (that is, anything it left running in the
// background) have exited or closed them.
//
//	fghack child...
//
// It exits with the program's exit code, or 111 if the program was killed
// by a signal ("child crashed").
package main

import (
	"errors"
	"io"
	"os"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/fghack"
)

func main() { diag.Main("fghack", run) }

func run(_ io.Reader, _, stderr io.Writer, args []string) error {
	log := diag.Logger{Prog: "fghack", W: stderr}
	if len(args) < 2 {
		return log.UsageError("fghack child")
	}
	ws, err := fghack.Run(args[1:], os.Environ())
	if err != nil {
		var e *fghack.Error
		if errors.As(err, &e) {
			return log.Failure(diag.ExitTemporary, e.Msg, diag.Err(e.Err))
		}
		return err
	}
	if ws.Signaled() {
		return log.Failure(diag.ExitTemporary, "child crashed")
	}
	if code := ws.ExitStatus(); code != 0 {
		return diag.Exit(code)
	}
	return nil
}
