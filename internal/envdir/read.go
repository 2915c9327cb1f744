package envdir

import (
	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/pathexec"
)

// Error says what Read could not do, in envdir's words: the message is
// "envdir: fatal: unable to " + What + ": " + the error text.
type Error struct {
	What string
	Err  error
}

func (e *Error) Error() string { return "unable to " + e.What + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// Read returns the edits that directory dir asks for. Like 0.76 it changes
// into dir to read it (so a directory needs search permission, and reading
// it needs read permission) and comes back to the starting directory.
func Read(dir string) ([]pathexec.Edit, error) {
	orig, err := unix.Open(".", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &Error{"switch to current directory", err}
	}
	defer unix.Close(orig)
	if err := unix.Chdir(dir); err != nil {
		return nil, &Error{"switch to directory " + dir, err}
	}
	edits, err := readCwd(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Fchdir(orig); err != nil {
		return nil, &Error{"switch to starting directory", err}
	}
	return edits, nil
}

// readCwd reads the current directory, named dir in messages.
func readCwd(dir string) ([]pathexec.Edit, error) {
	fd, err := unix.Open(".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &Error{"read directory " + dir, err}
	}
	defer unix.Close(fd)
	var (
		edits []pathexec.Edit
		value Value
		buf   = make([]byte, 8192)
	)
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &Error{"read directory " + dir, err}
		}
		if n <= 0 {
			return edits, nil
		}
		_, _, names := unix.ParseDirent(buf[:n], -1, nil)
		for _, name := range names {
			if name[0] == '.' {
				continue
			}
			content, missing, err := readFile(name)
			if err != nil {
				return nil, &Error{"read " + dir + "/" + name, err}
			}
			edits = append(edits, value.Next(name, content, missing))
		}
	}
}

// readFile reads the whole file name; missing reports that it does not exist.
func readFile(name string) (content []byte, missing bool, err error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err == unix.ENOENT {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer unix.Close(fd)
	buf := make([]byte, 0, 256)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		switch {
		case err == unix.EINTR:
		case err != nil:
			return nil, false, err
		case n == 0:
			return buf, false, nil
		default:
			buf = buf[:len(buf)+n]
		}
	}
}
