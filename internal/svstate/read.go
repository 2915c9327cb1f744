package svstate

import (
	"errors"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/errstr"
	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/status"
)

// MaxSize bounds what a reader takes from state.json: a larger file is
// not ours and is treated as garbage.
const MaxSize = 64 << 10

// The sources of a Service's document.
const (
	FromState  = "state.json" // our supervisor's document
	FromRecord = "status"     // derived from the 18-byte record (Debian's supervise, or state.json stale)
)

// Service is what a reader knows of one service directory.
type Service struct {
	Dir        string // as given
	Supervised bool   // a supervisor holds supervise/ok open now
	Source     string // FromState, FromRecord, or "" when neither could be read
	Doc        Doc    // valid when Source is not ""
	Err        error  // why nothing could be read, when Source is ""
}

// Probe reads the service directory dir.
func Probe(dir string) Service {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return Service{Dir: dir, Err: err}
	}
	defer unix.Close(fd)
	return ProbeAt(fd, dir, time.Now())
}

// ProbeAt reads the service directory open as dirfd, named dir in the
// result. The document is state.json when it agrees with the 18-byte
// record (same pid, want and pause), otherwise one derived from the
// record (the newer one: our supervisor writes it first), with no
// readiness when a state.json of ours is there.
// Supervised is checked through supervise/ok, never taken from a file, and
// Normally from the down file as it is now.
func ProbeAt(dirfd int, dir string, now time.Time) Service {
	return probe(dirfd, "", dir, now)
}

// ProbeIn is ProbeAt for the service directory path, relative to the
// directory open as dirfd (unix.AT_FDCWD: the working directory), without
// opening it first: two system calls fewer (svctl serve reads thousands
// of directories a second). A path that does not exist, or whose
// supervise/status does not, gives the error ENOENT.
func ProbeIn(dirfd int, path, dir string, now time.Time) Service {
	return probe(dirfd, path+"/", dir, now)
}

// probe reads the service directory whose files are prefix+name relative
// to dirfd.
func probe(dirfd int, prefix, dir string, now time.Time) Service {
	s := Service{Dir: dir, Supervised: supervised(dirfd, prefix+layout.OK)}
	normallyUp, err := normallyUp(dirfd, prefix+layout.Down)
	if err != nil {
		s.Err = err
		return s
	}
	st, err := readRecord(dirfd, prefix+layout.Status)
	if err != nil {
		s.Err = err
		return s
	}
	ours := false // a supervisor of ours is writing state.json here
	if b, fd, err := readState(dirfd, prefix+layout.State); err == nil {
		var d Doc
		if Decode(b, &d) == nil && d.Version == Version {
			if d.Pid == int(st.Pid) && d.Want == wantOf(st.Want) && d.Paused == (st.Paused && st.Pid != 0) {
				unix.Close(fd)
				d.Normally = normally(normallyUp)
				s.Source, s.Doc = FromState, d
				return s
			}
			// Written within the last moments: the two files are being
			// replaced. Older: left by a supervisor of ours that is gone
			// (Debian's may run here now).
			var fst unix.Stat_t
			ours = unix.Fstat(fd, &fst) == nil && now.Sub(time.Unix(fst.Mtim.Unix())) < staleAfter
		}
		unix.Close(fd)
	}
	s.Source, s.Doc = FromRecord, FromStatus(BaseName(dir), st, normallyUp)
	if ours {
		// Between the writes of a change (the 18-byte record first, then
		// state.json): the record's pid and want are the newer, but
		// readiness is not known yet.
		s.Doc.Ready, s.Doc.ReadySince = false, nil
	}
	return s
}

// FromStatus is the document that the 18-byte record st tells: no
// readiness protocol, so a running service counts as ready.
func FromStatus(service string, st status.Status, normallyUp bool) Doc {
	d := Doc{
		Version:  Version,
		Service:  service,
		State:    Down,
		Pid:      int(st.Pid),
		Since:    st.When.Time().UTC(),
		Want:     wantOf(st.Want),
		Normally: normally(normallyUp),
		Paused:   st.Paused && st.Pid != 0,
	}
	if st.Pid != 0 {
		d.State, d.Ready = Up, true
		since := d.Since
		d.ReadySince = &since
	}
	return d
}

func wantOf(b byte) string {
	switch b {
	case status.WantUp:
		return WantUp
	case status.WantDown:
		return WantDown
	}
	return WantOnce
}

func normally(up bool) string {
	if up {
		return WantUp
	}
	return WantDown
}

// BaseName is the last element of dir, trailing slashes aside: the
// service's name in state.json.
func BaseName(dir string) string {
	for len(dir) > 1 && dir[len(dir)-1] == '/' {
		dir = dir[:len(dir)-1]
	}
	for i := len(dir) - 1; i >= 0; i-- {
		if dir[i] == '/' {
			return dir[i+1:]
		}
	}
	return dir
}

