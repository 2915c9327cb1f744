package svscan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"syscall"
	"unsafe"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/pathexec"
	"golang.org/x/sys/unix"
)

// spareFDs is how many descriptors svscan keeps free when it makes a pipe
// for a new logged service: one to read the directory and two for the
// pipe syscall.ForkExec uses to report a failed exec. 0.76 had no such
// margin, so the pipe that took its last descriptors also stopped it from
// ever reading the directory again.
const spareFDs = 3

// Supervise is the program svscan runs for every service, found through PATH.
const Supervise = "supervise"

// realSystem is the System of a running svscan: the current directory is
// the scanned one.
type realSystem struct {
	env   []string // passed to every supervise, and holds the PATH searched
	home  int      // the scanned directory, to come back to after a log start
	buf   []byte   // getdents buffer, reused
	ents  []Dirent // ReadDir's result, reused
	path  pathBuf  // for raw calls
	fatal error    // set when svscan cannot come back to the scanned directory
}

// NewSystem returns the real System. home is a descriptor of the scanned
// directory (the current one); env is the environment for supervise.
func NewSystem(home int, env []string) *realSystem {
	return &realSystem{env: env, home: home, buf: make([]byte, 32<<10)}
}

var dot = []byte{'.', 0}

func (s *realSystem) ReadDir() ([]Dirent, error) {
	fd, err := rawOpenDir(&dot[0])
	if err != nil {
		return nil, err
	}
	defer rawClose(fd)
	// A removed directory reads as empty: say so instead (0.76 is silent).
	var st unix.Statx_t
	if err := rawStatx(fd, &dot[1], unix.AT_EMPTY_PATH, unix.STATX_NLINK, &st); err == nil && st.Nlink == 0 {
		return nil, unix.ENOENT
	}
	// The names point into the buffer, which grows when a directory does
	// not fit: an idle scan allocates nothing, so the garbage collector has
	// nothing to do between scans.
	s.ents = s.ents[:0]
	used := 0
	for {
		if len(s.buf)-used < 4096 { // too small: read it all again in a bigger one
			s.buf = make([]byte, 2*len(s.buf))
			s.ents = s.ents[:0]
			used = 0
			if _, err := unix.Seek(fd, 0, 0); err != nil {
				return nil, err
			}
		}
		n, err := rawGetdents(fd, s.buf[used:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return s.ents, err
		}
		if n <= 0 {
			return s.ents, nil
		}
		s.ents = parseDirents(s.buf[used:used+n], s.ents)
		used += n
	}
}

// parseDirents appends the entries of a getdents64 buffer (struct
// linux_dirent64: ino, off, reclen, type, name NUL-terminated). The names
// share the buffer's memory.
func parseDirents(b []byte, ents []Dirent) []Dirent {
	for len(b) >= 19 {
		reclen := int(binary.NativeEndian.Uint16(b[16:18]))
		if reclen < 19 || reclen > len(b) {
			break
		}
		name := b[19:reclen]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		if ino := binary.NativeEndian.Uint64(b[0:8]); ino != 0 && len(name) > 0 {
			ents = append(ents, Dirent{Name: unsafe.String(&name[0], len(name)), Ino: ino, Type: b[18]})
		}
		b = b[reclen:]
	}
	return ents
}

func (s *realSystem) Stat(name string) (ID, bool, error) {
	var st unix.Statx_t
	err := rawStatx(atFDCWD, s.path.set(name), 0, unix.STATX_TYPE|unix.STATX_INO, &st)
	if err == unix.ENOSYS { // Linux before 4.11
		var old unix.Stat_t
		if err := unix.Stat(name, &old); err != nil {
			return ID{}, false, err
		}
		return ID{Dev: uint64(old.Dev), Ino: old.Ino}, old.Mode&unix.S_IFMT == unix.S_IFDIR, nil
	}
	if err != nil {
		return ID{}, false, err
	}
	return ID{Dev: unix.Mkdev(st.Dev_major, st.Dev_minor), Ino: st.Ino}, st.Mode&unix.S_IFMT == unix.S_IFDIR, nil
}

func (s *realSystem) StatLog(name string) error {
	var st unix.Statx_t
	err := rawStatx(atFDCWD, s.path.setLog(name), 0, unix.STATX_TYPE, &st)
	if err == unix.ENOSYS { // Linux before 4.11
		var old unix.Stat_t
		return unix.Stat(name+"/log", &old)
	}
	return err
}

func (s *realSystem) Pipe(string) (int, int, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return -1, -1, err
	}
	if err := probeSpare(s.home); err != nil {
		unix.Close(p[0])
		unix.Close(p[1])
		return -1, -1, err
	}
	return p[0], p[1], nil
}

