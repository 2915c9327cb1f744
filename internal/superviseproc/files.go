package superviseproc

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/status"
)

// Paths inside the service directory.
const (
	lockFile      = "supervise/lock"
	controlFIFO   = "supervise/control"
	okFIFO        = "supervise/ok"
	statusFile    = "supervise/status"
	statusNewFile = "supervise/status.new"
)

// The status file is written on every state change. With GOGC=off nothing
// may allocate in the loop, and unix.Open and unix.Rename copy their path
// arguments on every call; these are converted once.
var (
	statusPath    = cPath(statusFile)
	statusNewPath = cPath(statusNewFile)
)

// atCWD is AT_FDCWD as a variable: the constant is negative and cannot be
// converted to uintptr at compile time.
var atCWD = unix.AT_FDCWD

func cPath(s string) *byte {
	p, err := unix.BytePtrFromString(s)
	if err != nil {
		panic(err)
	}
	return p
}

// openPath is open(2) relative to the working directory.
func openPath(p *byte, flags int, mode uint32) (int, error) {
	fd, _, e := unix.Syscall6(unix.SYS_OPENAT, uintptr(atCWD), uintptr(unsafe.Pointer(p)), uintptr(flags), uintptr(mode), 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

// renamePath is rename(2) relative to the working directory.
func renamePath(from, to *byte) error {
	_, _, e := unix.Syscall6(unix.SYS_RENAMEAT, uintptr(atCWD), uintptr(unsafe.Pointer(from)), uintptr(atCWD), uintptr(unsafe.Pointer(to)), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// announce writes the status record through status.new and a rename (§2.5).
func (s *supervisor) announce(st status.Status) {
	b := st.Encode()
	fd, err := openPath(statusNewPath, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o644)
	if err != nil {
		s.log.Warn("unable to open ", s.dir, "/", statusNewFile, diag.Err(err))
		return
	}
	n, err := unix.Write(fd, b[:])
	unix.Close(fd)
	if err != nil {
		s.log.Warn("unable to write ", s.dir, "/", statusNewFile, diag.Err(err))
		return
	}
	if n < len(b) {
		s.log.Warn("unable to write ", s.dir, "/", statusNewFile, ": partial write")
		return
	}
	if err := renamePath(statusNewPath, statusPath); err != nil {
		s.log.Warn("unable to rename ", s.dir, "/", statusNewFile, " to status", diag.Err(err))
	}
}
