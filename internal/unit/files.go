package unit

import (
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/supervise"
	"github.com/daemontools-go/daemontools/internal/svstate"
	"github.com/daemontools-go/daemontools/internal/tai64"
)

// The files written on every state change. unix.Openat and unix.Renameat
// copy their path arguments on every call, and the loop allocates
// nothing, so these are converted once and used with raw system calls,
// relative to each unit's directory descriptor.
var (
	pStatus    = cPath(layout.Status)
	pStatusNew = cPath(layout.StatusNew)
	pState     = cPath(layout.State)
	pStateNew  = cPath(layout.StateNew)
	pInstance  = cPath(layout.Instance)
	pLateLog   = cPath(layout.LateLog)
)

func cPath(s string) *byte {
	p, err := unix.BytePtrFromString(s)
	if err != nil {
		panic(err)
	}
	return p
}

func openAt(dirfd int, p *byte, flags int, mode uint32) (int, error) {
	fd, _, e := unix.Syscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(flags), uintptr(mode), 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

func renameAt(dirfd int, from, to *byte) error {
	_, _, e := unix.Syscall6(unix.SYS_RENAMEAT, uintptr(dirfd), uintptr(unsafe.Pointer(from)), uintptr(dirfd), uintptr(unsafe.Pointer(to)), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

func unlinkAt(dirfd int, p *byte) {
	unix.Syscall(unix.SYS_UNLINKAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), 0) //nolint:errcheck
}

func errText(err error) string { return diag.Err(err) }

// replace writes b to newName and renames it over name: the file is
// never seen half written. Failures are warned about with 0.76's texts.
func (u *Unit) replace(newPath, path *byte, newName, short string, b []byte) bool {
	fd, err := openAt(u.dirfd, newPath, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o644)
	if err != nil {
		u.log.Warn("unable to open ", u.o.Dir, "/", newName, errText(err))
		return false
	}
	n, err := unix.Write(fd, b)
	unix.Close(fd)
	if err != nil {
		u.log.Warn("unable to write ", u.o.Dir, "/", newName, errText(err))
		return false
	}
	if n < len(b) {
		u.log.Warn("unable to write ", u.o.Dir, "/", newName, ": partial write")
		return false
	}
	if err := renameAt(u.dirfd, newPath, path); err != nil {
		u.log.Warn("unable to rename ", u.o.Dir, "/", newName, " to ", short, errText(err))
		return false
	}
	return true
}

// announce writes the status record through status.new and a rename
// (§2.5); state.json follows (flush). The instance file goes first: a
// host killed once the status shows a new pid must leave the record that
// lets the next one adopt that instance instead of starting a second (it
// is one pwrite, no rename).
func (u *Unit) announce(st status.Status) {
	if u.instDue {
		u.instDue = false
		u.writeInstance()
	}
	b := st.Encode()
	u.replace(pStatusNew, pStatus, layout.StatusNew, "status", b[:])
	u.stateDue = true
}

// publish asks for the extended status to be written once the event is
// handled (flush).
func (u *Unit) publish() { u.stateDue = true }

// flush writes what the handling of an event left to write: state.json
// (once, however many changes the event made), and the instance file if
// no status announced it. state.json comes after the 18-byte status, off
// the path of a restart: a start shows in supervise/status as soon as in
// 0.76's; readers that see the two status files disagree in between fall
// back to the 18-byte record (package svstate), which then claims no
// readiness.
func (u *Unit) flush() {
	if u.stateDue && !u.opening {
		u.stateDue = false
		u.fillRecord()
		scratch.json = svstate.AppendJSON(scratch.json[:0], &u.rec)
		u.replace(pStateNew, pState, layout.StateNew, "state.json", scratch.json)
	}
	if u.instDue {
		u.instDue = false
		u.writeInstance()
	}
}

// initFiles readies the extended status.
func (u *Unit) initFiles() {
	if u.o.Name != "" {
		u.rec.Service = u.o.Name
		return
	}
	u.rec.Service = svstate.BaseName(u.o.Dir)
}

func unixNano(n tai64.N) int64 {
	if n.Sec == 0 {
		return 0
	}
	return n.Unix()*1e9 + int64(n.Nano)
}

// fillRecord copies the machine's view into the extended status.
func (u *Unit) fillRecord() {
	m, r := u.m, &u.rec
	name, since := m.StateName()
	r.State, r.Since = name, unixNano(since)
	r.Pid, r.Pgid = m.Pid(), 0
	if r.Pid != 0 {
		r.Pgid = u.inst.pgid
	}
	switch m.Want() {
	case supervise.WantUp:
		r.Want = svstate.WantUp
	case supervise.WantDown:
		r.Want = svstate.WantDown
	default:
		r.Want = svstate.WantOnce
	}
	r.Normally = svstate.WantUp
	if u.exists(fDown) {
		r.Normally = svstate.WantDown
	}
	r.Paused = m.Paused() && r.Pid != 0
	ready, readySince := m.Ready()
	r.Ready, r.ReadySince = ready, 0
	if ready {
		r.ReadySince = unixNano(readySince)
	}
	r.Restarts = m.Restarts()
	st, at, ran, ok := m.LastExit()
	r.HasExit = ok
	if ok {
		r.ExitCode, r.ExitSignal, r.ExitCore = -1, -1, st.Core
		if st.Known && st.Signal == 0 {
			r.ExitCode = st.Code
		}
		if st.Known && st.Signal != 0 {
			r.ExitSignal = st.Signal
		}
		r.ExitAt, r.ExitRanMs = unixNano(at), ran.Milliseconds()
	}
	r.BackoffUntil = unixNano(m.BackoffUntil())
	r.StartError = u.startErr
}

// instanceSize is the size of the instance file's one record: "PID
// STARTTIME @TAI64N", padded with spaces to a fixed width so that every
// record replaces the last with one pwrite on a descriptor kept open.
const instanceSize = 20 + 1 + 20 + 1 + 25 + 1

// writeInstance records the running instance (pid 0 when none) for a
// supervisor that starts after this one died.
func (u *Unit) writeInstance() {
	if u.instFD < 0 {
		fd, err := openAt(u.dirfd, pInstance, unix.O_RDWR|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
		if err != nil {
			u.log.Warn("unable to open ", u.o.Dir, "/", layout.Instance, errText(err))
			return
		}
		u.instFD = fd
	}
	var rec [instanceSize]byte
	b := rec[:0]
	b = strconv.AppendInt(b, int64(u.instPid), 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, u.instStart, 10)
	b = append(b, ' ')
	b = u.instWhen.Append(b)
	for len(b) < instanceSize-1 {
		b = append(b, ' ')
	}
	b = append(b, '\n')
	if _, err := unix.Pwrite(u.instFD, b, 0); err != nil {
		u.log.Warn("unable to write ", u.o.Dir, "/", layout.Instance, errText(err))
	}
}

// recordInstance records the instance started at when (pid 0: none runs).
func (u *Unit) recordInstance(pid int, start uint64, when tai64.N) {
	u.instPid, u.instStart, u.instWhen, u.instDue = pid, start, when, true
}

// adoptLateLog makes the FIFO left by our svscan, if any, the children's
// stdout and removes its name. A FIFO nobody reads (left by an svscan that
// has died) cannot be opened and is ignored, as is anything that is not a
// FIFO.
func (u *Unit) adoptLateLog() {
	fd, err := openAt(u.dirfd, pLateLog, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		unix.Close(fd)
		return
	}
	// Blocking again, as a pipe from svscan is: a service writing faster
	// than its logger waits rather than losing lines.
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFL, unix.O_WRONLY); err != nil {
		unix.Close(fd)
		return
	}
	if u.ownOut {
		unix.Close(u.stdout)
	}
	u.stdout, u.ownOut = fd, true
	unlinkAt(u.dirfd, pLateLog)
}
