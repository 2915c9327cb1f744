package logview

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/layout"
)

// watchMask is what wakes the follower: writes to current (IN_MODIFY) and
// every step of a rotation (current renamed to previous, a new current
// created, previous linked to its archive name and removed, old archives
// removed), and the end of the directory.
const watchMask = unix.IN_MODIFY | unix.IN_CREATE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO |
	unix.IN_DELETE | unix.IN_DELETE_SELF | unix.IN_ONLYDIR

// parentMask wakes the follower when the directory is removed: its own
// IN_DELETE_SELF waits until the follower closes the files it holds open
// in it.
const parentMask = unix.IN_DELETE | unix.IN_ONLYDIR

// errHangup: the reader of the output pipe has gone.
var errHangup = &writeError{unix.EPIPE}

// errGone: the log directory was removed.
var errGone = errors.New("directory removed")

// follower prints what multilog appends to the log, across rotations.
//
// It reads one file at a time, s, to its end. Before each read it checks
// whether s is still current: multilog writes to a file only while it is
// current and renames it only after its last write, so once s is no
// longer current, reading it to the end reads all of it, and the next of
// the log's files in name order (found again after each rotation, see
// next) holds what came after. inotify on the directory says when to look
// again; nothing polls with a timer.
type follower struct {
	d       *logDir
	p       *printer
	s       *segment // the file being read; nil before the log has one
	inotify int
	wd      int // the directory's watch
	out     int // the output's descriptor when it is a pipe, else -1
	buf     []byte
	events  []byte
}

// watch starts watching d, before anything is read from it.
func (d *logDir) watch(p *printer, out io.Writer) (*follower, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, &os.PathError{Op: "watch", Path: d.path, Err: err}
	}
	wd, err := unix.InotifyAddWatch(fd, d.path, watchMask)
	if err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "watch", Path: d.path, Err: err}
	}
	unix.InotifyAddWatch(fd, d.path+"/..", parentMask) //nolint:errcheck // without it, a removal goes unseen
	return &follower{d: d, p: p, inotify: fd, wd: wd, out: pipeFD(out), buf: make([]byte, readSize),
		events: make([]byte, 64<<10)}, nil
}

// pipeFD is w's descriptor if w is a pipe, whose reader going away the
// follower notices without writing.
func pipeFD(w io.Writer) int {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok {
		return -1
	}
	fd := int(f.Fd())
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return -1
	}
	return fd
}

func (f *follower) close() {
	unix.Close(f.inotify)
	if f.s != nil {
		f.s.close()
	}
}

// run follows until the output cannot be written or an error.
func (f *follower) run() error {
	for {
		if err := f.catchUp(); err != nil {
			return err
		}
		if err := f.p.flush(); err != nil {
			return err
		}
		if err := f.wait(); err != nil {
			return err
		}
	}
}

// catchUp reads everything written since it last ran.
func (f *follower) catchUp() error {
	for {
		current := false
		if f.s != nil {
			var err error
			if current, err = f.d.isCurrent(f.s); err != nil {
				return err
			}
			if err := f.p.copy(f.s.f, f.s.f.Name(), f.buf); err != nil {
				return err
			}
		}
		if current {
			return nil
		}
		next, err := f.next()
		if next == nil || err != nil {
			return err
		}
		if f.s != nil {
			if f.s.unsafe() {
				f.p.endLine()
			}
			f.s.close()
		}
		f.s = next
	}
}

// next opens the file that follows s in the log, which is no longer
// current: an archive after s's, previous, or current. It returns nil
// when there is none yet (current is being replaced).
func (f *follower) next() (*segment, error) {
	var next *segment
	err := f.d.stable(func(names []string) error {
		if next != nil {
			next.close()
			next = nil
		}
		i, err := f.position(names)
		if err != nil {
			return err
		}
		for _, name := range names[i:] {
			s, err := f.d.open(name)
			if s == nil || err != nil {
				return err // missing: the names have changed
			}
			if f.s != nil && f.s.dev == s.dev && f.s.ino == s.ino {
				s.close() // previous and its archive are one file
				continue
			}
			next = s
			return nil
		}
		return nil
	})
	if err != nil && next != nil {
		next.close()
		next = nil
	}
	if next == nil && f.d.removed() {
		err = &os.PathError{Op: "follow", Path: f.d.path, Err: errGone}
	}
	return next, err
}

// position returns the index in names of the first file that may follow
// s. An archive is placed by its name. A file read as current or previous
// is found by its inode, from the newest; if it is no longer there (a
// processor replaced it, or multilog removed it as the oldest archive),
// current follows it.
func (f *follower) position(names []string) (int, error) {
	if f.s == nil {
		return 0, nil
	}
	archives := len(names)
	for archives > 0 && !isArchive(names[archives-1]) {
		archives--
	}
	if f.s.archived() {
		i, _ := slices.BinarySearch(names[:archives], f.s.name)
		for i < archives && names[i] == f.s.name {
			i++
		}
		return i, nil
	}
	for i := len(names) - 1; i >= 0; i-- {
		if names[i] == layout.LogCurrent {
			continue
		}
		var st unix.Stat_t
		ok, err := f.d.stat(names[i], &st)
		if err != nil {
			return 0, err
		}
		if ok && f.s.same(&st) {
			f.s.name = names[i]
			return i + 1, nil
		}
	}
	if len(names) > 0 && names[len(names)-1] == layout.LogCurrent {
		return len(names) - 1, nil
	}
	return len(names), nil // nothing yet
}

// wait blocks until the directory changes, or the output pipe's reader
// goes away.
func (f *follower) wait() error {
	fds := []unix.PollFd{{Fd: int32(f.inotify), Events: unix.POLLIN}}
	if f.out >= 0 {
		fds = append(fds, unix.PollFd{Fd: int32(f.out)})
	}
	for {
		_, err := unix.Poll(fds, -1)
		if err == nil {
			break
		}
		if err != unix.EINTR {
			return &os.PathError{Op: "watch", Path: f.d.path, Err: err}
		}
	}
	if len(fds) > 1 && fds[1].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
		return errHangup
	}
	for {
		n, err := unix.Read(f.inotify, f.events)
		switch {
		case err == unix.EAGAIN:
			return nil
		case err == unix.EINTR:
			continue
		case err != nil:
			return &os.PathError{Op: "watch", Path: f.d.path, Err: err}
		}
		// struct inotify_event: wd, mask, cookie, len (4 bytes each), name.
		// Events only wake the follower, but for the end of the watch.
		for b := f.events[:n]; len(b) >= unix.SizeofInotifyEvent; {
			wd, mask := int(int32(binary.NativeEndian.Uint32(b))), binary.NativeEndian.Uint32(b[4:])
			if wd == f.wd && mask&(unix.IN_DELETE_SELF|unix.IN_IGNORED|unix.IN_UNMOUNT) != 0 {
				return &os.PathError{Op: "follow", Path: f.d.path, Err: errGone}
			}
			b = b[min(len(b), unix.SizeofInotifyEvent+int(binary.NativeEndian.Uint32(b[12:]))):]
		}
	}
}
