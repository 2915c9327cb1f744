// Package superviseproc is the supervise program: the files, descriptors and
// processes around the pure state machine of package supervise.
//
// One goroutine does everything, in 0.76's order (see package supervise for
// the loop). It starts ./run with syscall.ForkExec and learns of the
// service's exit through a pidfd (Linux 5.3+; before that through SIGCHLD),
// and it alone calls wait4, with WNOHANG, in the reap step. The machine
// decides; this package reads the clock, touches the disk and the processes,
// and prints 0.76's messages.
package superviseproc

import (
	"github.com/daemontools-go/daemontools/internal/lean"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/supervise"
)

// NoPidfdVar, set to anything, makes supervise watch its child through
// SIGCHLD as on kernels without pidfds (for tests).
const NoPidfdVar = "DAEMONTOOLS_SUPERVISE_NOPIDFD"

// maxWait caps a wait for input, as 0.76 does (1000 s).
const maxWait = 1000 * time.Second

// gcBudget is how much garbage starts may leave before supervise collects
// it: each start leaves some (ForkExec copies argv and the environment), and
// with GOGC=off nothing else collects it. A collection costs a process this
// small a few hundred kilobytes of GC metadata, so it is put off this long.
const gcBudget = 256 << 10

type supervisor struct {
	dir  string
	log  diag.Logger
	m    *supervise.Machine
	acts []supervise.Action
	w    *waiter

	ctl   int // supervise/control, read end
	pidfd int // the service's pidfd, -1 when none

	usePidfd bool
	argv     []string
	attr     syscall.ProcAttr
	sys      syscall.SysProcAttr
	newPidfd int // ForkExec stores the new child's pidfd here

	startCost int // bytes of garbage one start leaves, about
	garbage   int // left since the last collection, about
}

// Main runs supervise with args (args[0] is the program name) and returns
// its exit code.
func Main(args []string) int {
	log := diag.Logger{Prog: "supervise", W: os.Stderr}
	if len(args) != 2 {
		log.Usage("supervise dir")
		return diag.ExitUsage
	}
	env := prepare(args)
	lean.Quiet()
	defaultSignals()
	s := &supervisor{dir: args[1], log: log, m: supervise.New(), pidfd: -1, argv: []string{"./run"}}
	s.attr = syscall.ProcAttr{Env: env, Files: []uintptr{0, 1, 2}, Sys: &s.sys}
	s.startCost = 256 + 8*len(env)
	for _, kv := range env {
		s.startCost += len(kv) + 9
	}
	_, noPidfd := lean.Lookup(env, NoPidfdVar)
	s.usePidfd = !noPidfd && pidfdWorks()
	if s.usePidfd {
		s.sys.PidFD = &s.newPidfd
	}
	if code := s.setUp(); code != 0 {
		return code
	}
	s.loop()
	return 0
}

// pidfdWorks reports whether the kernel has pidfds.
func pidfdWorks() bool {
	fd, err := unix.PidfdOpen(os.Getpid(), 0)
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
}
