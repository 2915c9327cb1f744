package svscan

import (
	"io"
	"time"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/pathexec"
	"golang.org/x/sys/unix"
)

// Interval is the wait between two scans.
const Interval = 5 * time.Second

// IntervalEnv names a variable for tests only: a Go duration ("200ms")
// that replaces the 5-second wait so that tests do not spend their time
// waiting for scans. It is not meant for production: 0.76 has no such
// setting and services should not depend on it.
const IntervalEnv = "SVSCAN_TEST_INTERVAL"

// ScanInterval is Interval, or the test-only override in env.
func ScanInterval(env []string) time.Duration {
	if v, ok := pathexec.Getenv(env, IntervalEnv); ok {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
	}
	return Interval
}

// Run is svscan: `svscan [dir]`. It returns only on a fatal error.
//
// Descriptor limit: the Go runtime raises the soft RLIMIT_NOFILE to the
// hard limit (minus one) at start-up and syscall.ForkExec restores the
// original soft limit in children, which is what svscan wants: it may hold
// two descriptors per logged service, while supervise and the services keep
// the limit they would have had under 0.76. svscan relies on that and
// never calls setrlimit itself (which would hand the raised limit down).
func Run(args, env []string, stderr io.Writer) int {
	log := diag.Logger{Prog: "svscan", W: stderr}
	openStdio()
	shown := LockName
	if len(args) > 1 {
		if err := unix.Chdir(args[1]); err != nil {
			log.Fatal("unable to chdir to ", args[1], diag.Err(err))
			return diag.ExitTemporary
		}
		shown = args[1] + "/" + LockName
	}
	if _, err := Lock(LockName, shown, InheritedLockFD); err != nil {
		le := err.(*LockError)
		if le.Busy() {
			log.Fatal(le.Message())
			return diag.ExitTemporary
		}
		log.Warn(le.Message())
	}
	home, err := unix.Open(".", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		log.Fatal("unable to open .", diag.Err(err))
		return diag.ExitTemporary
	}
	s := &Scanner{Table: NewTable(), Sys: NewSystem(home, env, log), Log: log}
	interval := ScanInterval(env)
	for {
		s.Scan()
		time.Sleep(interval)
	}
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