func (s *realSystem) LateLog(name string, _ int) (int, int, error) {
	path := name + "/" + layout.LateLog
	unix.Unlink(path) //nolint:errcheck // a leftover of an earlier svscan, if any
	if err := unix.Mkfifo(path, 0o600); err != nil {
		return -1, -1, err
	}
	// Read-write: the open does not wait for a writer, and svscan holds
	// both ends, as it does a log pipe's.
	r, err := unix.Open(path, unix.O_RDWR|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		unix.Unlink(path) //nolint:errcheck
		return -1, -1, err
	}
	w, err := unix.FcntlInt(uintptr(r), unix.F_DUPFD_CLOEXEC, 0)
	if err == nil {
		err = probeSpare(s.home)
		if err != nil {
			unix.Close(w)
		}
	}
	if err != nil {
		unix.Close(r)
		unix.Unlink(path) //nolint:errcheck
		return -1, -1, err
	}
	return r, w, nil
}

// probeSpare checks that spareFDs more descriptors could still be opened,
// by copying fd that many times.
func probeSpare(fd int) error {
	var got [spareFDs]int
	n := 0
	var err error
	for ; n < spareFDs; n++ {
		if got[n], err = unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0); err != nil {
			break
		}
	}
	for i := 0; i < n; i++ {
		unix.Close(got[i])
	}
	return err
}

func (s *realSystem) Close(fd int) { unix.Close(fd) }

func (s *realSystem) StartMain(name string, stdout int) (int, error) {
	out := uintptr(1)
	if stdout >= 0 {
		out = uintptr(stdout)
	}
	return s.spawn([]string{Supervise, name}, []uintptr{0, out, 2})
}

// StartLog changes into the service directory to start the log supervise
// (there, not in the child, so that a failure is told apart from a failed
// exec, as 0.76's child does), then comes back.
func (s *realSystem) StartLog(name string, stdin int) (int, error) {
	if err := unix.Chdir(name); err != nil {
		return 0, &StartError{Step: StepSwitch, Err: err}
	}
	pid, err := s.spawn([]string{Supervise, layout.Log}, []uintptr{uintptr(stdin), 1, 2})
	if cerr := unix.Fchdir(s.home); cerr != nil {
		s.fatal = cerr // svscan ends after this scan: it cannot scan elsewhere
	}
	return pid, err
}

// Fatal is a failure after which svscan cannot go on: it has not come back
// to the scanned directory.
func (s *realSystem) Fatal() error { return s.fatal }

// spawn runs argv[0] through djb's PATH search (pathexec.Spawn): the child
// gets files as 0, 1, 2 (plus whatever svscan itself inherited without
// close-on-exec, as in C), default signal handlers and an empty mask.
func (s *realSystem) spawn(argv []string, files []uintptr) (int, error) {
	pid, err := pathexec.Spawn(argv, &syscall.ProcAttr{Env: s.env, Files: files})
	if err != nil {
		step := StepExec
		if isForkError(err) {
			step = StepFork
		}
		return 0, &StartError{Step: step, Err: err}
	}
	return pid, nil
}

// isForkError tells the failures of making the child (no process, no
// memory, no descriptor for ForkExec's status pipe) from failures of exec.
func isForkError(err error) bool {
	for _, e := range []unix.Errno{unix.EAGAIN, unix.ENOMEM, unix.EMFILE, unix.ENFILE} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
