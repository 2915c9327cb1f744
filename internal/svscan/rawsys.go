package svscan

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Raw system calls for the calls of an idle scan.
//
// The Go runtime's monitor thread (sysmon) sleeps until the next timer, so
// it wakes together with svscan's 5-second timer. When the scan's first
// system call comes before sysmon has seen its own time-out, entering the
// call wakes sysmon "from a system call", and it then polls every 20 µs,
// backing off over about 60 wake-ups: the wake-ups per minute of an idle
// svscan swung from 36 to over 200 between runs. The calls of a scan
// (wait4 without waiting, open, statx, getdents64, close of a directory)
// do not block for long, so they are made as raw system calls, which the
// scheduler does not see. Starting a supervise uses ordinary calls.

// pathBuf holds a NUL-terminated copy of a path for a raw call.
type pathBuf []byte

func (p *pathBuf) set(name string) *byte {
	*p = append(append((*p)[:0], name...), 0)
	return &(*p)[0]
}

// setLog holds name + "/log".
func (p *pathBuf) setLog(name string) *byte {
	*p = append(append(append((*p)[:0], name...), "/log"...), 0)
	return &(*p)[0]
}

// atFDCWD is AT_FDCWD (-100) as a system call argument.
var atFDCWD = int(unix.AT_FDCWD)

func errnoErr(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func rawOpenDir(path *byte) (int, error) {
	fd, _, e := syscall.RawSyscall6(unix.SYS_OPENAT, uintptr(atFDCWD), uintptr(unsafe.Pointer(path)),
		uintptr(unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NONBLOCK), 0, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

func rawClose(fd int) {
	syscall.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0)
}

func rawGetdents(fd int, buf []byte) (int, error) {
	n, _, e := syscall.RawSyscall(unix.SYS_GETDENTS64, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
	return int(n), errnoErr(e)
}

// rawStatx is statx(dirfd, path, flags, mask, st).
func rawStatx(dirfd int, path *byte, flags, mask int, st *unix.Statx_t) error {
	_, _, e := syscall.RawSyscall6(unix.SYS_STATX, uintptr(dirfd), uintptr(unsafe.Pointer(path)),
		uintptr(flags), uintptr(mask), uintptr(unsafe.Pointer(st)), 0)
	return errnoErr(e)
}
