// Package superviseproc is the supervise program: a host (package host)
// with one unit (package unit), the service directory given as argument.
//
// The process prepares itself as 0.76's supervise expects to be (see
// reexec.go: a clean signal state for the service, a lean runtime), makes
// itself a child subreaper, so that what the service orphans comes back to
// it and can be stopped with it, and runs the host's loop until the unit
// is done (svc -x).
package superviseproc

import (
	"errors"
	"io"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/host"
	"github.com/daemontools-go/daemontools/internal/lean"
	"github.com/daemontools-go/daemontools/internal/reap"
	"github.com/daemontools-go/daemontools/internal/unit"
)

// StrictVar, set to anything, makes a driver bug (an event the machine
// refuses) end supervise with a panic instead of a warning: the tests set
// it.
const StrictVar = "DAEMONTOOLS_STRICT"

// Run is supervise: `supervise dir`.
func Run(_ io.Reader, _, stderr io.Writer, args []string) error {
	log := diag.Logger{Prog: "supervise", W: stderr}
	if len(args) != 2 {
		return log.UsageError("supervise dir")
	}
	dir := args[1]
	env := prepare(args)
	lean.Quiet()
	defaultSignals()
	h, err := host.New()
	if err != nil {
		return log.Failure(diag.ExitTemporary, "unable to create pipe for ", dir, diag.Err(err))
	}
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) //nolint:errcheck // without it orphans go to init, as in 0.76
	_, strict := lean.Lookup(env, StrictVar)
	var u *unit.Unit
	h.Reaper.Orphan = reap.OwnerFunc(func(int, unix.WaitStatus) {
		if u != nil {
			u.OrphanReaped()
		}
	})
	u, err = unit.Open(h, unit.Options{Dir: dir, Log: log, Env: env, Stdin: 0, Stdout: 1, LateLog: true,
		OwnsOrphans: true, Strict: strict, Done: func(*unit.Unit) { h.Stop() }})
	var se *unit.SetupError
	var re *unit.ReadlinkError
	switch {
	case errors.As(err, &re):
		return &diag.ExitError{Code: diag.ExitTemporary, Msg: re.Error()}
	case errors.As(err, &se):
		return log.Failure(diag.ExitTemporary, se.Msg)
	case err != nil:
		return log.Failure(diag.ExitTemporary, dir, diag.Err(err))
	}
	h.Run()
	if u.ShutdownOnExit() { // svscan as PID 1 passes it on as its own
		return diag.Exit(u.Result())
	}
	return nil
}
