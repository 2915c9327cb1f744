// Package unit supervises one service inside a host (package host): the
// files, descriptors and processes around the pure state machine of
// package supervise. supervise DIR is a host with one unit; svscan -C a
// host with one unit per service and per log.
//
// A unit holds everything of its own: a descriptor of the service
// directory (every file is opened relative to it: no process-wide chdir),
// the lock, the control and ok FIFOs, the descriptors its children get as
// stdin and stdout, its timers. Nothing in it assumes it is alone in the
// process: the only things it shares are the host's loop, timer heap and
// reaper, and the Except list of pids that are never its leftovers.
//
// How a control byte flows: svc writes it to supervise/control; the
// host's epoll says the FIFO is readable and calls the unit's Ready; the
// unit takes a turn as 0.76's loop did (a reap step, then one byte);
// the byte becomes an Event for the machine; the machine answers with
// Actions (announce, kill...), which the unit carries out (write
// supervise/status and state.json, kill(2)).
package unit

import (
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/errstr"
	"github.com/daemontools-go/daemontools/internal/host"
	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/supervise"
	"github.com/daemontools-go/daemontools/internal/svdir"
	"github.com/daemontools-go/daemontools/internal/svstate"
	"github.com/daemontools-go/daemontools/internal/tai64"
)

// Options configure a unit.
type Options struct {
	// Dir is the service directory as given: messages name it, ./finish
	// gets it as its third argument, and it is opened relative to the
	// working directory.
	Dir string
	// Log writes the unit's diagnostics (0.76's texts, after "PROG: ").
	Log diag.Logger
	// Env is the environment of ./run and ./finish.
	Env []string
	// Stdin and Stdout are the descriptors ./run and ./finish get as 0 and
	// 1 (stderr is always the process's 2). The unit does not own them.
	Stdin, Stdout int
	// LateLog: before each start, adopt supervise/log.fifo as Stdout if
	// our svscan left one (supervise DIR under svscan; not in svscan -C).
	LateLog bool
	// OwnsOrphans: every child of this process that the reaper does not
	// know is a leftover of this unit's service (supervise DIR, which is a
	// subreaper of its one service).
	OwnsOrphans bool
	// Strict makes an event the machine refuses a panic (tests) instead of
	// a warning.
	Strict bool
	// Name is the service's name in state.json (default: Dir's last
	// element; svscan -C gives a logger "NAME/log").
	Name string
	// Warn prints 0.76's fatal start errors as warnings (svscan -C: the
	// process goes on).
	Warn bool
	// Done, if set, is called once the unit has closed everything.
	Done func(u *Unit)
}

// SetupError is a failure to start supervising: Msg is 0.76's text (after
// "supervise: fatal: ").
type SetupError struct{ Msg string }

func (e *SetupError) Error() string { return e.Msg }

// Unit is one supervised service.
type Unit struct {
	o   Options
	h   *host.Host
	m   *supervise.Machine
	log diag.Logger

	dirfd   int
	dirPath string // "/proc/self/fd/N", the children's working directory
	lock    int
	ctl     int // control, read end
	ok      int // ok, read end
	stdout  int // the children's fd 1: o.Stdout or an adopted late log
	ownOut  bool

	timers [supervise.NumTimers]host.Timer
	muted  bool   // ctl is muted during a hold
	queued []byte // commands of Control that the full FIFO did not take

	// What the loop has not fed yet.
	exit       pendingExit
	resumeRead bool // a turn was interrupted in its reap step by a hold
	clean      bool // the leftovers are gone: feed Clean
	readyEv    supervise.Kind

	// The instance.
	inst       instance
	pidfd      int // of an adopted instance, -1 when none
	notifyR    int // notification-fd's pipe, read end, -1 when none
	notifyS    int // supervise/notify, -1 until notify-socket asks for it
	notifyName string
	watch      bool // report Clean when no leftover remains
	snap       []snapProc
	orphans    []snapProc // left by earlier instances (svscan -C)

	// Files.
	cfg       config
	cfgRead   config // the lifecycle files as read for the event handled
	cfgFresh  bool   // cfgRead was read for this event (feed clears it)
	rec       svstate.Record
	startErr  string // the last failed start, for state.json
	stateDue  bool   // state.json must be written (flush)
	opening   bool   // between Boot and Enter: state.json waits
	instDue   bool   // the instance file must be written (flush)
	instFD    int    // supervise/instance, open once written
	instPid   int    // what the instance file says
	instStart uint64
	instWhen  tai64.N
	once      bool          // shutdown-on-exit
	stopKill  time.Duration // timeout-kill for a service without one, once Stop asked
	argv      []string
	gc        gcBudget
}

