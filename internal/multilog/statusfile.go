package multilog

import (
	"golang.org/x/sys/unix"
)

// statusSize is what the = action writes over the start of its file: the
// line (at most lineMax bytes) padded with newlines.
const statusSize = lineMax + 1

// statusFile is an =file action: the last selected line, padded to 1001
// bytes with '\n', written at offset 0. Only the latest line matters, so a
// line is kept until the next read boundary and older ones are dropped.
type statusFile struct {
	env   *Env
	name  string
	fd    int
	buf   [statusSize]byte
	n     int // length of the line in buf; the rest is padding
	dirty bool
}

// openStatusFile creates the file if needed (0600) and opens it for
// writing without truncating it (§9.6).
func openStatusFile(env *Env, startfd int, name string) (*statusFile, error) {
	fd, err := unix.Openat(startfd, name, openAppend, 0o600)
	if err != nil {
		return nil, fatal(err, "unable to create ", name)
	}
	unix.Close(fd)
	if fd, err = unix.Openat(startfd, name, openWrite, 0); err != nil {
		return nil, fatal(err, "unable to write ", name)
	}
	return &statusFile{env: env, name: name, fd: fd}, nil
}

// set records line as the file's next content.
func (s *statusFile) set(line []byte) {
	s.n = copy(s.buf[:lineMax], line)
	s.dirty = true
}

// flush writes the recorded line, retrying with 5-second pauses.
func (s *statusFile) flush() {
	if !s.dirty {
		return
	}
	s.dirty = false
	for i := s.n; i < statusSize; i++ {
		s.buf[i] = '\n'
	}
	for {
		if _, err := unix.Seek(s.fd, 0, 0); err != nil {
			s.env.pause(err, "unable to move to beginning of ", s.name)
			continue
		}
		p := s.buf[:]
		for len(p) > 0 {
			w, err := unix.Write(s.fd, p)
			if w > 0 {
				p = p[w:]
				continue
			}
			if err == unix.EINTR {
				continue
			}
			if err == nil {
				err = unix.EIO
			}
			s.env.pause(err, "unable to write ", s.name)
			break
		}
		if len(p) == 0 {
			return
		}
	}
}

func (s *statusFile) close() { unix.Close(s.fd) }
