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
	"github.com/daemontools-go/daemontools/internal/pathexec"
)

func main() { diag.Main("pgrphack", run) }

// setsid and execve change the process; tests of run replace them.
var (
	setsid              = unix.Setsid
	execve chain.Execve = pathexec.Exec
)

func run(_ io.Reader, _, stderr io.Writer, args []string) error {
	log := diag.Logger{Prog: "pgrphack", W: stderr}
	if len(args) < 2 {
		return log.UsageError("pgrphack child")
	}
	setsid() //nolint:errcheck // 0.76 ignores failure
	return chain.Exec(log, execve, args[1:], os.Environ())
}
