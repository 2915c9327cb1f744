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
	"os"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/errstr"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/supervise"
	"github.com/daemontools-go/daemontools/internal/tai64"
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
	defaultSignals()
	s := &supervisor{dir: args[1], log: log, m: supervise.New(), pidfd: -1, argv: []string{"./run"}}
	s.attr = syscall.ProcAttr{Env: env, Files: []uintptr{0, 1, 2}, Sys: &s.sys}
	s.startCost = 256 + 8*len(env)
	for _, kv := range env {
		s.startCost += len(kv) + 9
	}
	_, noPidfd := lookup(env, NoPidfdVar)
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

func (s *supervisor) fatal(parts ...string) int {
	s.log.Fatal(parts...)
	return diag.ExitTemporary
}

// setUp is 0.76's start-up sequence (§2.3); the order is observable.
func (s *supervisor) setUp() int {
	dir := s.dir
	var err error
	if s.w, err = newWaiter(); err == nil && !s.usePidfd {
		err = s.w.watchSIGCHLD()
	}
	if err != nil {
		return s.fatal("unable to create pipe for ", dir, diag.Err(err))
	}
	if err := unix.Chdir(dir); err != nil {
		return s.fatal("unable to chdir to ", dir, diag.Err(err))
	}
	var st unix.Stat_t
	down := true
	if err := unix.Stat("down", &st); err == unix.ENOENT {
		down = false
	} else if err != nil {
		return s.fatal("unable to stat ", dir, "/down", diag.Err(err))
	}
	if code := makeSuperviseDir(); code != 0 {
		return code
	}
	lock, err := unix.Open(lockFile, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o600)
	if err == nil {
		err = unix.Flock(lock, unix.LOCK_EX|unix.LOCK_NB)
	}
	if err != nil {
		return s.fatal("unable to acquire ", dir, "/", lockFile, diag.Err(err))
	}
	unix.Mkfifo(controlFIFO, 0o600) //nolint:errcheck // 0.76 ignores it; the open tells
	if s.ctl, err = unix.Open(controlFIFO, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0); err != nil {
		return s.fatal("unable to read ", dir, "/", controlFIFO, diag.Err(err))
	}
	// Kept open for ever, so that reads never see end of file when an svc
	// closes its end.
	if _, err = unix.Open(controlFIFO, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0); err != nil {
		return s.fatal("unable to write ", dir, "/", controlFIFO, diag.Err(err))
	}
	if err := s.w.add(s.ctl); err != nil {
		return s.fatal("unable to create pipe for ", dir, diag.Err(err))
	}
	s.feed(supervise.Event{Kind: supervise.Boot, Down: down})
	unix.Mkfifo(okFIFO, 0o600) //nolint:errcheck
	// Only now does svok succeed: the status file exists by then.
	if _, err = unix.Open(okFIFO, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0); err != nil {
		return s.fatal("unable to read ", dir, "/", okFIFO, diag.Err(err))
	}
	s.feed(supervise.Event{Kind: supervise.Enter})
	return 0
}

// makeSuperviseDir creates supervise/ (mode 0700, errors ignored). Debian's
// patch: if supervise is a symlink whose target does not exist yet, the
// target is created instead; its message has no prefix.
func makeSuperviseDir() int {
	if unix.Mkdir("supervise", 0o700) == nil {
		return 0
	}
	var buf [256]byte
	n, err := unix.Readlink("supervise", buf[:])
	switch {
	case err == unix.ENOENT || err == unix.EINVAL:
		return 0
	case err == nil && n == len(buf):
		err = unix.EOVERFLOW
	case err == nil:
		unix.Mkdir(string(buf[:n]), 0o700) //nolint:errcheck // the lock open tells
		return 0
	}
	os.Stderr.WriteString("unable to readlink ./supervise: " + errstr.Text(err) + "\n")
	return diag.ExitTemporary
}

