// Package status is the codec for supervise's 18-byte status file and the
// svstat line drawn from it.
//
// Layout (daemontools 0.76, supervise/status):
//
//	bytes 0-11  TAI64N of the last pid change, big-endian
//	bytes 12-15 service pid, little-endian, 0 when not running
//	byte  16    1 if paused (and running), else 0
//	byte  17    want: 'u' up, 'd' down, 0 after "once"
//
// Extensions never change these 18 bytes; new information goes elsewhere.
package status

import (
	"encoding/binary"
	"errors"
	"strconv"

	"github.com/daemontools-go/daemontools/internal/tai64"
)

// Size is the length of the status record.
const Size = 18

// Want values of byte 17.
const (
	WantUp   = 'u'
	WantDown = 'd'
	WantOnce = 0
)

// ErrBadFormat is returned for a record shorter than Size; svstat prints its
// text after "unable to read supervise/status: ".
var ErrBadFormat = errors.New("bad format")

// Status is one decoded status record.
type Status struct {
	When   tai64.N // time of the last pid change
	Pid    uint32  // 0 = not running
	Paused bool    // byte 16 non-zero
	Want   byte    // WantUp, WantDown or WantOnce (any byte is kept as read)
}

// Encode returns the 18-byte record.
func (s Status) Encode() [Size]byte {
	var b [Size]byte
	s.When.Pack(b[0:12])
	binary.LittleEndian.PutUint32(b[12:16], s.Pid)
	if s.Paused {
		b[16] = 1
	}
	b[17] = s.Want
	return b
}

// Decode reads the first 18 bytes of b; longer input is accepted, as svstat does.
func Decode(b []byte) (Status, error) {
	if len(b) < Size {
		return Status{}, ErrBadFormat
	}
	return Status{
		When:   tai64.Unpack(b[0:12]),
		Pid:    binary.LittleEndian.Uint32(b[12:16]),
		Paused: b[16] != 0,
		Want:   b[17],
	}, nil
}

// Seconds returns whole seconds since the last pid change as svstat counts
// them at UNIX time now: 0 if the recorded time lies in the future.
func (s Status) Seconds(now int64) uint64 {
	cur := uint64(now) + tai64.Offset
	if cur < s.When.Sec {
		return 0
	}
	return cur - s.When.Sec
}

// AppendLine appends svstat's description (the text after "DIR: ") to dst.
// normallyUp is true when the service directory has no down file now.
func (s Status) AppendLine(dst []byte, now int64, normallyUp bool) []byte {
	if s.Pid != 0 {
		dst = append(dst, "up (pid "...)
		dst = strconv.AppendUint(dst, uint64(s.Pid), 10)
		dst = append(dst, ") "...)
	} else {
		dst = append(dst, "down "...)
	}
	dst = strconv.AppendUint(dst, s.Seconds(now), 10)
	dst = append(dst, " seconds"...)
	if s.Pid != 0 && !normallyUp {
		dst = append(dst, ", normally down"...)
	}
	if s.Pid == 0 && normallyUp {
		dst = append(dst, ", normally up"...)
	}
	if s.Pid != 0 && s.Paused {
		dst = append(dst, ", paused"...)
	}
	if s.Pid == 0 && s.Want == WantUp {
		dst = append(dst, ", want up"...)
	}
	if s.Pid != 0 && s.Want == WantDown {
		dst = append(dst, ", want down"...)
	}
	return dst
}
