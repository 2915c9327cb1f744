package pathexec

import (
	"errors"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Prepared is an exec made ready in advance: the candidate paths of the
// search and the argument and environment vectors are already C strings, so
// that Exec allocates no memory.
//
// softlimit needs this: once it has lowered RLIMIT_AS or RLIMIT_DATA below
// what the Go runtime has already mapped, any heap growth kills the process
// with "fatal error: out of memory", while execve itself is fine.
type Prepared struct {
	paths []*byte
	argv  []*byte
	envv  []*byte
}

// Prepare makes ready the exec of args[0] with args and env, searched as
// Search does.
//
// Prepare also restores the soft RLIMIT_NOFILE that the Go runtime raised
// at start-up, as syscall.Exec does before every execve, so that the child
// starts with the limit this process was given. Change resource limits after
// Prepare, not before.
func Prepare(args []string, env []string) (*Prepared, error) {
	p := &Prepared{}
	var err error
	if p.argv, err = syscall.SlicePtrFromStrings(args); err != nil {
		return nil, err
	}
	if p.envv, err = syscall.SlicePtrFromStrings(env); err != nil {
		return nil, err
	}
	err = Search(args[0], env, func(path string) error {
		b, err := syscall.BytePtrFromString(path)
		if err != nil {
			return err
		}
		p.paths = append(p.paths, b)
		return unix.ENOENT // go on: collect every candidate
	})
	if !errors.Is(err, unix.ENOENT) {
		return nil, err
	}
	restoreNofile()
	return p, nil
}

// restoreNofile puts back the soft RLIMIT_NOFILE that package syscall raised
// at start-up. The original value is private to syscall, which restores it
// in syscall.Exec right before execve; an exec of the empty path, which
// always fails with ENOENT and starts nothing, has just that effect.
func restoreNofile() {
	syscall.Exec("", nil, nil) //nolint:errcheck // fails by design
}

// Exec replaces the process with the prepared program. It returns only on
// failure, with the error number Search would have chosen, and allocates
// nothing.
func (p *Prepared) Exec() unix.Errno {
	var saved unix.Errno
	for _, path := range p.paths {
		_, _, e := unix.RawSyscall(unix.SYS_EXECVE,
			uintptr(unsafe.Pointer(path)),
			uintptr(unsafe.Pointer(&p.argv[0])),
			uintptr(unsafe.Pointer(&p.envv[0])))
		goOn, remember := next(e)
		if remember {
			saved = e
		}
		if !goOn {
			return e
		}
	}
	if saved != 0 {
		return saved
	}
	return unix.ENOENT
}
