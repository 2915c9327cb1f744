// Package chain holds what daemontools' chain-loading programs (setuidgid,
// envuidgid, envdir, softlimit, setlock, fghack, pgrphack) share: each
// changes one thing about the process, then replaces itself with the rest
// of its command line, searched along $PATH.
package chain

import (
	"io"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/getopt"
	"github.com/daemontools-go/daemontools/internal/pathexec"
)

// Exec replaces the process with args[0] (PATH search as in 0.76) given
// args and env. It returns only on failure, after writing
// "PROG: fatal: unable to run CHILD: ERR", with exit code 111.
func Exec(log diag.Logger, args, env []string) int {
	err := pathexec.Exec(args, env)
	log.Fatal("unable to run ", args[0], diag.Err(err))
	return diag.ExitTemporary
}

// Usage writes the program's usage line and returns code.
func Usage(log diag.Logger, text string, code int) int {
	log.Usage(text)
	return code
}

// OptionError writes getopt's complaint as sgetopt does: "NAME: TEXT",
// where NAME is argv0 after its last '/'.
func OptionError(w io.Writer, argv0 string, err error) {
	io.WriteString(w, getopt.ProgName(argv0)+": "+err.Error()+"\n") //nolint:errcheck // nowhere to report it
}
