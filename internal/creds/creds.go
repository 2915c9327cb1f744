// Package creds drops the process's privileges to one account the way
// setuidgid does: supplementary groups become exactly the primary group,
// then the gid changes, then the uid; afterwards every id is read back and
// checked, so that a program is never run with half-changed credentials.
//
// Package syscall's Setgroups, Setgid and Setuid change every thread of the
// Go process (they stop the world and run the call on each thread). Those of
// golang.org/x/sys/unix do not all do so, and must not be used here.
package creds

import (
	"slices"
	"syscall"

	"golang.org/x/sys/unix"
)

// Error says which step failed: Op is "setgid" (groups or gid) or "setuid".
type Error struct {
	Op  string
	Err error
}

func (e *Error) Error() string { return "unable to " + e.Op + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// IDs are a process's credentials.
type IDs struct {
	Ruid, Euid, Suid int
	Rgid, Egid, Sgid int
	Groups           []int
}

// Become sets the groups to [gid], the gid, then the uid, and checks the
// result. The caller should run on a locked OS thread and exec from it.
func Become(uid, gid uint32) error {
	if err := syscall.Setgroups([]int{int(gid)}); err != nil {
		return &Error{"setgid", err}
	}
	if err := syscall.Setgid(int(gid)); err != nil {
		return &Error{"setgid", err}
	}
	if err := syscall.Setuid(int(uid)); err != nil {
		return &Error{"setuid", err}
	}
	got, err := Current()
	if err != nil {
		return &Error{"setuid", err}
	}
	return Check(uid, gid, got)
}

// Current reads the calling thread's credentials.
func Current() (IDs, error) {
	var c IDs
	c.Ruid, c.Euid, c.Suid = unix.Getresuid()
	c.Rgid, c.Egid, c.Sgid = unix.Getresgid()
	groups, err := unix.Getgroups()
	c.Groups = groups
	return c, err
}

// Check reports whether got is exactly uid and gid everywhere (real,
// effective and saved ids) with [gid] as the only supplementary group. A
// mismatch is an EPERM on the step that should have made it right.
func Check(uid, gid uint32, got IDs) error {
	g := int(gid)
	if got.Rgid != g || got.Egid != g || got.Sgid != g || !slices.Equal(got.Groups, []int{g}) {
		return &Error{"setgid", unix.EPERM}
	}
	u := int(uid)
	if got.Ruid != u || got.Euid != u || got.Suid != u {
		return &Error{"setuid", unix.EPERM}
	}
	return nil
}
