package svscan

import (
	"errors"
	"github.com/daemontools-go/daemontools/internal/layout"

	"github.com/daemontools-go/daemontools/internal/errstr"
	"golang.org/x/sys/unix"
)

// LockName is the file in the scanned directory on which svscan holds an
// exclusive flock for as long as it runs, so that a second svscan or
// svscanboot on the same directory refuses to start instead of starting a
// second supervise for every service. The name starts with a dot: scans
// skip it, and so does svscanboot's `DIR/*`.
const LockName = layout.ScanLock

// InheritedLockFD is the descriptor on which svscanboot hands svscan the
// lock it took before its clean-up, so that no other instance can slip in
// between the two.
const InheritedLockFD = 3

// LockError is a failure to take the lock.
type LockError struct {
	Op   string // "open" or "acquire"
	Path string // as shown in messages
	Err  error
}

func (e *LockError) Error() string { return e.Message() }
func (e *LockError) Unwrap() error { return e.Err }

// Busy reports whether another process holds the lock.
func (e *LockError) Busy() bool {
	return e.Op == "acquire" && errors.Is(e.Err, unix.EWOULDBLOCK)
}

// Message is the diagnostic text (after "PROG: fatal: " or "PROG: warning: ").
func (e *LockError) Message() string {
	m := "unable to " + e.Op + " " + e.Path + ": " + errstr.Text(e.Err)
	if e.Busy() {
		m += ": another svscan is running"
	}
	return m
}

// Lock opens path (creating it, mode 0644; read-only if the directory is
// not writable but the file exists) and takes an exclusive flock on it
// without waiting. If descriptor inherited is open on the same file, it is
// used instead, so that a lock taken by a parent carries over. The
// descriptor returned is close-on-exec: supervise does not inherit it.
// shown is path as messages show it.
func Lock(path, shown string, inherited int) (int, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC|unix.O_NOCTTY, 0o644)
	if err != nil {
		var rerr error
		if fd, rerr = unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY, 0); rerr != nil {
			return -1, &LockError{Op: "open", Path: shown, Err: err}
		}
	}
	if inherited >= 0 && sameFile(fd, inherited) {
		unix.Close(fd)
		fd = inherited
		unix.CloseOnExec(fd)
	}
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		unix.Close(fd)
		return -1, &LockError{Op: "acquire", Path: shown, Err: err}
	}
	return fd, nil
}

func sameFile(a, b int) bool {
	var sa, sb unix.Stat_t
	if unix.Fstat(a, &sa) != nil || unix.Fstat(b, &sb) != nil {
		return false
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino
}
