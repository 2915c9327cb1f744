package unit

import (
	"slices"
	"syscall"

	"github.com/daemontools-go/daemontools/internal/procs"
)

// Every process of a service descends from its main process, or has been
// re-parented to the host (a subreaper) when its parent died. So what is
// left of a service is found by walking down the children files of /proc
// (procs.Children): from the running instance, from the processes seen at
// the last stop request, and from the host's children that no unit
// registered (orphans), which belong to this service when they are in its
// session or process group (or always, for supervise DIR: OwnsOrphans).
// The cost grows with the service's processes and the host's children,
// never with the whole system's. Kernels without the children files
// (CONFIG_PROC_CHILDREN) get a scan of all of /proc instead.
var childrenFiles = procs.HasChildrenFiles()

// leftovers lists what is left of the service (with the running
// instance's own processes when withMain).
func (u *Unit) leftovers(withMain bool) []int {
	if !childrenFiles {
		scratch.left = procs.Leftovers(scratch.left[:0], scratch.procs.All(), u.members(withMain))
		return scratch.left
	}
	roots := scratch.roots[:0]
	if withMain && u.m.Pid() != 0 {
		roots = append(roots, u.m.Pid())
	}
	for _, s := range u.snap {
		if scratch.procs.Alive(s.pid, s.start) {
			roots = append(roots, s.pid)
		}
	}
	for _, s := range u.orphans {
		if scratch.procs.Alive(s.pid, s.start) {
			roots = append(roots, s.pid)
		}
	}
	scratch.kids = scratch.procs.Children(scratch.kids[:0], self)
	for _, c := range scratch.kids {
		if u.h.Reaper.Owns(c) || u.excepted(c) {
			continue
		}
		if !u.o.OwnsOrphans {
			p, err := scratch.procs.Stat(c)
			if err != nil || p.State == 'Z' || !u.inst.owns(p) {
				continue
			}
		}
		roots = append(roots, c)
	}
	left := scratch.left[:0]
	for _, r := range roots {
		if !slices.Contains(left, r) {
			left = append(left, r)
			left = scratch.procs.Descendants(left, r)
		}
	}
	// Zombies are gone already; the walk can meet the excepted.
	out := left[:0]
	for _, pid := range left {
		if !u.excepted(pid) && (pid != u.m.Pid() || withMain) {
			if p, err := scratch.procs.Stat(pid); err == nil && p.State != 'Z' {
				out = append(out, pid)
			}
		}
	}
	scratch.left, scratch.roots = out, roots
	return out
}

// owns reports whether p is in the instance's own session or group.
func (i instance) owns(p procs.Proc) bool {
	return (i.session > 0 && p.Session == i.session) || (i.pgrp > 0 && p.Pgrp == i.pgrp)
}

// excepted: the host itself and ./finish.
func (u *Unit) excepted(pid int) bool { return pid == self || pid == u.m.FinishPid() }

// members describes the service for procs.Leftovers (the /proc scan of
// kernels without children files).
func (u *Unit) members(withMain bool) procs.Member {
	m := procs.Member{Pgrp: u.inst.pgrp, Session: u.inst.session}
	m.Except = append(m.Except[:0], self)
	if f := u.m.FinishPid(); f != 0 {
		m.Except = append(m.Except, f)
	}
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

// keepOrphans remembers, when an instance ends, the processes it left
// that the host (svscan -C) now has as children: the next instance has
// another session, and without this the leftovers of earlier instances
// could no longer be told apart from other services' at a stop. Those
// that have ended since are forgotten.
func (u *Unit) keepOrphans() {
	if u.o.OwnsOrphans || (u.inst.session == 0 && u.inst.pgrp == 0) || !childrenFiles {
		return
	}
	kept := u.orphans[:0]
	for _, s := range u.orphans {
		if scratch.procs.Alive(s.pid, s.start) {
			kept = append(kept, s)
		}
	}
	scratch.kids = scratch.procs.Children(scratch.kids[:0], self)
	for _, c := range scratch.kids {
		if u.h.Reaper.Owns(c) || u.excepted(c) {
			continue
		}
		if p, err := scratch.procs.Stat(c); err == nil && p.State != 'Z' && u.inst.owns(p) {
			kept = append(kept, snapProc{pid: c, start: p.Start})
		}
	}
	u.orphans = kept
}

// snapshot remembers the processes of the running instance at a stop
// request, so that those that leave its session and are re-parented to
// the host (which cannot tell whose orphans are whose) are still found.
func (u *Unit) snapshot() {
	u.snap = u.snap[:0]
	if u.m.Pid() == 0 {
		return
	}
	scratch.left = scratch.procs.Descendants(scratch.left[:0], u.m.Pid())
	for _, pid := range scratch.left {
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
