package superviseproc

import (
	"os"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/errstr"
	"github.com/daemontools-go/daemontools/internal/supervise"
)

// setUp is 0.76's start-up sequence (§2.3); the order is observable.
func (s *supervisor) setUp() int {
	dir := s.dir
	var err error
	if s.w, err = newWaiter(); err == nil && !s.usePidfd {
		err = s.w.watchSIGCHLD()
	}
	if err != nil {
		return s.fatal("unable to create pipe for ", dir, diag.Err(err))
	}
	if err := unix.Chdir(dir); err != nil {
		return s.fatal("unable to chdir to ", dir, diag.Err(err))
	}
	var st unix.Stat_t
	down := true
	if err := unix.Stat("down", &st); err == unix.ENOENT {
		down = false
	} else if err != nil {
		return s.fatal("unable to stat ", dir, "/down", diag.Err(err))
	}
	if code := makeSuperviseDir(); code != 0 {
		return code
	}
	lock, err := unix.Open(lockFile, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o600)
	if err == nil {
		err = unix.Flock(lock, unix.LOCK_EX|unix.LOCK_NB)
	}
	if err != nil {
		return s.fatal("unable to acquire ", dir, "/", lockFile, diag.Err(err))
	}
	unix.Mkfifo(controlFIFO, 0o600) //nolint:errcheck // 0.76 ignores it; the open tells
	if s.ctl, err = unix.Open(controlFIFO, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0); err != nil {
		return s.fatal("unable to read ", dir, "/", controlFIFO, diag.Err(err))
	}
	// Kept open for ever, so that reads never see end of file when an svc
	// closes its end.
	if _, err = unix.Open(controlFIFO, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0); err != nil {
		return s.fatal("unable to write ", dir, "/", controlFIFO, diag.Err(err))
	}
	if err := s.w.add(s.ctl); err != nil {
		return s.fatal("unable to create pipe for ", dir, diag.Err(err))
	}
	s.feed(supervise.Event{Kind: supervise.Boot, Down: down})
	unix.Mkfifo(okFIFO, 0o600) //nolint:errcheck
	// Only now does svok succeed: the status file exists by then.
	if _, err = unix.Open(okFIFO, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0); err != nil {
		return s.fatal("unable to read ", dir, "/", okFIFO, diag.Err(err))
	}
	s.feed(supervise.Event{Kind: supervise.Enter})
	return 0
}

// makeSuperviseDir creates supervise/ (mode 0700, errors ignored). Debian's
// patch: if supervise is a symlink whose target does not exist yet, the
// target is created instead; its message has no prefix.
func makeSuperviseDir() int {
	if unix.Mkdir("supervise", 0o700) == nil {
		return 0
	}
	var buf [256]byte
	n, err := unix.Readlink("supervise", buf[:])
	switch {
	case err == unix.ENOENT || err == unix.EINVAL:
		return 0
	case err == nil && n == len(buf):
		err = unix.EOVERFLOW
	case err == nil:
		unix.Mkdir(string(buf[:n]), 0o700) //nolint:errcheck // the lock open tells
		return 0
	}
	os.Stderr.WriteString("unable to readlink ./supervise: " + errstr.Text(err) + "\n")
	return diag.ExitTemporary
}

func (s *supervisor) fatal(parts ...string) int {
	s.log.Fatal(parts...)
	return diag.ExitTemporary
}
