package multilog

import (
	"bytes"
	"errors"
	"github.com/daemontools-go/daemontools/internal/layout"

	"golang.org/x/sys/unix"
)

// Open flags of daemontools' open_* helpers (§1.5), plus close-on-exec:
// descriptors multilog keeps are never inherited by processors.
const (
	openAppend = unix.O_WRONLY | unix.O_APPEND | unix.O_CREAT | unix.O_NONBLOCK | unix.O_CLOEXEC // mode 0600
	openTrunc  = unix.O_WRONLY | unix.O_TRUNC | unix.O_CREAT | unix.O_NONBLOCK | unix.O_CLOEXEC  // mode 0644
	openRead   = unix.O_RDONLY | unix.O_NONBLOCK | unix.O_CLOEXEC
	openWrite  = unix.O_WRONLY | unix.O_NONBLOCK | unix.O_CLOEXEC
)

// rotateMargin: current is rotated at the first line end within this many
// bytes of the size limit.
const rotateMargin = 2000

// logDir is one log directory of the script. All file operations are
// relative to dirfd, so multilog never depends on its working directory.
type logDir struct {
	env     *Env
	name    string // DIR exactly as written, for messages
	size    uint64
	num     uint64
	hasProc bool
	proc    string

	dirfd  int
	lockfd int
	cur    int    // descriptor of current, open for append
	bytes  uint64 // size of current
	out    []byte // lines not yet handed to write(2)
	sel    bool   // selected for the line being processed
	dirbuf []byte // for reading the directory
}

// openLogDir creates (one level), locks and recovers a log directory (§9.7).
func openLogDir(env *Env, startfd int, a Action) (*logDir, error) {
	d := &logDir{env: env, name: a.Arg, size: a.Size, num: a.Num, hasProc: a.HasProc, proc: a.Proc,
		dirfd: -1, lockfd: -1, cur: -1}
	unix.Mkdirat(startfd, d.name, 0o700) //nolint:errcheck // 0.76 ignores it; the open below reports
	fd, err := unix.Openat(startfd, d.name, openRead|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, fatal(err, "unable to open directory ", d.name)
	}
	d.dirfd = fd
	if d.lockfd, err = unix.Openat(d.dirfd, layout.LogLock, openAppend, 0o600); err == nil {
		err = flockNB(d.lockfd)
	}
	if err != nil {
		d.close()
		return nil, fatal(err, "unable to lock directory ", d.name)
	}
	if err := d.recover(); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

func flockNB(fd int) error {
	for {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		if err != unix.EINTR {
			return err
		}
	}
}

// recover opens current after a clean shutdown (mode has 0100), or else
// archives what a crashed multilog left behind and starts afresh.
func (d *logDir) recover() error {
	var st unix.Stat_t
	err := unix.Fstatat(d.dirfd, layout.LogCurrent, &st, 0)
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return fatal(err, "unable to stat ", d.name, "/current")
	}
	if err == nil && st.Mode&0o100 != 0 {
		if d.cur, err = unix.Openat(d.dirfd, layout.LogCurrent, openAppend, 0o600); err != nil {
			return fatal(err, "unable to append to ", d.name, "/current")
		}
		if err := unix.Fchmod(d.cur, 0o644); err != nil {
			return fatal(err, "unable to set mode of ", d.name, "/current")
		}
		if err := unix.Fstat(d.cur, &st); err != nil {
			return fatal(err, "unable to append to ", d.name, "/current")
		}
		d.bytes = uint64(st.Size)
		return nil
	}
	unix.Unlinkat(d.dirfd, layout.LogState, 0)    //nolint:errcheck
	unix.Unlinkat(d.dirfd, layout.LogNewState, 0) //nolint:errcheck
	err = unix.Fstatat(d.dirfd, layout.LogProcessed, &st, 0)
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return fatal(err, "unable to stat ", d.name, "/processed")
	}
	if err == nil && st.Mode&0o100 != 0 {
		unix.Unlinkat(d.dirfd, layout.LogPrevious, 0) //nolint:errcheck
		d.finish(layout.LogProcessed, 's')
	} else {
		unix.Unlinkat(d.dirfd, layout.LogProcessed, 0) //nolint:errcheck
		d.finish(layout.LogPrevious, 'u')
	}
	d.finish(layout.LogCurrent, 'u')
	fd, err := unix.Openat(d.dirfd, layout.LogState, openTrunc, 0o644)
	if err != nil {
		return fatal(err, "unable to write to ", d.name, "/state")
	}
	unix.Close(fd)
	if d.cur, err = unix.Openat(d.dirfd, layout.LogCurrent, openAppend, 0o600); err != nil {
		return fatal(err, "unable to write to ", d.name, "/current")
	}
	if err := unix.Fchmod(d.cur, 0o644); err != nil {
		return fatal(err, "unable to set mode of ", d.name, "/current")
	}
	d.bytes = 0
	return nil
}

// flush hands every pending byte to current, rotating on the way.
func (d *logDir) flush() {
	p := d.out
	for len(p) > 0 {
		p = p[d.write(p):]
	}
	d.out = d.out[:0]
}

// write writes a prefix of p to current and returns its length. current
// never exceeds size: when it is full it is rotated before the next write.
// Once current is within rotateMargin bytes of size, it is rotated right
// after the first line end, so a chunk is cut just after that '\n'.
func (d *logDir) write(p []byte) int {
	if d.bytes >= d.size {
		d.rotate()
	}
	n := uint64(len(p))
	n = min(n, d.size-d.bytes)
	threshold := d.size - rotateMargin
	from := uint64(0)
	if d.bytes+1 < threshold {
		from = threshold - d.bytes - 1 // first index whose '\n' reaches the threshold
	}
	if from < n {
		if i := bytes.IndexByte(p[from:n], '\n'); i >= 0 {
			n = from + uint64(i) + 1
		}
	}
	var w int
	for {
		var err error
		w, err = unix.Write(d.cur, p[:n])
		if w > 0 {
			break
		}
		if err == unix.EINTR {
			continue
		}
		if err == nil {
			err = unix.ENOSPC // a zero-length write of a non-empty buffer
		}
		d.env.pause(err, "unable to write to ", d.name, "/current")
	}
	d.bytes += uint64(w)
	if d.bytes >= threshold && p[w-1] == '\n' {
		d.rotate()
	}
	return w
}

// shutdown marks current as cleanly closed (§9.10): flush, fsync, mode 0744.
func (d *logDir) shutdown() {
	d.flush()
	for {
		err := unix.Fsync(d.cur)
		if err == nil {
			break
		}
		d.env.pause(err, "unable to write ", d.name, "/current to disk")
	}
	for {
		err := unix.Fchmod(d.cur, 0o744)
		if err == nil {
			break
		}
		d.env.pause(err, "unable to set mode of ", d.name, "/current")
	}
}

// close releases the descriptors (and so the lock).
func (d *logDir) close() {
	for _, fd := range []int{d.cur, d.lockfd, d.dirfd} {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
	d.cur, d.lockfd, d.dirfd = -1, -1, -1
}
