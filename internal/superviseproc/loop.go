package superviseproc

import (
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/supervise"
	"github.com/daemontools-go/daemontools/internal/tai64"
)

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
	adoptLateLog()
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
