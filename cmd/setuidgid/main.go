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
)

// The ids are checked on the thread that execs.
func init() { runtime.LockOSThread() }

func main() { os.Exit(run(os.Args, os.Environ(), os.Stderr)) }

func run(args, env []string, stderr io.Writer) int {
	log := diag.Logger{Prog: "setuidgid", W: stderr}
	if len(args) < 3 {
		return chain.Usage(log, "setuidgid account child", diag.ExitUsage)
	}
	u, err := account.Lookup(account.PasswdFile, args[1])
	if err != nil {
		log.Fatal("unknown account ", args[1])
		return diag.ExitTemporary
	}
	if err := creds.Become(u.UID, u.GID); err != nil {
		var e *creds.Error
		errors.As(err, &e)
		log.Fatal("unable to ", e.Op, diag.Err(e.Err))
		return diag.ExitTemporary
	}
	return chain.Exec(log, args[2:], env)
}
