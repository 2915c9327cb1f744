// Command envuidgid runs a program with $UID and $GID set to an account's
// uid and gid, without changing its own ids.
//
//	envuidgid account child...
//
// The account is looked up in /etc/passwd (see package account).
package main

import (
	"io"
	"os"
	"strconv"

	"github.com/daemontools-go/daemontools/internal/account"
	"github.com/daemontools-go/daemontools/internal/chain"
	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/pathexec"
)

func main() { diag.Main("envuidgid", run) }

// execve replaces the process with the child; tests of run replace it.
var execve chain.Execve = pathexec.Exec

func run(_ io.Reader, _, stderr io.Writer, args []string) error {
	log := diag.Logger{Prog: "envuidgid", W: stderr}
	if len(args) < 3 {
		return log.UsageError("envuidgid account child")
	}
	u, err := account.Lookup(account.PasswdFile, args[1])
	if err != nil {
		return log.Failure(diag.ExitTemporary, "unknown account ", args[1])
	}
	env := pathexec.Apply(os.Environ(), []pathexec.Edit{
		{Name: "GID", Value: strconv.FormatUint(uint64(u.GID), 10)},
		{Name: "UID", Value: strconv.FormatUint(uint64(u.UID), 10)},
	})
	return chain.Exec(log, execve, args[2:], env)
}