// loop is 0.76's main loop (§2.7): wait, reap, one control byte.
func (s *supervisor) loop() {
	var b [1]byte
	for !s.m.Done() {
		if !s.m.Immediate() {
			s.w.wait(maxWait)
		}
		s.feed(s.reap())
		if s.m.Done() {
			return
		}
		if n, _ := unix.Read(s.ctl, b[:]); n == 1 {
			s.feed(supervise.Command(b[0]))
		}
	}
}

// feed hands e to the machine and carries out its actions; starts and
// pauses produce the next event, which is fed in turn.
func (s *supervisor) feed(e supervise.Event) {
	for {
		acts, err := s.m.Handle(e, tai64.Now(), s.acts[:0])
		s.acts = acts[:0]
		if err != nil {
			return
		}
		more := false
		for _, a := range acts {
			switch a.Kind {
			case supervise.Announce:
				s.announce(a.Status)
			case supervise.Kill:
				unix.Kill(a.Pid, a.Signal) //nolint:errcheck // 0.76 ignores it
			case supervise.Spawn:
				e, more = s.spawn(), true
			case supervise.Hold:
				time.Sleep(a.Hold)
				e, more = supervise.Event{Kind: supervise.Timer}, true
			}
		}
		if !more {
			return
		}
	}
}

// spawn starts ./run: argv ["./run"], supervise's environment and working
// directory and process group, descriptors 0-2 only.
func (s *supervisor) spawn() supervise.Event {
	if s.garbage += s.startCost; s.garbage >= gcBudget {
		s.garbage = 0
		runtime.GC()
	}
	s.newPidfd = -1
	pid, err := syscall.ForkExec("./run", s.argv, &s.attr)
	if err == unix.EAGAIN || err == unix.ENOMEM {
		s.log.Warn("unable to fork for ", s.dir, ", sleeping 60 seconds", diag.Err(err))
		return supervise.Event{Kind: supervise.ForkFailed}
	}
	if err != nil {
		s.log.Fatal("unable to start ", s.dir, "/run", diag.Err(err))
		return supervise.Event{Kind: supervise.ExecFailed}
	}
	if s.usePidfd {
		if s.newPidfd < 0 {
			s.newPidfd, _ = unix.PidfdOpen(pid, 0)
		}
		if s.newPidfd >= 0 {
			s.pidfd = s.newPidfd
			s.w.add(s.pidfd) //nolint:errcheck // the wait is capped anyway
		}
	}
	return supervise.Event{Kind: supervise.Started, Pid: pid}
}

// reap is the reap step: wait4(-1, WNOHANG) until nothing is left or the
// service is reaped. Other children are reaped and forgotten.
func (s *supervisor) reap() supervise.Event {
	s.w.drain()
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return supervise.Event{Kind: supervise.NoExit}
		}
		if pid == s.m.Pid() {
			if s.pidfd >= 0 {
				unix.Close(s.pidfd)
				s.pidfd = -1
			}
			return supervise.Event{Kind: supervise.Exit, Pid: pid}
		}
	}
}

// announce writes the status record through status.new and a rename (§2.5).
func (s *supervisor) announce(st status.Status) {
	b := st.Encode()
	fd, err := openPath(statusNewPath, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o644)
	if err != nil {
		s.log.Warn("unable to open ", s.dir, "/", statusNewFile, diag.Err(err))
		return
	}
	n, err := unix.Write(fd, b[:])
	unix.Close(fd)
	if err != nil {
		s.log.Warn("unable to write ", s.dir, "/", statusNewFile, diag.Err(err))
		return
	}
	if n < len(b) {
		s.log.Warn("unable to write ", s.dir, "/", statusNewFile, ": partial write")
		return
	}
	if err := renamePath(statusNewPath, statusPath); err != nil {
		s.log.Warn("unable to rename ", s.dir, "/", statusNewFile, " to status", diag.Err(err))
	}
}
