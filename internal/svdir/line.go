package svdir

import (
	"errors"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/errstr"
	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/status"
)

// Lister renders svstat's lines, one directory after another.
//
// Like 0.76's svstat it reads each status record into one buffer that it
// keeps: 0.76 tests the result of read() against the record size as an
// unsigned number, so a read error (supervise/status is a directory, say)
// is missed and the previous directory's record, all zero at first, is
// printed again. Lister does the same, so that the two svstats agree.
type Lister struct {
	rec [status.Size]byte
}

// AppendLine appends svstat's text for the directory at `at` (what follows
// "DIR: "), seconds counted at UNIX time now. Failures are part of the text.
// The checks come in svstat's order: the down file, supervise/ok, the record.
func (l *Lister) AppendLine(dst []byte, at int, now int64) []byte {
	up, err := normallyUp(at)
	if err != nil {
		return AppendError(dst, &StatError{Step: "stat down", Err: err})
	}
	fd, err := openFIFO(at, layout.OK)
	if err == ErrNotRunning {
		return AppendError(dst, err)
	}
	if err != nil {
		return AppendError(dst, &StatError{Step: "open " + layout.OK, Err: err})
	}
	unix.Close(fd)
	fd, err = unix.Openat(at, layout.Status, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return AppendError(dst, &StatError{Step: "open " + layout.Status, Err: err})
	}
	n, err := unix.Read(fd, l.rec[:])
	unix.Close(fd)
	if err == nil && n < status.Size {
		return AppendError(dst, &StatError{Step: "read " + layout.Status, Err: status.ErrBadFormat})
	}
	st, _ := status.Decode(l.rec[:])
	return st.AppendLine(dst, now, up)
}

// AppendError appends svstat's text for a failure: "supervise not running"
// or "unable to STEP: ERR" with daemontools' error texts.
func AppendError(dst []byte, err error) []byte {
	var se *StatError
	if errors.As(err, &se) {
		dst = append(dst, "unable to "...)
		dst = append(dst, se.Step...)
		dst = append(dst, ": "...)
		return append(dst, errstr.Text(se.Err)...)
	}
	return append(dst, errstr.Text(err)...)
}
