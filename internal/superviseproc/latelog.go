package superviseproc

import "golang.org/x/sys/unix"

// lateLogFIFO is where our svscan leaves the log pipe of a service that got
// a log/ directory while it already ran without one (0.76 ignores such a
// log until the service leaves the scanned directory; the daemontools how-to
// adds one and expects `svc -t` to be enough). svscan holds the FIFO open
// at both ends and has started `supervise log` on it; from the next start
// of ./run on, the service's output goes there (docs/svscan.md).
const lateLogFIFO = "supervise/log.fifo"

var lateLogPath = cPath(lateLogFIFO)

// adoptLateLog makes the FIFO left by svscan, if any, supervise's fd 1
// (which every ./run gets) and removes its name. A FIFO nobody reads (left
// by an svscan that has died) cannot be opened and is ignored, as is
// anything that is not a FIFO.
func adoptLateLog() {
	fd, err := openPath(lateLogPath, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return
	}
	// Blocking again, as a pipe from svscan is: a service writing faster
	// than its logger waits rather than losing lines.
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFL, unix.O_WRONLY); err != nil {
		return
	}
	if unix.Dup3(fd, 1, 0) == nil {
		unix.Unlink(lateLogFIFO) //nolint:errcheck // adopted; the name is no longer needed
	}
}
