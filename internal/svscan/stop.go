package svscan

import (
	"os"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/procs"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svdir"
)

// The ordered stop of svscan as PID 1 (docs/svscan.md, "Containers"). On
// SIGTERM or SIGINT, or when a service with shutdown-on-exit ends:
//
//  1. every service gets its stop (svc -dx: the down signal, or TERM, and
//     CONT); those without timeout-kill get SIGKILL after StopTimeout;
//  2. when a service is down and its logger has read every line left in
//     the pipe, the logger's supervisor is told to exit when the logger
//     ends (svc -x); once it has read that, svscan closes its end of the
//     log pipe, so that the logger reads to the end of it and exits (in
//     that order: a logger that ended first would be started again, and a
//     logger killed while lines wait is started again to read them); a
//     logger still running RestTimeout after that (a leftover of the
//     service may hold the pipe) is stopped (svc -d);
//  3. when every service and logger is gone, what is left gets TERM, then
//     KILL after RestTimeout;
//  4. svscan exits as soon as nothing is left: with the exit code of the
//     service with shutdown-on-exit, or 0.
//
// A second SIGTERM or SIGINT during the stop changes nothing (a warning);
// SIGKILL from outside (docker kill) is the way to end it at once.

// StopTimeout is how long a service without timeout-kill has, after its
// stop, before SIGKILL: everything fits docker's default 10 seconds.
const StopTimeout = 7 * time.Second

// RestTimeout is how long what is left after the services has between
// TERM and KILL.
const RestTimeout = time.Second

// drainPoll is how often the stop looks whether log pipes are empty.
const drainPoll = 20 * time.Millisecond

var (
	stopSignals    = []syscall.Signal{syscall.SIGTERM, syscall.SIGINT}
	forwardSignals = []syscall.Signal{syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGQUIT, syscall.SIGWINCH}
)

func isStopSignal(sig syscall.Signal) bool { return sig == syscall.SIGTERM || sig == syscall.SIGINT }

// stopping is the ordered stop in progress.
type stopping struct {
	code    int
	coded   bool // code was set by a service with shutdown-on-exit
	slots   []*stopSlot
	resting bool      // step 3
	began   time.Time // the stop
}

// stopSlot is one service being stopped.
type stopSlot struct {
	s        *Slot
	name     string
	ownKill  bool // the service has timeout-kill
	mainDone bool
	asked    bool      // its supervise took the dx (one just started may not have its FIFO yet)
	logAsked time.Time // when the logger's supervisor was sent x
	logEOF   time.Time // when svscan closed its end of the pipe, x read
	logDown  bool      // and then the logger was stopped: it did not end within RestTimeout
}

// beginStop starts the ordered stop: code is the exit code so far.
func (sc *svscan) beginStop(code int, sig syscall.Signal) {
	if sc.stop != nil {
		if sig != 0 {
			sc.log.Warn("already stopping; ignoring signal ", strconv.Itoa(int(sig)))
		}
		return
	}
	sc.stop = &stopping{code: code, coded: sig == 0, began: time.Now()}
	sc.h.Cancel(&sc.timer)
	for _, s := range sc.s.Table.byID {
		ss := &stopSlot{s: s, name: s.Name}
		ss.ownKill = exists(s.Name + "/" + layout.TimeoutKill)
		sc.stop.slots = append(sc.stop.slots, ss)
		if s.Pid == 0 {
			continue
		}
		if sc.units != nil {
			sc.units.stopMain(s.Pid, StopTimeout)
			ss.asked = true
		} else {
			ss.asked = sc.control(s.Name, "dx")
		}
	}
	sc.h.Arm(&sc.stopTimer, StopTimeout)
	sc.stopProgress()
}

// control writes cmds to the supervise of the service directory dir; false
// when none takes them (gone, or just started and without its FIFOs yet).
func (sc *svscan) control(dir, cmds string) bool {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	err = svdir.Send(fd, []byte(cmds))
	unix.Close(fd)
	return err == nil
}

