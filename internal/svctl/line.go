package svctl

import (
	"strconv"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/errstr"
	"github.com/daemontools-go/daemontools/internal/svstate"
)

// AppendLine appends the status line of s (what follows "DIR: ", without a
// newline), seconds counted at now; the package documentation has the
// grammar.
func AppendLine(dst []byte, s *svstate.Service, now time.Time) []byte {
	if !s.Supervised {
		return append(dst, "supervisor not running"...)
	}
	if s.Source == "" {
		dst = append(dst, "unable to read status: "...)
		return append(dst, errstr.Text(s.Err)...)
	}
	d := &s.Doc
	dst = append(dst, d.State...)
	if d.Pid != 0 {
		dst = append(dst, " (pid "...)
		dst = strconv.AppendInt(dst, int64(d.Pid), 10)
		dst = append(dst, ')')
	}
	dst = append(dst, ' ')
	dst = appendSecs(dst, d.Since, now)
	if d.State == svstate.Up && s.Source == svstate.FromState {
		switch {
		case !d.Ready:
			dst = append(dst, ", not ready"...)
		case d.ReadySince != nil:
			dst = append(dst, ", ready "...)
			dst = appendSecs(dst, *d.ReadySince, now)
		default:
			dst = append(dst, ", ready"...)
		}
	}
	if d.Paused && d.Pid != 0 {
		dst = append(dst, ", paused"...)
	}
	switch {
	case d.State == svstate.Up && d.Want == svstate.WantDown:
		dst = append(dst, ", want down"...)
	case d.State != svstate.Up && d.State != svstate.Backoff && d.Want == svstate.WantUp:
		dst = append(dst, ", want up"...)
	}
	if d.Restarts > 0 {
		dst = append(dst, "; restarts "...)
		dst = strconv.AppendInt(dst, int64(d.Restarts), 10)
	}
	if e := d.LastExit; e != nil {
		dst = append(dst, "; last exit "...)
		switch {
		case e.Code != nil:
			dst = strconv.AppendInt(dst, int64(*e.Code), 10)
		case e.Signal != nil:
			dst = appendSignal(dst, *e.Signal)
			if e.Core {
				dst = append(dst, " (core dumped)"...)
			}
		default:
			dst = append(dst, "unknown"...)
		}
		dst = append(dst, " at "...)
		dst = appendClock(dst, e.At, now)
	}
	if d.StartError != nil {
		dst = append(dst, "; start error: "...)
		dst = appendEscaped(dst, *d.StartError)
	}
	if d.BackoffUntil != nil {
		dst = append(dst, "; backoff until "...)
		dst = appendClock(dst, *d.BackoffUntil, now)
	}
	if d.StatusText != nil {
		dst = append(dst, "; status "...)
		dst = strconv.AppendQuote(dst, *d.StatusText)
	}
	dst = append(dst, "; normally "...)
	return append(dst, d.Normally...)
}

// appendSecs appends the whole seconds from t to now, 0 when t is later.
func appendSecs(dst []byte, t, now time.Time) []byte {
	secs := int64(0)
	if d := now.Sub(t); d > 0 {
		secs = int64(d / time.Second)
	}
	dst = strconv.AppendInt(dst, secs, 10)
	return append(dst, 's')
}

// appendClock appends t in local time: HH:MM:SS when t falls on now's
// date, else YYYY-MM-DD HH:MM:SS.
func appendClock(dst []byte, t, now time.Time) []byte {
	t, now = t.Local(), now.Local()
	ty, tm, td := t.Date()
	ny, nm, nd := now.Date()
	if ty == ny && tm == nm && td == nd {
		return t.AppendFormat(dst, "15:04:05")
	}
	return t.AppendFormat(dst, "2006-01-02 15:04:05")
}

// appendSignal appends the name of signal n (SIGTERM), or "signal N" for
// a number without one.
func appendSignal(dst []byte, n int) []byte {
	if name := unix.SignalName(syscall.Signal(n)); name != "" {
		return append(dst, name...)
	}
	dst = append(dst, "signal "...)
	return strconv.AppendInt(dst, int64(n), 10)
}

// appendEscaped appends s with control characters, invalid UTF-8 and
// backslashes escaped as strconv.Quote does, without the quotes.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != '\\' && (r != utf8.RuneError || size > 1) && strconv.IsPrint(r) {
			dst = append(dst, s[i:i+size]...)
		} else {
			q := strconv.AppendQuote(nil, s[i:i+size])
			dst = append(dst, q[1:len(q)-1]...)
		}
		i += size
	}
	return dst
}

// The exit codes of status (LSB).
const (
	statusOK      = 0 // every service is up and ready
	statusNotUp   = 3 // some service is not up and ready
	statusUnknown = 4 // some service has no running supervisor or cannot be read
)

// statusCode is the exit code status gives for s alone.
func statusCode(s *svstate.Service) int {
	switch {
	case !s.Supervised || s.Source == "":
		return statusUnknown
	case s.Doc.State == svstate.Up && s.Doc.Ready:
		return statusOK
	}
	return statusNotUp
}
