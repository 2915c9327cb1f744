package fghack

import (
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/pathexec"
)

// Error is a failure in fghack's words: the message is
// "fghack: fatal: " + Msg + ": " + the error text.
type Error struct {
	Msg string
	Err error
}

func (e *Error) Error() string { return e.Msg + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// Run runs args (searched along $PATH) with env and the pipe copies laid out
// by ChildFiles, reads the pipe until every copy is closed, then waits for
// the child and returns its wait status. It is the only place that waits.
//
// 0.76 forks first and searches $PATH in the child; Go cannot fork without
// exec, so each candidate path is tried with its own fork and exec, and a
// failure to fork is reported like a failure to exec.
func Run(args, env []string) (unix.WaitStatus, error) {
	inherited := Inherited()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return 0, &Error{"unable to create pipe", err}
	}
	r, w := p[0], p[1]
	defer unix.Close(r)
	files := ChildFiles(inherited, w)
	attr := &syscall.ProcAttr{Env: env, Files: make([]uintptr, len(files))}
	for i, fd := range files {
		attr.Files[i] = uintptr(fd) // -1 becomes ^uintptr(0): "closed"
	}
	var pid int
	err := pathexec.Search(args[0], env, func(path string) error {
		var err error
		pid, err = syscall.ForkExec(path, args, attr)
		return err
	})
	unix.Close(w) //nolint:errcheck
	if err != nil {
		return 0, &Error{"unable to run " + args[0], err}
	}
	drain(r)
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err == nil {
			return ws, nil
		}
		if err != unix.EINTR {
			return 0, &Error{"wait failed", err}
		}
	}
}

// drain reads fd until end of file (or an error other than EINTR).
func drain(fd int) {
	var buf [512]byte
	for {
		n, err := unix.Read(fd, buf[:])
		if err == unix.EINTR {
			continue
		}
		if n <= 0 {
			return
		}
	}
}