// instance is what the unit knows of the running (or last) ./run.
type instance struct {
	pid           int
	start         uint64 // /proc start time
	pgid          int    // its process group
	pgrp, session int    // its own group and session; 0 when shared with the supervisor (no-setsid)
}

// snapProc is a process of the service seen at a stop request.
type snapProc struct {
	pid   int
	start uint64
}

// Open starts supervising the service directory o.Dir in h, in 0.76's
// order (§2.3): open the directory, stat down, make supervise/, take the
// lock, make and open the control FIFO, write the first status, make and
// open the ok FIFO, enter the loop (start ./run unless down).
func Open(h *host.Host, o Options) (*Unit, error) {
	u := &Unit{o: o, h: h, m: supervise.New(), log: o.Log, dirfd: -1, lock: -1, ctl: -1, ok: -1,
		pidfd: -1, notifyR: -1, notifyS: -1, instFD: -1, stdout: o.Stdout, argv: []string{"./" + layout.Run}}
	dir := o.Dir
	var err error
	// O_PATH: the descriptor is only ever a base for *at calls and the
	// children's working directory; a child closes it at exec at less
	// cost than a readable one (no dnotify or lock look-up), which counts
	// when svscan -C holds thousands.
	if u.dirfd, err = unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
		return nil, u.fail("unable to chdir to ", dir, diag.Err(err))
	}
	u.dirPath = "/proc/self/fd/" + strconv.Itoa(u.dirfd)
	if !procMounted(u.dirPath) {
		u.dirPath = dir
	}
	var st unix.Stat_t
	down := true
	if err := unix.Fstatat(u.dirfd, layout.Down, &st, 0); err == unix.ENOENT {
		down = false
	} else if err != nil {
		return nil, u.fail("unable to stat ", dir, "/", layout.Down, diag.Err(err))
	}
	if err := u.makeSuperviseDir(); err != nil {
		return nil, u.abort(err)
	}
	u.lock, err = unix.Openat(u.dirfd, layout.Lock, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o600)
	if err == nil {
		err = unix.Flock(u.lock, unix.LOCK_EX|unix.LOCK_NB)
	}
	if err != nil {
		return nil, u.fail("unable to acquire ", dir, "/", layout.Lock, diag.Err(err))
	}
	unix.Mknodat(u.dirfd, layout.Control, unix.S_IFIFO|0o600, 0) //nolint:errcheck // 0.76 ignores it; the open tells
	// Read and write, in one descriptor: as 0.76 holds a write end beside
	// its read end, so that reads never see end of file, with one
	// descriptor less to hold.
	if u.ctl, err = unix.Openat(u.dirfd, layout.Control, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0); err != nil {
		// 0.76 opens it for reading, then for writing: its message names
		// the open that fails (a directory, a file mode 0400, a read-only
		// file system open for reading only).
		op := "unable to read "
		if r, rerr := unix.Openat(u.dirfd, layout.Control, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0); rerr == nil {
			unix.Close(r)
			op = "unable to write "
		}
		return nil, u.fail(op, dir, "/", layout.Control, diag.Err(err))
	}
	if err := h.Add(u.ctl, u); err != nil {
		return nil, u.fail("unable to create pipe for ", dir, diag.Err(err))
	}
	for i := range u.timers {
		u.timers[i].Init(u, i)
	}
	u.initFiles()
	u.once = u.exists(fShutdownOnExit)
	// state.json waits for Enter: one write at start-up, not two.
	u.opening = true
	u.feed(supervise.Event{Kind: supervise.Boot, Down: down, Once: u.once, Adopt: u.adopt()})
	u.opening = false
	unix.Mknodat(u.dirfd, layout.OK, unix.S_IFIFO|0o600, 0) //nolint:errcheck
	// Only now does svok succeed: the status file exists by then.
	if u.ok, err = unix.Openat(u.dirfd, layout.OK, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0); err != nil {
		return nil, u.fail("unable to read ", dir, "/", layout.OK, diag.Err(err))
	}
	u.feed(supervise.Event{Kind: supervise.Enter})
	return u, nil
}

// Dir is the service directory as given.
func (u *Unit) Dir() string { return u.o.Dir }

// Machine is the unit's state machine (read it; never feed it).
func (u *Unit) Machine() *supervise.Machine { return u.m }

// ShutdownOnExit reports whether the service has shutdown-on-exit: it
// runs once, and the supervision ends with it (see Result).
func (u *Unit) ShutdownOnExit() bool { return u.once }

