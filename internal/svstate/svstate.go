// Package svstate is supervise/state.json: the status of a service that a
// program can read, written by our supervise (and svscan -C) beside the
// untouched 18-byte supervise/status at every change, through
// state.json.new and a rename.
//
// One JSON object, version 1, with exactly these keys:
//
//	version       1
//	service       the service directory's name as the supervisor was given it
//	state         down, up, stopping, finishing, backoff or failed
//	pid, pgid     of ./run; 0 when none
//	since         RFC 3339 (nanoseconds, UTC) of the last state change
//	want          up, down or once
//	normally      up or down (the down file)
//	paused        svc -p in effect
//	ready         the instance is ready (see docs/supervise.md, readiness)
//	ready_since   RFC 3339 or null
//	restarts      starts of ./run since the supervisor started, minus the first
//	last_exit     null or {"code": N|null, "signal": N|null, "core": bool,
//	              "at": RFC 3339, "ran_ms": N}; code and signal are both null
//	              when the exit status is unknown (an adopted instance)
//	backoff_until RFC 3339 or null: when the next start is due
//	start_error   null or the message of the last failed start
//	status_text   null or the last STATUS= of sd_notify
//
// Writers use AppendJSON, which allocates nothing; readers use Probe, which
// falls back to the 18-byte record where state.json is absent (Debian's
// supervise) or stale.
package svstate

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Version is the document's version.
const Version = 1

// The states.
const (
	Down      = "down"
	Up        = "up"
	Stopping  = "stopping"  // a stop was asked for; processes of the service remain
	Finishing = "finishing" // ./finish runs
	Backoff   = "backoff"   // waiting to restart
	Failed    = "failed"    // down, not restarting: finish exited 125
)

// Want and Normally values.
const (
	WantUp   = "up"
	WantDown = "down"
	WantOnce = "once"
)

// Exit is how an instance of ./run ended.
type Exit struct {
	Code   *int      `json:"code"`   // exit code, nil if killed by a signal or unknown
	Signal *int      `json:"signal"` // signal number, nil if it exited or unknown
	Core   bool      `json:"core"`
	At     time.Time `json:"at"`
	RanMs  int64     `json:"ran_ms"`
}

// Doc is the document.
type Doc struct {
	Version      int        `json:"version"`
	Service      string     `json:"service"`
	State        string     `json:"state"`
	Pid          int        `json:"pid"`
	Pgid         int        `json:"pgid"`
	Since        time.Time  `json:"since"`
	Want         string     `json:"want"`
	Normally     string     `json:"normally"`
	Paused       bool       `json:"paused"`
	Ready        bool       `json:"ready"`
	ReadySince   *time.Time `json:"ready_since"`
	Restarts     int        `json:"restarts"`
	LastExit     *Exit      `json:"last_exit"`
	BackoffUntil *time.Time `json:"backoff_until"`
	StartError   *string    `json:"start_error"`
	StatusText   *string    `json:"status_text"`
}

// Record is what a writer keeps to render the document without allocating:
// times are UNIX nanoseconds, 0 for null; strings are empty for null.
type Record struct {
	Service      string
	State        string
	Pid, Pgid    int
	Since        int64
	Want         string
	Normally     string
	Paused       bool
	Ready        bool
	ReadySince   int64
	Restarts     int
	HasExit      bool
	ExitCode     int // -1: null
	ExitSignal   int // -1: null
	ExitCore     bool
	ExitAt       int64
	ExitRanMs    int64
	BackoffUntil int64
	StartError   string
	StatusText   string
	HasStatus    bool // StatusText is set (it may be empty)
}

// TimeLayout is RFC 3339 with nanoseconds, always nine digits.
const TimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// AppendJSON appends the document for r, one line ending in a newline.
func AppendJSON(dst []byte, r *Record) []byte {
	dst = append(dst, `{"version":`...)
	dst = strconv.AppendInt(dst, Version, 10)
	dst = append(dst, `,"service":`...)
	dst = appendString(dst, r.Service)
	dst = append(dst, `,"state":`...)
	dst = appendString(dst, r.State)
	dst = append(dst, `,"pid":`...)
	dst = strconv.AppendInt(dst, int64(r.Pid), 10)
	dst = append(dst, `,"pgid":`...)
	dst = strconv.AppendInt(dst, int64(r.Pgid), 10)
	dst = append(dst, `,"since":`...)
	dst = appendTime(dst, r.Since, false)
	dst = append(dst, `,"want":`...)
	dst = appendString(dst, r.Want)
	dst = append(dst, `,"normally":`...)
	dst = appendString(dst, r.Normally)
	dst = append(dst, `,"paused":`...)
	dst = strconv.AppendBool(dst, r.Paused)
	dst = append(dst, `,"ready":`...)
	dst = strconv.AppendBool(dst, r.Ready)
	dst = append(dst, `,"ready_since":`...)
	dst = appendTime(dst, r.ReadySince, true)
	dst = append(dst, `,"restarts":`...)
	dst = strconv.AppendInt(dst, int64(r.Restarts), 10)
	dst = append(dst, `,"last_exit":`...)
	if r.HasExit {
		dst = append(dst, `{"code":`...)
		dst = appendOptInt(dst, r.ExitCode)
		dst = append(dst, `,"signal":`...)
		dst = appendOptInt(dst, r.ExitSignal)
		dst = append(dst, `,"core":`...)
		dst = strconv.AppendBool(dst, r.ExitCore)
		dst = append(dst, `,"at":`...)
		dst = appendTime(dst, r.ExitAt, false)
		dst = append(dst, `,"ran_ms":`...)
		dst = strconv.AppendInt(dst, r.ExitRanMs, 10)
		dst = append(dst, '}')
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"backoff_until":`...)
	dst = appendTime(dst, r.BackoffUntil, true)
	dst = append(dst, `,"start_error":`...)
	if r.StartError == "" {
		dst = append(dst, "null"...)
	} else {
		dst = appendString(dst, r.StartError)
	}
	dst = append(dst, `,"status_text":`...)
	if r.HasStatus {
		dst = appendString(dst, r.StatusText)
	} else {
		dst = append(dst, "null"...)
	}
	return append(dst, "}\n"...)
}

func appendOptInt(dst []byte, v int) []byte {
	if v < 0 {
		return append(dst, "null"...)
	}
	return strconv.AppendInt(dst, int64(v), 10)
}

// appendTime appends UNIX nanoseconds ns as a JSON string in TimeLayout,
// or null when ns is 0 and nullable.
func appendTime(dst []byte, ns int64, nullable bool) []byte {
	if ns == 0 && nullable {
		return append(dst, "null"...)
	}
	dst = append(dst, '"')
	dst = time.Unix(0, ns).UTC().AppendFormat(dst, TimeLayout)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Bytes that are not valid UTF-8
// become U+FFFD, as encoding/json does.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
