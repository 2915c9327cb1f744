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

	"github.com/daemontools-go/daemontools/internal/chain"
	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/fghack"
)

func main() { os.Exit(run(os.Args, os.Environ(), os.Stderr)) }

func run(args, env []string, stderr io.Writer) int {
	log := diag.Logger{Prog: "fghack", W: stderr}
	if len(args) < 2 {
		return chain.Usage(log, "fghack child", diag.ExitUsage)
	}
	ws, err := fghack.Run(args[1:], env)
	if err != nil {
		var e *fghack.Error
		errors.As(err, &e)
		log.Fatal(e.Msg, diag.Err(e.Err))
		return diag.ExitTemporary
	}
	if ws.Signaled() {
		log.Fatal("child crashed")
		return diag.ExitTemporary
	}
	return ws.ExitStatus()
}
