package svscan

import (
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/host"
	"github.com/daemontools-go/daemontools/internal/lean"
	"github.com/daemontools-go/daemontools/internal/pathexec"
	"github.com/daemontools-go/daemontools/internal/reap"
)

// Interval is the wait between two scans.
const Interval = 5 * time.Second

// IntervalEnv names a variable for tests only: a Go duration ("200ms")
// that replaces the 5-second wait so that tests do not spend their time
// waiting for scans. It is not meant for production: 0.76 has no such
// setting and services should not depend on it.
const IntervalEnv = "SVSCAN_TEST_INTERVAL"

// NoInotifyEnv, set to anything, makes svscan scan only on its timer, as
// where inotify is unavailable (for tests of 0.76's pickup).
const NoInotifyEnv = "SVSCAN_TEST_NOINOTIFY"

// ScanInterval is Interval, or the test-only override in env.
func ScanInterval(env []string) time.Duration {
	if v, ok := pathexec.Getenv(env, IntervalEnv); ok {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
	}
	return Interval
}

// Options are svscan's arguments.
type Options struct {
	Dir          string // the scanned directory; "" for the working directory
	Consolidated bool   // -C: svscan supervises every service itself (and behaves as with -P)
	PID1         bool   // -P, or svscan is process 1: reap everything, stop in order on TERM
}

// ParseArgs reads `svscan [-C] [-P] [dir]`. 0.76's svscan takes any first
// argument as the directory; only the exact words -C, -P, -CP and -PC are
// options here, so a directory of any other name still works as before.
func ParseArgs(args []string) Options {
	var o Options
	for len(args) > 0 {
		switch args[0] {
		case "-C":
			o.Consolidated = true
		case "-P":
			o.PID1 = true
		case "-CP", "-PC":
			o.Consolidated, o.PID1 = true, true
		default:
			o.Dir = args[0]
			return o
		}
		args = args[1:]
	}
	return o
}

// Run is svscan: `svscan [-C] [-P] [dir]`. It returns only on a fatal
// error, or after the ordered stop of svscan as PID 1.
//
// Descriptor limit: the Go runtime raises the soft RLIMIT_NOFILE to the
// hard limit (minus one) at start-up and syscall.ForkExec restores the
// original soft limit in children, which is what svscan wants: it may hold
// two descriptors per logged service (and five more per service and log
// with -C), while supervise and the services keep the limit they would
// have had under 0.76. svscan relies on that and never calls setrlimit
// itself (which would hand the raised limit down).
func Run(_ io.Reader, _, stderr io.Writer, args []string) error {
	log := diag.Logger{Prog: "svscan", W: stderr}
	args, title := cutTitle(args)
	o := ParseArgs(args[1:])
	// svscan -C is the supervisor of every service: TERM stops them in
	// order rather than leave them without one, as -P's does.
	o.PID1 = o.PID1 || o.Consolidated
	tuning := []string{"GOMAXPROCS=1"}
	if o.Consolidated {
		// Like supervise, whose work it does: GC off, collected by budget.
		tuning = lean.Supervise
		if title == nil {
			args = append(args[:len(args):len(args)], titlePad)
		}
	}
	env, clean := lean.Prepare(args, "svscan", tuning)
	runtime.GOMAXPROCS(1)
	lean.Quiet()
	o.PID1 = o.PID1 || os.Getpid() == 1
	if !o.Consolidated && clean && lean.RunsSibling(Supervise, env) {
		// Started clean, svscan starts every supervise clean: ours then
		// skips its own re-exec, which halves its start-up cost. Another
		// supervise (Debian's) would hand the variables to the services.
		env = lean.ChildEnv(env, lean.Supervise)
	}
	openStdio()
	shown := LockName
	if o.Dir != "" {
		if err := unix.Chdir(o.Dir); err != nil {
			return log.Failure(diag.ExitTemporary, "unable to chdir to ", o.Dir, diag.Err(err))
		}
		shown = o.Dir + "/" + LockName
	}
	if _, err := Lock(LockName, shown, InheritedLockFD); err != nil {
		var le *LockError
		if errors.As(err, &le) && le.Busy() {
			return log.Failure(diag.ExitTemporary, le.Message())
		}
		log.Warn(err.Error())
	}
	if o.Consolidated {
		// As supervise does: the services get descriptors 0-2 only. After
		// the lock, which may come inherited on descriptor 3.
		lean.CloseInherited()
	}
	home, err := unix.Open(".", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return log.Failure(diag.ExitTemporary, "unable to open .", diag.Err(err))
	}
	sigs := []syscall.Signal{syscall.SIGALRM}
	if o.PID1 {
		sigs = append(sigs, stopSignals...)
		sigs = append(sigs, forwardSignals...)
		unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) //nolint:errcheck // PID 1 reaps anyway
	}
	if o.Consolidated {
		unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) //nolint:errcheck // leftovers come back to the units
	}
	h, err := host.New(sigs...)
	if err != nil {
		return log.Failure(diag.ExitTemporary, "unable to create pipe", diag.Err(err))
	}
	sc := &svscan{o: o, log: log, h: h, interval: ScanInterval(env), shown: o.Dir, title: title}
	if sc.shown == "" {
		sc.shown = "."
	}
	real := NewSystem(home, env)
	sc.real = real
	var sys System = real
	if o.Consolidated {
		sc.units = newUnitSystem(real, h, env, log, sc)
		sys = sc.units
	}
	sc.s = &Scanner{Table: NewTable(), Sys: sys, Log: log}
	h.Reaper.Orphan = reap.OwnerFunc(sc.reaped)
	h.Signal = sc.signal
	sc.timer.Init(sc, timerScan)
	sc.stopTimer.Init(sc, timerStop)
	sc.drainTimer.Init(sc, timerDrain)
	sc.endTimer.Init(sc, timerEnd)
	if _, off := pathexec.Getenv(env, NoInotifyEnv); !off {
		sc.watchDir()
	}
	sc.scan()
	h.Run()
	if err := real.Fatal(); err != nil {
		return log.Failure(diag.ExitTemporary, "unable to switch back to the scanned directory", diag.Err(err))
	}
	if sc.exit != 0 {
		return diag.Exit(sc.exit)
	}
	return nil
}

