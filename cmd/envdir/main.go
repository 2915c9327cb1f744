// Command envdir runs a program with environment variables set (or
// removed) by the files of a directory.
//
//	envdir d child...
//
// See package envdir for how files become variables. As in 0.76 a usage
// error exits 111, not 100.
package main

import (
	"errors"
	"io"
	"os"

	"github.com/daemontools-go/daemontools/internal/chain"
	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/envdir"
	"github.com/daemontools-go/daemontools/internal/pathexec"
)

func main() { diag.Main("envdir", run) }

// execve replaces the process with the child; tests of run replace it.
var execve chain.Execve = pathexec.Exec

func run(_ io.Reader, _, stderr io.Writer, args []string) error {
	log := diag.Logger{Prog: "envdir", W: stderr}
	if len(args) < 3 {
		return log.UsageExit(diag.ExitTemporary, "envdir dir child")
	}
	edits, err := envdir.Read(args[1])
	if err != nil {
		var e *envdir.Error
		if errors.As(err, &e) {
			return log.Failure(diag.ExitTemporary, "unable to ", e.What, diag.Err(e.Err))
		}
		return err
	}
	return chain.Exec(log, execve, args[2:], pathexec.Apply(os.Environ(), edits))
}
