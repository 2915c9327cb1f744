// Package svdir reads and controls a supervised service directory from the
// outside, the way svc, svstat and svok of daemontools 0.76 do, through the
// files supervise keeps there:
//
//	down               if present, the service is normally down
//	supervise/control  FIFO: command bytes for supervise
//	supervise/ok       FIFO: opening it for writing succeeds iff supervise runs
//	supervise/status   the 18-byte status record (package status)
//
// FIFOs are opened with O_NONBLOCK by raw system calls (never through Go's
// poller): with no reader, opening for writing fails with ENXIO at once,
// which means "supervise not running".
//
// Every function works relative to a directory descriptor, unix.AT_FDCWD for
// the working directory, so that tools may chdir as 0.76 does or not.
package svdir

import (
	"errors"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/layout"
)

// ErrNotRunning is what ENXIO on opening a FIFO for writing means.
var ErrNotRunning = errors.New("supervise not running")

// ControlError is a failure of Send: opening supervise/control (Write false)
// or writing to it (Write true).
type ControlError struct {
	Write bool
	Err   error // ErrNotRunning or a unix.Errno
}

func (e *ControlError) Error() string { return e.Err.Error() }
func (e *ControlError) Unwrap() error { return e.Err }

// openFIFO opens a FIFO for writing without blocking; ENXIO becomes ErrNotRunning.
func openFIFO(at int, path string) (int, error) {
	fd, err := unix.Openat(at, path, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err == unix.ENXIO {
		return -1, ErrNotRunning
	}
	return fd, err
}

// Send writes cmds to supervise/control in a single write, as svc does: the
// descriptor is switched to blocking first, and nothing is written when cmds
// is empty (Send then only checks that supervise runs).
func Send(at int, cmds []byte) error {
	fd, err := openFIFO(at, layout.Control)
	if err != nil {
		return &ControlError{Err: err}
	}
	defer unix.Close(fd)
	if len(cmds) == 0 {
		return nil
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		return &ControlError{Write: true, Err: err}
	}
	n, err := unix.Write(fd, cmds)
	if err == nil && n < len(cmds) {
		err = unix.EPIPE
	}
	if err != nil {
		return &ControlError{Write: true, Err: err}
	}
	return nil
}

// Pending reports whether bytes wait in supervise/control, not yet read
// by its supervise (none runs: false).
func Pending(at int) bool {
	fd, err := openFIFO(at, layout.Control)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	return Queued(fd)
}

// Queued reports whether bytes wait in the FIFO (or pipe) open as fd.
func Queued(fd int) bool {
	n, err := unix.IoctlGetInt(fd, unix.TIOCINQ)
	return err == nil && n > 0
}

// Running reports whether a supervise holds supervise/ok open, as svok
// decides it: ENOENT and ENXIO mean no; other errors are returned.
func Running(at int) (bool, error) {
	fd, err := openFIFO(at, layout.OK)
	switch {
	case err == nil:
		unix.Close(fd)
		return true, nil
	case err == ErrNotRunning || err == unix.ENOENT:
		return false, nil
	}
	return false, err
}

// normallyUp reports whether no down file exists; a stat error other than
// ENOENT is returned.
func normallyUp(at int) (bool, error) {
	var st unix.Stat_t
	err := unix.Fstatat(at, layout.Down, &st, 0)
	if err == nil {
		return false, nil
	}
	if err == unix.ENOENT {
		return true, nil
	}
	return false, err
}

// StatError is a failed step of svstat: its text is "unable to STEP: ERR"
// except for a supervise that is not running.
type StatError struct {
	Step string // "stat down", "open supervise/ok", ...
	Err  error
}

func (e *StatError) Error() string { return "unable to " + e.Step + ": " + e.Err.Error() }
func (e *StatError) Unwrap() error { return e.Err }
