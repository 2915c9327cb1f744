package svdir

import (
	"errors"

	"github.com/daemontools-go/daemontools/internal/errstr"
)

// AppendLine appends svstat's text for the directory at `at` (what follows
// "DIR: "), with seconds counted at UNIX time now. Failures are part of the
// text, as svstat prints them on stdout.
func AppendLine(dst []byte, at int, now int64) []byte {
	s, up, err := Stat(at)
	if err == nil {
		return s.AppendLine(dst, now, up)
	}
	return AppendError(dst, err)
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
