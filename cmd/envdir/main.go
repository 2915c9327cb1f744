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

func main() { os.Exit(run(os.Args, os.Environ(), os.Stderr)) }

func run(args, env []string, stderr io.Writer) int {
	log := diag.Logger{Prog: "envdir", W: stderr}
	if len(args) < 3 {
		return chain.Usage(log, "envdir dir child", diag.ExitTemporary)
	}
	edits, err := envdir.Read(args[1])
	if err != nil {
		var e *envdir.Error
		errors.As(err, &e)
		log.Fatal("unable to ", e.What, diag.Err(e.Err))
		return diag.ExitTemporary
	}
	return chain.Exec(log, args[2:], pathexec.Apply(env, edits))
}