// Result is how the last instance of ./run ended, as a shell says it: its
// exit code, or 128 + the signal that killed it; 111 when it never ran or
// its end is unknown (an adopted instance).
func (u *Unit) Result() int {
	st, _, _, ok := u.m.LastExit()
	switch {
	case !ok || !st.Known:
		return 111
	case st.Signal != 0:
		return 128 + st.Signal
	}
	return st.Code
}

// Control writes cmds to the unit's own control FIFO: they are taken as
// svc's are, one a turn. What a full FIFO (flooded by someone) does not
// take waits in the unit, taken once the FIFO is empty: svscan's stop is
// never lost.
func (u *Unit) Control(cmds string) {
	if u.ctl < 0 {
		return
	}
	if len(u.queued) == 0 {
		n, _ := unix.Write(u.ctl, []byte(cmds))
		cmds = cmds[max(n, 0):]
	}
	if cmds != "" {
		u.queued = append(u.queued, cmds...)
		u.h.Schedule(u)
	}
}

// ControlPending reports whether bytes wait in the control FIFO, not yet
// read by the unit.
func (u *Unit) ControlPending() bool {
	if u.ctl < 0 {
		return false
	}
	return len(u.queued) > 0 || svdir.Queued(u.ctl)
}

// Stop is svc -dx, with timeout-kill d for a service that has none
// (svscan's ordered stop).
func (u *Unit) Stop(d time.Duration) {
	u.stopKill = d
	u.Control("dx")
}

// SetStdout makes fd the children's stdout from the next start on (a log
// added to a running service; svscan -C). The unit does not own fd.
func (u *Unit) SetStdout(fd int) {
	if u.ownOut {
		unix.Close(u.stdout)
		u.ownOut = false
	}
	u.stdout = fd
}

// fail closes what Open made and returns the setup error.
func (u *Unit) fail(parts ...string) error {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = append(b, p...)
	}
	return u.abort(&SetupError{Msg: string(b)})
}

func (u *Unit) abort(err error) error {
	u.closeAll()
	return err
}

// makeSuperviseDir creates supervise/ (mode 0700, errors ignored). Debian's
// patch: if supervise is a symlink whose target does not exist yet, the
// target is created instead; its message has no prefix (ErrReadlink).
func (u *Unit) makeSuperviseDir() error {
	if unix.Mkdirat(u.dirfd, layout.SuperviseDir, 0o700) == nil {
		return nil
	}
	var buf [256]byte
	n, err := unix.Readlinkat(u.dirfd, layout.SuperviseDir, buf[:])
	switch {
	case err == unix.ENOENT || err == unix.EINVAL:
		return nil
	case err == nil && n == len(buf):
		err = unix.EOVERFLOW
	case err == nil:
		unix.Mkdirat(u.dirfd, string(buf[:n]), 0o700) //nolint:errcheck // the lock open tells
		return nil
	}
	re := &ReadlinkError{Err: err}
	if u.o.Warn { // svscan -C: among many services, name which
		re.Dir = u.o.Dir
	}
	return re
}

// ReadlinkError is Debian's message for an unreadable supervise symlink,
// printed by supervise without the program's prefix. Dir, when set, names
// the service directory instead of "." (svscan -C).
type ReadlinkError struct {
	Dir string
	Err error
}

func (e *ReadlinkError) Error() string {
	dir := e.Dir
	if dir == "" {
		dir = "."
	}
	return "unable to readlink " + dir + "/" + layout.SuperviseDir + ": " + errstr.Text(e.Err)
}

// closeAll closes every descriptor of the unit.
func (u *Unit) closeAll() {
	for i := range u.timers {
		u.h.Cancel(&u.timers[i])
	}
	for _, fd := range []*int{&u.ctl, &u.ok, &u.lock, &u.pidfd, &u.notifyR, &u.notifyS, &u.instFD, &u.dirfd} {
		if *fd >= 0 {
			if fd == &u.ctl || fd == &u.pidfd || fd == &u.notifyR || fd == &u.notifyS {
				u.h.Remove(*fd)
			}
			unix.Close(*fd)
			*fd = -1
		}
	}
	if u.ownOut {
		unix.Close(u.stdout)
		u.ownOut = false
	}
}

func procMounted(path string) bool {
	var st unix.Stat_t
	return unix.Stat(path, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR
}

// now is the time of an event.
func (u *Unit) now() supervise.Clock {
	return supervise.Clock{Wall: tai64.Now(), Mono: u.h.Now()}
}
