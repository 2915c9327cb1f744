package lean

import "golang.org/x/sys/unix"

// CloseInherited marks descriptors 3 and up close-on-exec, so that the
// services a supervisor starts get only 0, 1 and 2, whatever it inherited
// (supervise, and svscan -C, which supervises its services itself).
func CloseInherited() {
	if unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC) == nil {
		return
	}
	var lim unix.Rlimit
	n := uint64(1024)
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil && lim.Cur < 1<<16 {
		n = lim.Cur
	}
	for fd := 3; fd < int(n); fd++ {
		unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC) //nolint:errcheck // most are not open
	}
}
