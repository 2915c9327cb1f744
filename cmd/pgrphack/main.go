// Command pgrphack runs a program in a new session and process group.
//
//	pgrphack child...
//
// It calls setsid (ignoring failure, as when it already leads a process
// group) and then execs child, searched along $PATH.
package main

import (
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/chain"
	"github.com/daemontools-go/daemontools/internal/diag"
)

func main() { os.Exit(run(os.Args, os.Environ(), os.Stderr)) }

func run(args, env []string, stderr io.Writer) int {
	log := diag.Logger{Prog: "pgrphack", W: stderr}
	if len(args) < 2 {
		return chain.Usage(log, "pgrphack child", diag.ExitUsage)
	}
	unix.Setsid() //nolint:errcheck // 0.76 ignores failure
	return chain.Exec(log, args[1:], env)
}