// supervised reports whether a supervisor holds supervise/ok open, as svok
// decides it. ok must be the FIFO itself: a symbolic link there is not
// followed (opening a device for writing, say a watchdog, has effects),
// and a file that is not a FIFO has no supervisor behind it.
func supervised(dirfd int, ok string) bool {
	fd, err := unix.Openat(dirfd, ok, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return false
	}
	var st unix.Stat_t
	err = unix.Fstat(fd, &st)
	unix.Close(fd)
	return err == nil && st.Mode&unix.S_IFMT == unix.S_IFIFO
}

func normallyUp(dirfd int, down string) (bool, error) {
	var st unix.Stat_t
	err := unix.Fstatat(dirfd, down, &st, 0)
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, unix.ENOENT):
		return true, nil
	}
	return false, err
}

// readRecord reads supervise/status as svstat does: one read of 18 bytes,
// fewer is a bad format, more are ignored (runit's 20-byte record passes).
// Three system calls: svctl status reads a thousand of them.
func readRecord(dirfd int, path string) (status.Status, error) {
	fd, err := unix.Openat(dirfd, path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return status.Status{}, err
	}
	var b [status.Size]byte
	n, err := unix.Read(fd, b[:])
	for err == unix.EINTR {
		n, err = unix.Read(fd, b[:])
	}
	unix.Close(fd)
	if err != nil {
		return status.Status{}, err
	}
	return status.Decode(b[:n])
}

// ErrTooLarge is a file larger than a reader takes.
var ErrTooLarge = errors.New("file too large")

// stateBufs are the buffers readState reads into.
var stateBufs = sync.Pool{New: func() any { return new([4096]byte) }}

// readState reads state.json, still open (the caller closes fd): in one
// read of a buffer when it fits one, as it always does when our supervisor
// wrote it (three system calls); else through readFile's checks. A FIFO
// (O_NONBLOCK) or a symlink (O_NOFOLLOW) is refused either way.
func readState(dirfd int, name string) ([]byte, int, error) {
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, -1, err
	}
	buf := stateBufs.Get().(*[4096]byte)
	defer stateBufs.Put(buf)
	n, err := unix.Read(fd, buf[:])
	if err == nil && n > 0 && n < len(buf) {
		b := make([]byte, n) // Decode keeps nothing of it, but the pool may
		copy(b, buf[:n])
		return b, fd, nil
	}
	unix.Close(fd)
	b, _, err := readFile(dirfd, name, MaxSize)
	if err != nil {
		return nil, -1, err
	}
	fd, err = unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, -1, err
	}
	return b, fd, nil
}

// staleAfter: a state.json that disagrees with the 18-byte record and is
// older than this is stale, not being replaced.
const staleAfter = 2 * time.Second

// readFile reads at most max bytes of name, which must be a regular file,
// and returns its modification time.
func readFile(dirfd int, name string, max int) ([]byte, time.Time, error) {
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, time.Time{}, err
	}
	mtime := time.Unix(st.Mtim.Unix())
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, mtime, unix.EINVAL
	}
	if st.Size > int64(max) {
		return nil, mtime, ErrTooLarge
	}
	// One byte more than its size, to see it grow; a short read of a
	// regular file is its end (svctl serve reads thousands a second).
	b := make([]byte, st.Size+1)
	n := 0
	for n < len(b) {
		m, err := unix.Read(fd, b[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, mtime, err
		}
		n += m
		if m == 0 || n < len(b) {
			break
		}
	}
	if n > max {
		return nil, mtime, ErrTooLarge
	}
	return b[:n], mtime, nil
}

// Status is one service as `svctl status --json` prints it and `svctl
// serve` returns it from /api/services: the state.json keys, plus dir (as
// given), supervised (a supervisor runs now), source (FromState or
// FromRecord) and error (why nothing could be read; the other keys are
// then zero).
type Status struct {
	Doc
	Dir        string `json:"dir"`
	Supervised bool   `json:"supervised"`
	Source     string `json:"source"`
	Error      string `json:"error,omitempty"`
}

// Status returns s as a Status.
// A time that JSON's RFC 3339 cannot hold (a status record of random
// bytes says year 292277026596) makes the service unknown, with an error
// saying so: every Status can be encoded.
func (s Service) Status() Status {
	st := Status{Doc: s.Doc, Dir: s.Dir, Supervised: s.Supervised, Source: s.Source}
	if s.Source == "" && s.Err != nil {
		st.Error = errstr.Text(s.Err)
	}
	if s.Source != "" && !s.Doc.timesEncodable() {
		st = Status{Dir: s.Dir, Supervised: s.Supervised, Error: "unable to show status: a time out of range"}
	}
	return st
}

// timesEncodable reports whether every time of d lies in years 0 to 9999.
func (d *Doc) timesEncodable() bool {
	ok := func(t time.Time) bool { y := t.Year(); return y >= 0 && y <= 9999 }
	return ok(d.Since) &&
		(d.ReadySince == nil || ok(*d.ReadySince)) &&
		(d.BackoffUntil == nil || ok(*d.BackoffUntil)) &&
		(d.LastExit == nil || ok(d.LastExit.At))
}
