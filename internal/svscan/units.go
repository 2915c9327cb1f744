package svscan

import (
	"errors"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/host"
	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/pathexec"
	"github.com/daemontools-go/daemontools/internal/unit"
)

// unitBase is added to the ids of svscan -C's units, which stand where
// pids of supervise processes stand in the table: no pid is that large.
const unitBase = 1 << 40

// StrictEnv, set to anything, makes a driver bug a panic (tests).
const StrictEnv = "DAEMONTOOLS_STRICT"

// unitSystem is svscan -C's System: instead of starting `supervise N`, it
// supervises N itself, as a unit in svscan's own host (internal/unit: the
// same machine, files and behaviour as supervise). The directory and
// pipe work is the real System's.
type unitSystem struct {
	*realSystem
	h      *host.Host
	env    []string
	log    diag.Logger
	sc     *svscan
	byID   map[int]*unit.Unit
	next   int
	strict bool
}

func newUnitSystem(real *realSystem, h *host.Host, env []string, log diag.Logger, sc *svscan) *unitSystem {
	_, strict := pathexec.Getenv(env, StrictEnv)
	return &unitSystem{realSystem: real, h: h, env: env, log: log, sc: sc, byID: map[int]*unit.Unit{}, strict: strict}
}

// StartMain supervises the service name; its output goes to stdout (svscan's
// own when -1).
func (us *unitSystem) StartMain(name string, stdout int) (int, error) {
	if stdout < 0 {
		stdout = 1
	}
	return us.open(name, name, 0, stdout)
}

// StartLog supervises name/log, reading stdin.
func (us *unitSystem) StartLog(name string, stdin int) (int, error) {
	return us.open(name+"/"+layout.Log, name+"/"+layout.Log, stdin, 1)
}

func (us *unitSystem) open(dir, name string, stdin, stdout int) (int, error) {
	us.next++
	id := unitBase + us.next
	u, err := unit.Open(us.h, unit.Options{Dir: dir, Name: name, Log: us.log, Env: us.env, Stdin: stdin,
		Stdout: stdout, Warn: true, Strict: us.strict, Done: func(u *unit.Unit) { us.done(id, u) }})
	if err != nil {
		var se *unit.SetupError
		var re *unit.ReadlinkError
		if errors.As(err, &se) || errors.As(err, &re) {
			return 0, &StartError{Step: StepUnit, Err: err}
		}
		return 0, err
	}
	us.byID[id] = u
	return id, nil
}

// done: a unit ended (svc -x, or shutdown-on-exit).
func (us *unitSystem) done(id int, u *unit.Unit) {
	delete(us.byID, id)
	if u.ShutdownOnExit() {
		us.sc.supervisorEnded(id, u.Result(), true)
	}
	us.sc.s.Reaped(id)
	if us.sc.stop != nil {
		us.sc.h.Schedule(us.sc)
	}
}

// LateLog gives the running service a pipe to its new logger: a plain
// pipe, used from its next start on.
func (us *unitSystem) LateLog(_ string, main int) (int, int, error) {
	r, w, err := us.realSystem.Pipe("")
	if err != nil {
		return -1, -1, err
	}
	if u := us.byID[main]; u != nil {
		u.SetStdout(w)
	}
	return r, w, nil
}

// Pipe is the log pipe of a new slot. After svscan -C was killed and
// started again, the services and loggers it left still run, and their
// units will adopt them: the pipe between them is opened again, through
// /proc, from the logger's stdin, or else from the service's stdout, so
// that both go on with it (and the lines in it are not lost). Only when
// neither runs is a new pipe made.
func (us *unitSystem) Pipe(name string) (int, int, error) {
	for _, c := range [...]struct {
		dir string
		fd  int
	}{{name + "/" + layout.Log, 0}, {name, 1}} {
		if pid := unit.LiveInstance(c.dir); pid > 0 {
			if r, w, ok := reopenPipe(pid, c.fd); ok {
				return r, w, nil
			}
		}
	}
	return us.realSystem.Pipe(name)
}

// reopenPipe opens both ends of the pipe that is descriptor fd of pid.
func reopenPipe(pid, fd int) (int, int, bool) {
	path := "/proc/" + strconv.Itoa(pid) + "/fd/" + strconv.Itoa(fd)
	var st unix.Stat_t
	if unix.Stat(path, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return -1, -1, false
	}
	r, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, -1, false
	}
	w, err := unix.Open(path, unix.O_WRONLY|unix.O_CLOEXEC, 0) // a reader exists: no wait
	if err == nil {
		// Blocking again, as a pipe(2) is: the loggers started on it
		// read what it gives them (djb's multilog takes EAGAIN for the
		// end of its input).
		err = unix.SetNonblock(r, false)
	}
	if err != nil {
		unix.Close(r)
		if w >= 0 {
			unix.Close(w)
		}
		return -1, -1, false
	}
	return r, w, true
}

// orphan: a process nobody registered ended: perhaps the last leftover a
// unit waits for.
func (us *unitSystem) orphan() {
	for _, u := range us.byID {
		u.OrphanReaped()
	}
}

// stopMain asks the unit id for svc -dx, with timeout-kill d when the
// service has none.
func (us *unitSystem) stopMain(id int, d time.Duration) {
	if u := us.byID[id]; u != nil {
		u.Stop(d)
	}
}

// kill sends SIGKILL to everything of the service of unit id (svscan's
// stop, at its deadline).
func (us *unitSystem) kill(id int) {
	if u := us.byID[id]; u != nil {
		u.Kill()
	}
}

// logControl sends cmds to the logger unit id; false when it is gone.
func (us *unitSystem) logControl(id int, cmds string) bool {
	u := us.byID[id]
	if u != nil {
		u.Control(cmds)
	}
	return u != nil
}

// logPending reports whether the logger unit id has control bytes not
// yet read.
func (us *unitSystem) logPending(id int) bool {
	if u := us.byID[id]; u != nil {
		return u.ControlPending()
	}
	return false
}

// servicePid is the pid of the service of unit id, 0 when down.
func (us *unitSystem) servicePid(id int) int {
	if u := us.byID[id]; u != nil {
		return u.Machine().Pid()
	}
	return 0
}

// counts returns how many services (not loggers) are up and down.
func (us *unitSystem) counts() (up, down int) {
	for _, s := range us.sc.s.Table.byID {
		if u := us.byID[s.Pid]; u != nil && u.Machine().Pid() != 0 {
			up++
		} else {
			down++
		}
	}
	return up, down
}
