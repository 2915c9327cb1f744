package impl

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"

	"github.com/daemontools-go/daemontools/internal/layout"
)

// ErrShort is returned for a status file shorter than its format.
var ErrShort = errors.New("status file too short")

// ParseStatus returns the service pid recorded in a supervisor's status
// file (0: not running):
//
//   - daemontools (and ours): 18 bytes, pid little-endian at 12..15;
//   - runit's runsv: 20 bytes, pid little-endian at 12..15, and byte 19 is
//     the state (0 down, 1 run, 2 finish): only "run" counts as up;
//   - s6-supervise (2.11): 35 bytes, two TAI64N stamps, then the pid as a
//     big-endian 64-bit number at 24..31.
func ParseStatus(f Family, b []byte) (int, error) {
	switch f {
	case Runit:
		if len(b) < 20 {
			return 0, ErrShort
		}
		if b[19] != 1 {
			return 0, nil
		}
		return int(binary.LittleEndian.Uint32(b[12:16])), nil
	case S6:
		if len(b) < 35 {
			return 0, ErrShort
		}
		return int(binary.BigEndian.Uint64(b[24:32])), nil
	}
	if len(b) < 18 {
		return 0, ErrShort
	}
	return int(binary.LittleEndian.Uint32(b[12:16])), nil
}

// Pid reads the pid of the service in dir from its status file; 0 when the
// service is down or the supervisor has not written the file yet.
func (i Impl) Pid(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, layout.Status))
	if err != nil {
		return 0
	}
	pid, err := ParseStatus(i.Family, b)
	if err != nil {
		return 0
	}
	return pid
}
