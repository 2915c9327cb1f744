// Command setuidgid runs a program as another account.
//
//	setuidgid account child...
//
// The account is looked up in /etc/passwd (see package account). The
// supplementary groups become exactly the account's primary group, then
// the gid and the uid are set, every id is read back and checked, and only
// then is child exec'd, searched along $PATH, with the environment and
// working directory unchanged.
package main

import (
	"errors"
	"io"
	"os"
	"runtime"

	"github.com/daemontools-go/daemontools/internal/account"
	"github.com/daemontools-go/daemontools/internal/chain"
	"github.com/daemontools-go/daemontools/internal/creds"
	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/pathexec"
)

// The ids are checked on the thread that execs.
func init() { runtime.LockOSThread() }

func main() { diag.Main("setuidgid", run) }

// execve replaces the process with the child; tests of run replace it.
var execve chain.Execve = pathexec.Exec

func run(_ io.Reader, _, stderr io.Writer, args []string) error {
	log := diag.Logger{Prog: "setuidgid", W: stderr}
	if len(args) < 3 {
		return log.UsageError("setuidgid account child")
	}
	u, err := account.Lookup(account.PasswdFile, args[1])
	if err != nil {
		return log.Failure(diag.ExitTemporary, "unknown account ", args[1])
	}
	if err := creds.Become(u.UID, u.GID); err != nil {
		var e *creds.Error
		if errors.As(err, &e) {
			return log.Failure(diag.ExitTemporary, "unable to ", e.Op, diag.Err(e.Err))
		}
		return err
	}
	return chain.Exec(log, execve, args[2:], os.Environ())
}
