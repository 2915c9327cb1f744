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

func main() { os.Exit(run(os.Args, os.Environ(), os.Stderr)) }

func run(args, env []string, stderr io.Writer) int {
	log := diag.Logger{Prog: "envuidgid", W: stderr}
	if len(args) < 3 {
		return chain.Usage(log, "envuidgid account child", diag.ExitUsage)
	}
	u, err := account.Lookup(account.PasswdFile, args[1])
	if err != nil {
		log.Fatal("unknown account ", args[1])
		return diag.ExitTemporary
	}
	env = pathexec.Apply(env, []pathexec.Edit{
		{Name: "GID", Value: strconv.FormatUint(uint64(u.GID), 10)},
		{Name: "UID", Value: strconv.FormatUint(uint64(u.UID), 10)},
	})
	return chain.Exec(log, args[2:], env)
}
