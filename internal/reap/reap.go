// Package reap collects the exited children of a whole process: one loop
// of wait4(-1, WNOHANG), each exit handed to whoever registered its pid.
// A process has one Reaper and calls wait4 nowhere else (no exec.Cmd.Wait,
// no os.Process.Wait): supervise, svscan and svscanboot alike.
//
// wait4 is made as a raw system call: with WNOHANG it never blocks, and a
// raw call does not wake the runtime's monitor thread (see
// internal/svscan's rawsys.go for why that matters to an idle process).
package reap

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Owner is told when one of its children has exited.
type Owner interface {
	Reaped(pid int, ws unix.WaitStatus)
}

// OwnerFunc is a function as an Owner.
type OwnerFunc func(pid int, ws unix.WaitStatus)

// Reaped calls f.
func (f OwnerFunc) Reaped(pid int, ws unix.WaitStatus) { f(pid, ws) }

// Reaper dispatches exits by pid.
type Reaper struct {
	owners map[int]Owner
	// Orphan, if set, is told of exits nobody registered: processes that
	// were re-parented to this one (a subreaper, or PID 1).
	Orphan Owner
	none   bool // the last wait4 said ECHILD
}

// New returns a Reaper with no registrations.
func New() *Reaper { return &Reaper{owners: make(map[int]Owner)} }

// Register makes o the owner of pid's exit. Call it before the next Reap
// after the child was made (in a one-goroutine loop, right after fork).
func (r *Reaper) Register(pid int, o Owner) { r.owners[pid] = o }

// Forget drops pid's registration.
func (r *Reaper) Forget(pid int) { delete(r.owners, pid) }

// Owns reports whether pid is registered.
func (r *Reaper) Owns(pid int) bool { _, ok := r.owners[pid]; return ok }

// Reap collects every exited child and tells its owner (registration is
// dropped first, so the owner may register a new child at once). It
// returns when no exited child is left.
func (r *Reaper) Reap() {
	for {
		pid, ws, err := wait4()
		if err == unix.EINTR {
			continue
		}
		r.none = err == unix.ECHILD
		if err != nil || pid <= 0 {
			return
		}
		o, ok := r.owners[pid]
		if ok {
			delete(r.owners, pid)
			o.Reaped(pid, ws)
		} else if r.Orphan != nil {
			r.Orphan.Reaped(pid, ws)
		}
	}
}

// NoChildren reports whether the last Reap found the process without any
// child at all (wait4 said ECHILD).
func (r *Reaper) NoChildren() bool { return r.none }

// wait4 is wait4(-1, &status, WNOHANG, NULL).
func wait4() (int, unix.WaitStatus, error) {
	var ws unix.WaitStatus
	pid, _, e := syscall.RawSyscall6(unix.SYS_WAIT4, ^uintptr(0), uintptr(unsafe.Pointer(&ws)), uintptr(unix.WNOHANG), 0, 0, 0)
	if e != 0 {
		return 0, 0, e
	}
	return int(pid), ws, nil
}
