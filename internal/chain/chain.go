// Package chain holds what daemontools' chain-loading programs (setuidgid,
// envuidgid, envdir, softlimit, setlock, fghack, pgrphack) share: each
// changes one thing about the process, then replaces itself with the rest
// of its command line, searched along $PATH.
package chain

import (
	"io"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/getopt"
)

// Execve replaces the process with args[0], searched along $PATH as 0.76
// does, given args and env, and returns only on failure: pathexec.Exec.
// Each command holds its Execve in a variable that the tests of its run
// replace with a stand-in, which returns nil for an exec that happened.
type Execve func(args, env []string) error

// Exec is the last step of a chain-loading program: execve(args, env). It
// returns only if the exec failed, with the error that ends the program
// with "PROG: fatal: unable to run CHILD: ERR" and exit code 111 (or nil
// when a test's stand-in says the exec happened).
func Exec(log diag.Logger, execve Execve, args, env []string) error {
	if err := execve(args, env); err != nil {
		return log.Failure(diag.ExitTemporary, "unable to run ", args[0], diag.Err(err))
	}
	return nil
}

// OptionError writes getopt's complaint as sgetopt does: "NAME: TEXT",
// where NAME is argv0 after its last '/'.
func OptionError(w io.Writer, argv0 string, err error) {
	io.WriteString(w, getopt.ProgName(argv0)+": "+err.Error()+"\n") //nolint:errcheck // nowhere to report it
}