// stopDeadline: SIGKILL to every service without timeout-kill that is
// not down yet, with its ./finish and everything it left (svscan -C's
// units have StopTimeout as their timeout-kill already, but not for
// ./finish).
func (sc *svscan) stopDeadline() {
	for _, ss := range sc.stop.slots {
		if ss.mainDone || ss.ownKill || ss.s.Pid == 0 {
			continue
		}
		if sc.units != nil {
			sc.units.kill(ss.s.Pid)
			continue
		}
		// The children of the supervise (./run or ./finish, and the
		// orphans it reaps as a subreaper) and their descendants; and the
		// supervise itself when it never took the dx (it would start
		// ./run again).
		var r procs.Reader
		for _, pid := range r.Descendants(nil, ss.s.Pid) { // of its supervise
			syscall.Kill(pid, syscall.SIGKILL) //nolint:errcheck
		}
		if !ss.asked {
			syscall.Kill(ss.s.Pid, syscall.SIGKILL) //nolint:errcheck
		}
	}
}

// servicePid reads the pid of the service in dir from its status record.
func servicePid(dir string) int {
	b, err := os.ReadFile(dir + "/" + layout.Status)
	if err != nil {
		return 0
	}
	st, err := status.Decode(b)
	if err != nil {
		return 0
	}
	return int(st.Pid)
}

// stopProgress moves every service on: a main gone and its log pipe empty
// tell the logger to exit at the end of its input, then close svscan's
// end of the pipe; when every service and logger is gone the rest is
// stopped; when nothing is left svscan exits.
func (sc *svscan) stopProgress() {
	st := sc.stop
	waiting := false
	draining := false
	for _, ss := range st.slots {
		s := ss.s
		if !ss.mainDone && s.Pid == 0 {
			ss.mainDone = true
		}
		if !ss.mainDone {
			if !ss.asked && s.Pid != 0 {
				ss.asked = sc.control(ss.name, "dx")
			}
			draining = draining || !ss.asked // look again soon
			waiting = true
			continue
		}
		if !s.Log || s.LogPid == 0 {
			if s.Log && !ss.logAsked.IsZero() {
				closeFD(&s.Pipe[1])
				closeFD(&s.Pipe[0])
			}
			continue
		}
		waiting = true
		if ss.logEOF.IsZero() {
			draining = true
			if n, err := unix.IoctlGetInt(s.Pipe[0], unix.TIOCINQ); err == nil && n > 0 {
				continue // the logger has lines to read
			}
			if ss.logAsked.IsZero() {
				if sc.logControl(ss, "x") {
					ss.logAsked = time.Now()
				} else {
					sc.killUnreachable(ss.s.LogPid)
				}
				continue
			}
			if sc.logPending(ss) && time.Since(ss.logAsked) < RestTimeout {
				continue // its supervisor has not read the x yet
			}
			closeFD(&s.Pipe[1])
			ss.logEOF = time.Now()
			continue
		}
		// A logger that does not end at the end of its input (one of the
		// service's leftovers may still hold the pipe) is stopped after
		// RestTimeout.
		if !ss.logDown && time.Since(ss.logEOF) >= RestTimeout {
			if ss.logDown = sc.logControl(ss, "d"); !ss.logDown {
				sc.killUnreachable(ss.s.LogPid)
			}
		}
		draining = draining || !ss.logDown
	}
	if draining && !sc.drainTimer.Armed() {
		sc.h.Arm(&sc.drainTimer, drainPoll)
	}
	if waiting {
		return
	}
	if !st.resting {
		st.resting = true
		sc.h.Cancel(&sc.stopTimer)
		sc.killRest(syscall.SIGTERM)
		sc.h.Arm(&sc.endTimer, RestTimeout)
	}
	sc.h.Reaper.Reap()
	if sc.h.Reaper.NoChildren() {
		sc.exit = st.code
		sc.h.Stop()
	}
}

