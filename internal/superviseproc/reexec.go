package superviseproc

import (
	"runtime"

	"github.com/daemontools-go/daemontools/internal/lean"
	"golang.org/x/sys/unix"
)

// ReexecVar marks a supervise that starts clean (see package lean): its own
// re-exec, or svscan, put it there.
const ReexecVar = lean.Var

// prepare readies the process. It marks every inherited descriptor from 3
// up close-on-exec, so that the service gets only 0, 1 and 2, and unless
// svscan started it clean, re-executes supervise with an empty signal mask,
// no ignored signal and lean.Supervise (lean.Prepare), so that the
// runtime starts lean and the service starts with an empty signal mask and
// default dispositions. It returns the environment for the service:
// supervise's own minus what was added for it.
func prepare(argv []string) (childEnv []string) {
	lean.CloseInherited()
	env, clean := lean.Prepare(argv, "supervise", lean.Supervise)
	if !clean {
		runtime.GOMAXPROCS(1)
	}
	return env
}

// defaultSignals gives back their default action to the signals Go's
// runtime catches and then ignores (USR1, USR2, ALRM, PIPE, real-time...)
// or turns into a stack dump (QUIT): 0.76's supervise catches only SIGCHLD,
// so any of these ends it, leaving the service running. Signals the runtime
// needs (SIGURG for preemption, SIGCHLD, the synchronous ones) are kept.
func defaultSignals() {
	for _, sig := range []unix.Signal{unix.SIGHUP, unix.SIGINT, unix.SIGQUIT, unix.SIGUSR1, unix.SIGUSR2,
		unix.SIGPIPE, unix.SIGALRM, unix.SIGTERM, unix.SIGXCPU, unix.SIGXFSZ, unix.SIGVTALRM, unix.SIGIO, unix.SIGPWR} {
		lean.SetDefault(int(sig))
	}
	for sig := 35; sig <= 64; sig++ {
		lean.SetDefault(sig)
	}
}
