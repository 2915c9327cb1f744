package logview

import (
	"errors"
	"os"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/tai64"
)

// logDir is an open log directory: every file is opened relative to fd,
// and path is only for messages.
type logDir struct {
	path string
	fd   int
}

func openDir(path string) (*logDir, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return &logDir{path: path, fd: fd}, nil
}

func (d *logDir) close() { unix.Close(d.fd) }

// file is the path of name in the directory, for messages.
func (d *logDir) file(name string) string { return d.path + "/" + name }

// isArchive tells an archive's name: '@', a TAI64N label, ".s" or ".u".
func isArchive(name string) bool {
	if len(name) != tai64.TextSize+2 || name[tai64.TextSize] != '.' {
		return false
	}
	if c := name[tai64.TextSize+1]; c != 's' && c != 'u' {
		return false
	}
	_, ok := tai64.Parse([]byte(name[:tai64.TextSize]))
	return ok
}

// list returns the files of the log in the order of their content: the
// archives by name (their names are the times they were archived), then
// previous while multilog archives it, then current.
func (d *logDir) list() ([]string, error) {
	fd, err := unix.Openat(d.fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: d.path, Err: err}
	}
	dir := os.NewFile(uintptr(fd), d.path)
	defer dir.Close()
	all, err := dir.Readdirnames(-1)
	if err != nil {
		return nil, &os.PathError{Op: "read", Path: d.path, Err: cause(err)}
	}
	names := all[:0]
	var previous, current bool
	for _, name := range all {
		switch {
		case isArchive(name):
			names = append(names, name)
		case name == layout.LogPrevious:
			previous = true
		case name == layout.LogCurrent:
			current = true
		}
	}
	slices.Sort(names)
	if previous {
		names = append(names, layout.LogPrevious)
	}
	if current {
		names = append(names, layout.LogCurrent)
	}
	return names, nil
}

// segment is one open file of the log.
type segment struct {
	f    *os.File
	name string // the name it had when last seen
	dev  uint64
	ino  uint64
	size int64 // when opened
}

// open opens name, which must be a regular file; a missing file is (nil,
// nil). multilog writes nothing else: a symbolic link or a device there
// is not read (svctl serve runs as root and shows logs to others), and a
// FIFO does not block the open.
func (d *logDir) open(name string) (*segment, error) {
	fd, err := unix.Openat(d.fd, name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if errors.Is(err, unix.ENOENT) {
		return nil, nil
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: d.file(name), Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "stat", Path: d.file(name), Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, &os.PathError{Op: "open", Path: d.file(name), Err: errNotRegular}
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "open", Path: d.file(name), Err: err}
	}
	return &segment{f: os.NewFile(uintptr(fd), d.file(name)), name: name, dev: st.Dev, ino: st.Ino, size: st.Size}, nil
}

// errNotRegular is a file of the log that is not a regular file.
var errNotRegular = errors.New("not a regular file")

func (s *segment) close() { s.f.Close() }

// same tells whether st is the file s.
func (s *segment) same(st *unix.Stat_t) bool { return st.Dev == s.dev && st.Ino == s.ino }

// archived tells whether s was last seen as an archive, whose name and
// content no longer change.
func (s *segment) archived() bool { return isArchive(s.name) }

// unsafe tells an archive of a multilog that died: its last line may be
// cut short, and it ends there all the same.
func (s *segment) unsafe() bool { return s.archived() && s.name[len(s.name)-1] == 'u' }

// stat stats name; a missing file is (false, nil).
func (d *logDir) stat(name string, st *unix.Stat_t) (bool, error) {
	err := unix.Fstatat(d.fd, name, st, 0)
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	if err != nil {
		return false, &os.PathError{Op: "stat", Path: d.file(name), Err: err}
	}
	return true, nil
}

// isCurrent tells whether s is current now.
func (d *logDir) isCurrent(s *segment) (bool, error) {
	var st unix.Stat_t
	ok, err := d.stat(layout.LogCurrent, &st)
	return ok && s.same(&st), err
}

// stable runs act between two listings of the directory until both give
// the same names. Every step of multilog's (a rotation, an archive, a
// removal) changes the names, so what act did happened in one state of
// the directory, the one names shows. act closes what it opened when it
// fails or is run again.
func (d *logDir) stable(act func(names []string) error) error {
	for {
		names, err := d.list()
		if err != nil {
			return err
		}
		if err := act(names); err != nil {
			return err
		}
		again, err := d.list()
		if err != nil || slices.Equal(names, again) {
			return err
		}
	}
}

// snapshot lists the archives and opens previous and current (nil when
// missing), all as they were at one time.
func (d *logDir) snapshot() (archives []string, previous, current *segment, err error) {
	closeAll := func() {
		for _, s := range []*segment{previous, current} {
			if s != nil {
				s.close()
			}
		}
		previous, current = nil, nil
	}
	err = d.stable(func(names []string) error {
		closeAll()
		archives = names
		for len(archives) > 0 && !isArchive(archives[len(archives)-1]) {
			archives = archives[:len(archives)-1]
		}
		var err error
		if previous, err = d.open(layout.LogPrevious); err == nil {
			current, err = d.open(layout.LogCurrent)
		}
		return err
	})
	if err != nil {
		closeAll()
	}
	return archives, previous, current, err
}

// removed tells whether the directory has been removed.
func (d *logDir) removed() bool {
	var st unix.Stat_t
	return unix.Fstat(d.fd, &st) == nil && st.Nlink == 0
}

// cause is the system error inside err, if it holds one.
func cause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