func closeFD(fd *int) {
	if *fd >= 0 {
		unix.Close(*fd)
		*fd = -1
	}
}

// logPending reports whether the logger's supervisor has control bytes
// not yet read.
func (sc *svscan) logPending(ss *stopSlot) bool {
	if sc.units != nil {
		return sc.units.logPending(ss.s.LogPid)
	}
	fd, err := unix.Open(ss.name+"/"+layout.Log, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	return svdir.Pending(fd)
}

// killUnreachable: a logger's supervise that takes no command (its
// directory gone from the scanned one, so not found by name) gets SIGKILL
// with everything below it once the stop has run StopTimeout: svscan as
// PID 1 must not wait for it for ever.
func (sc *svscan) killUnreachable(pid int) {
	if sc.units != nil || pid == 0 || time.Since(sc.stop.began) < StopTimeout {
		return
	}
	var r procs.Reader
	for _, p := range r.Descendants(nil, pid) {
		syscall.Kill(p, syscall.SIGKILL) //nolint:errcheck
	}
	syscall.Kill(pid, syscall.SIGKILL) //nolint:errcheck
}

// logControl sends cmds to the logger of ss; false when none takes them.
func (sc *svscan) logControl(ss *stopSlot, cmds string) bool {
	if sc.units != nil {
		return sc.units.logControl(ss.s.LogPid, cmds)
	}
	return sc.control(ss.name+"/"+layout.Log, cmds)
}

// drain looks again at the log pipes.
func (sc *svscan) drain() {
	if sc.stop != nil {
		sc.stopProgress()
	}
}

// killRest sends sig, and CONT, to everything left: as process 1, to every
// process of the namespace; otherwise (-P) to every descendant.
func (sc *svscan) killRest(sig syscall.Signal) {
	if os.Getpid() == 1 {
		syscall.Kill(-1, sig)             //nolint:errcheck // nothing left is fine
		syscall.Kill(-1, syscall.SIGCONT) //nolint:errcheck
		return
	}
	var r procs.Reader
	for _, pid := range r.Descendants(nil, os.Getpid()) {
		syscall.Kill(pid, sig)             //nolint:errcheck
		syscall.Kill(pid, syscall.SIGCONT) //nolint:errcheck
	}
	if sig == syscall.SIGKILL {
		sc.h.Arm(&sc.endTimer, RestTimeout) // look again, in case something was forked meanwhile
	}
}

// supervisorEnded: the supervise of a service (or its unit) ended, with
// code when it exited. A service with shutdown-on-exit is not started
// again; as PID 1, svscan stops everything and exits with its code.
func (sc *svscan) supervisorEnded(id, code int, exited bool) {
	s := sc.s.Table.byPid[id]
	if s == nil || s.Pid != id || s.Name == "" || !exists(s.Name+"/"+layout.ShutdownOnExit) {
		return
	}
	s.Finished = true
	if !exited {
		code = 111
	}
	if !sc.o.PID1 {
		return
	}
	switch {
	case sc.stop == nil:
		sc.beginStop(code, 0)
	case !sc.stop.coded:
		sc.stop.code, sc.stop.coded = code, true
	}
}

// forward sends sig to the service with shutdown-on-exit, if one runs.
func (sc *svscan) forward(sig syscall.Signal) {
	for _, s := range sc.s.Table.byID {
		if s.Pid == 0 || s.Name == "" || !exists(s.Name+"/"+layout.ShutdownOnExit) {
			continue
		}
		pid := 0
		if sc.units != nil {
			pid = sc.units.servicePid(s.Pid)
		} else {
			pid = servicePid(s.Name)
		}
		if pid > 0 {
			syscall.Kill(pid, sig) //nolint:errcheck
			return
		}
	}
	sc.log.Warn("ignoring signal ", strconv.Itoa(int(sig)), ": no service with ", layout.ShutdownOnExit, " runs")
}

func exists(path string) bool {
	var st unix.Stat_t
	return unix.Stat(path, &st) == nil
}