// openStdio opens /dev/null on any of descriptors 0, 1, 2 that is closed,
// so that no descriptor svscan opens lands there and is handed to
// supervise as its stdin, stdout or stderr.
func openStdio() {
	for fd := 0; fd <= 2; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == unix.EBADF {
			if _, err := unix.Open("/dev/null", unix.O_RDWR, 0); err != nil {
				return
			}
		}
	}
}

// The timers of svscan.
const (
	timerScan  = iota // the next scan
	timerStop         // the stop's deadline: SIGKILL to what did not stop
	timerDrain        // the stop: look again whether the log pipes are empty
	timerEnd          // the stop: SIGKILL to everything left
)

// svscan is the program: a host whose loop scans on a timer, on inotify
// events and on SIGALRM, and reaps every child at once.
type svscan struct {
	o        Options
	log      diag.Logger
	h        *host.Host
	s        *Scanner
	real     *realSystem
	units    *unitSystem
	interval time.Duration
	shown    string // the scanned directory as messages name it

	timer, stopTimer, drainTimer, endTimer host.Timer

	ino inotify

	title []byte // -C: the title in svscan's argument memory

	stop *stopping // the ordered stop, once begun
	exit int       // the exit code after the stop
}

// scan is one scan, then the next is due after the interval.
func (sc *svscan) scan() {
	if sc.stop != nil {
		return
	}
	sc.s.Scan()
	if sc.real.Fatal() != nil {
		sc.h.Stop()
		return
	}
	sc.watchLogs()
	sc.setTitle()
	sc.h.Arm(&sc.timer, sc.interval)
}

// Fire is a timer of svscan.
func (sc *svscan) Fire(id int) {
	switch id {
	case timerScan:
		sc.scan()
	case timerStop:
		sc.stopDeadline()
	case timerDrain:
		sc.drain()
	case timerEnd:
		sc.killRest(syscall.SIGKILL)
	}
}

// reaped is an exited child: a supervise (per process), or anything
// re-parented to svscan (PID 1, svscan -C). A supervise that ended is
// started again by the next scan.
func (sc *svscan) reaped(pid int, ws unix.WaitStatus) {
	if sc.units != nil {
		sc.units.orphan()
	}
	if sc.s.Table.byPid[pid] != nil {
		sc.supervisorEnded(pid, ws.ExitStatus(), ws.Exited())
		sc.s.Reaped(pid)
	}
	if sc.stop != nil {
		sc.h.Schedule(sc) // once after the reap, however many exits it saw
	}
}

// Run is svscan's turn in its host's loop, asked for by reaped and by the
// end of a unit: the stop moves on once per round, not once per exit
// inside the reaper's callbacks.
func (sc *svscan) Run() {
	if sc.stop != nil {
		sc.stopProgress()
	}
}

// signal is a caught signal: SIGALRM scans now; as PID 1, TERM and INT
// stop everything, and HUP, USR1, USR2, QUIT, WINCH go to the service
// with shutdown-on-exit.
func (sc *svscan) signal(sig syscall.Signal) {
	switch {
	case sig == syscall.SIGALRM:
		sc.h.Cancel(&sc.timer)
		sc.scan()
	case isStopSignal(sig):
		sc.beginStop(0, sig)
	default:
		sc.forward(sig)
	}
}

// titlePad is the argument svscan -C adds to its own at its re-exec: the
// room in its argument memory where its title tells how many services
// are up and down (ps ax shows it).
var titlePad = strings.Repeat(" ", 48)

// cutTitle takes titlePad off args and returns its bytes in the process's
// argument memory (nil when absent).
func cutTitle(args []string) ([]string, []byte) {
	if n := len(args); n > 1 && args[n-1] == titlePad {
		return args[:n-1], argBytes(args[n-1])
	}
	return args, nil
}
