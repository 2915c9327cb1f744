package unit

import (
	"syscall"

	"github.com/daemontools-go/daemontools/internal/procs"
)

// members describes what belongs to the service: its process group and
// session (when it has its own), the running instance and what it left,
// the processes seen at the last stop request (svscan -C, where orphans
// cannot be told apart), and, for supervise DIR, every orphan of the
// process. Never the supervisor, ./finish, or the host's other pids.
func (u *Unit) members(withMain bool) procs.Member {
	m := procs.Member{Pgrp: u.inst.pgrp, Session: u.inst.session}
	m.Except = append(m.Except[:0], self)
	if f := u.m.FinishPid(); f != 0 {
		m.Except = append(m.Except, f)
	}
	m.Except = append(m.Except, u.except...)
	if withMain && u.m.Pid() != 0 {
		m.Roots = append(m.Roots, u.m.Pid())
	}
	for _, s := range u.snap {
		if scratch.procs.Alive(s.pid, s.start) {
			m.Roots = append(m.Roots, s.pid)
		}
	}
	if u.o.OwnsOrphans {
		m.Parent = self
	}
	return m
}

// leftovers lists what is left of the service.
func (u *Unit) leftovers(withMain bool) []int {
	scratch.left = procs.Leftovers(scratch.left[:0], scratch.procs.All(), u.members(withMain))
	return scratch.left
}

// snapshot remembers the processes of the running instance at a stop
// request, so that those that leave its session and are re-parented to
// the host (which cannot tell whose orphans are whose) are still found.
func (u *Unit) snapshot() {
	u.snap = u.snap[:0]
	for _, pid := range u.leftovers(true) {
		if p, err := scratch.procs.Stat(pid); err == nil {
			u.snap = append(u.snap, snapProc{pid: pid, start: p.Start})
		}
	}
}

// cleanup sends sig then CONT to what is left of the last instance; with
// watch, the machine is told (Clean) once nothing is left.
func (u *Unit) cleanup(sig syscall.Signal, watch bool) {
	left := u.leftovers(false)
	for _, pid := range left {
		syscall.Kill(pid, sig)             //nolint:errcheck // it may be gone
		syscall.Kill(pid, syscall.SIGCONT) //nolint:errcheck
	}
	u.watch = watch
	u.clean = watch && len(left) == 0
}

// killAll sends SIGKILL and CONT to the running instance, if any, and to
// everything left of the service.
func (u *Unit) killAll() {
	if pid := u.m.Pid(); pid != 0 {
		u.signal(pid, syscall.SIGKILL)
		u.signal(pid, syscall.SIGCONT)
	}
	for _, pid := range u.leftovers(true) {
		if pid != u.m.Pid() {
			syscall.Kill(pid, syscall.SIGKILL) //nolint:errcheck
			syscall.Kill(pid, syscall.SIGCONT) //nolint:errcheck
		}
	}
	u.recheck()
}

// Kill sends SIGKILL and CONT to the running instance, ./finish, and
// everything left of the service, at once (svscan's stop, at its
// deadline).
func (u *Unit) Kill() {
	if f := u.m.FinishPid(); f != 0 {
		syscall.Kill(f, syscall.SIGKILL) //nolint:errcheck
		syscall.Kill(f, syscall.SIGCONT) //nolint:errcheck
	}
	u.killAll()
	u.settle()
}

// OrphanReaped is the host telling the unit that a process nobody
// registered ended: maybe the last of the service's leftovers.
func (u *Unit) OrphanReaped() {
	if u.watch {
		u.recheck()
		u.settle()
	}
}

// recheck looks whether anything is left, while the machine waits for it.
func (u *Unit) recheck() {
	if u.watch && u.m.Pid() == 0 && len(u.leftovers(false)) == 0 {
		u.clean = true
	}
}
