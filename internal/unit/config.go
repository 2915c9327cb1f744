package unit

import (
	"strconv"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/supervise"
)

// Defaults of the lifecycle files.
const (
	DefaultTimeoutFinish = 5 * time.Second
	DefaultRestartDelay  = time.Second
	// MaxNotificationFD bounds notification-fd: the child's descriptor
	// table is built up to it.
	MaxNotificationFD = 1023
)

// config is what the service directory's files say (docs/supervise.md).
type config struct {
	mc           supervise.Config
	noSetsid     bool
	notifyFD     int // 0: none
	notifySocket bool
}

// cfgFile is a file of the service directory with its name converted once
// for raw system calls (reading the files allocates nothing).
type cfgFile struct {
	name string
	path *byte
}

func newCfgFile(name string) cfgFile { return cfgFile{name: name, path: cPath(name)} }

var (
	fDownSignal      = newCfgFile(layout.DownSignal)
	fTimeoutKill     = newCfgFile(layout.TimeoutKill)
	fTimeoutFinish   = newCfgFile(layout.TimeoutFinish)
	fRestartDelay    = newCfgFile(layout.RestartDelay)
	fRestartDelayMax = newCfgFile(layout.RestartDelayMax)
	fFinish          = newCfgFile(layout.Finish)
	fNoSetsid        = newCfgFile(layout.NoSetsid)
	fNotificationFD  = newCfgFile(layout.NotificationFD)
	fNotifySocket    = newCfgFile(layout.NotifySocket)
	fDown            = newCfgFile(layout.Down)
	fShutdownOnExit  = newCfgFile(layout.ShutdownOnExit)
)

// readConfig reads every lifecycle file, once per event handled (an exit
// and the start that follows at once share one reading). A file that is
// absent gives the default; one that cannot be read or holds garbage
// gives a warning naming it, then the default.
func (u *Unit) readConfig() config {
	if !u.cfgFresh {
		u.cfgRead, u.cfgFresh = u.readConfigFiles(), true
	}
	return u.cfgRead
}

func (u *Unit) readConfigFiles() config {
	var c config
	if sig, ok := u.readSignal(fDownSignal); ok {
		c.mc.DownSignal = sig
	}
	if d, ok := u.readMillis(fTimeoutKill); ok {
		c.mc.TimeoutKill = d
	} else {
		c.mc.TimeoutKill = u.stopKill // svscan's stop: its default
	}
	if d, ok := u.readMillis(fTimeoutFinish); ok {
		c.mc.TimeoutFinish = d
	} else {
		c.mc.TimeoutFinish = DefaultTimeoutFinish
	}
	delay, hasDelay := u.readMillis(fRestartDelay)
	max, hasMax := u.readMillis(fRestartDelayMax)
	if hasDelay || hasMax {
		c.mc.Paced = true
		c.mc.RestartDelay = DefaultRestartDelay
		if hasDelay {
			c.mc.RestartDelay = delay
		}
		c.mc.RestartMax = max
	}
	c.mc.Finish = u.exists(fFinish)
	c.noSetsid = u.exists(fNoSetsid)
	if n, ok := u.readNumber(fNotificationFD, "a descriptor number from 3 to "+strconv.Itoa(MaxNotificationFD)); ok {
		if n >= 3 && n <= MaxNotificationFD {
			c.notifyFD = int(n)
		} else {
			u.badFile(fNotificationFD, "not a descriptor number from 3 to "+strconv.Itoa(MaxNotificationFD))
		}
	}
	c.notifySocket = u.exists(fNotifySocket)
	c.mc.Readiness = c.notifyFD != 0 || c.notifySocket
	return c
}

// exists reports whether the file exists (following symlinks).
func (u *Unit) exists(f cfgFile) bool {
	var st unix.Stat_t
	_, _, e := syscall.Syscall6(unix.SYS_NEWFSTATAT, uintptr(u.dirfd), uintptr(unsafe.Pointer(f.path)),
		uintptr(unsafe.Pointer(&st)), 0, 0, 0)
	return e == 0
}

// read returns the file's content up to its first newline, spaces and
// tabs around it removed; ok is false when the file does not exist or
// cannot be read (with a warning for the latter).
func (u *Unit) read(f cfgFile) (b []byte, ok bool) {
	fd, err := openAt(u.dirfd, f.path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err == unix.ENOENT {
		return nil, false
	}
	if err != nil {
		u.log.Warn("unable to read ", u.o.Dir, "/", f.name, errText(err))
		return nil, false
	}
	n, err := unix.Read(fd, scratch.buf[:])
	unix.Close(fd)
	if err != nil {
		u.log.Warn("unable to read ", u.o.Dir, "/", f.name, errText(err))
		return nil, false
	}
	b = scratch.buf[:n]
	for i, c := range b {
		if c == '\n' {
			b = b[:i]
			break
		}
	}
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b, true
}

// maxMillis is the largest number of milliseconds a time.Duration holds.
const maxMillis = int64(1<<63-1) / int64(time.Millisecond)

// readNumber reads a decimal number; ok is false when the file is absent,
// unreadable or holds something else (with a warning naming what).
func (u *Unit) readNumber(f cfgFile, what string) (int64, bool) {
	b, ok := u.read(f)
	if !ok {
		return 0, false
	}
	n, valid := parseDecimal(b)
	if !valid {
		u.badFile(f, "not "+what)
		return 0, false
	}
	return n, true
}

// readMillis reads a number of milliseconds.
func (u *Unit) readMillis(f cfgFile) (time.Duration, bool) {
	n, ok := u.readNumber(f, "a number of milliseconds")
	if !ok {
		return 0, false
	}
	if n > maxMillis {
		u.badFile(f, "not a number of milliseconds")
		return 0, false
	}
	return time.Duration(n) * time.Millisecond, true
}

// parseDecimal parses digits only, at most 18 of them (no overflow).
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// readSignal reads a signal by name (TERM, SIGTERM, term) or number.
func (u *Unit) readSignal(f cfgFile) (syscall.Signal, bool) {
	b, ok := u.read(f)
	if !ok {
		return 0, false
	}
	if sig, ok := ParseSignal(b); ok {
		return sig, true
	}
	u.badFile(f, "not a signal name or number; sending TERM")
	return 0, false
}

// badFile warns that a file's content is ignored.
func (u *Unit) badFile(f cfgFile, why string) {
	u.log.Warn("ignoring ", u.o.Dir, "/", f.name, ": ", why)
}

var signalNames = [...]string{
	1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS", 8: "FPE", 9: "KILL", 10: "USR1",
	11: "SEGV", 12: "USR2", 13: "PIPE", 14: "ALRM", 15: "TERM", 16: "STKFLT", 17: "CHLD", 18: "CONT",
	19: "STOP", 20: "TSTP", 21: "TTIN", 22: "TTOU", 23: "URG", 24: "XCPU", 25: "XFSZ", 26: "VTALRM",
	27: "PROF", 28: "WINCH", 29: "IO", 30: "PWR", 31: "SYS",
}

// ParseSignal parses a signal name, with or without SIG, in any case, or
// a number from 1 to 64.
func ParseSignal(b []byte) (syscall.Signal, bool) {
	if n, ok := parseDecimal(b); ok {
		if n >= 1 && n <= 64 {
			return syscall.Signal(n), true
		}
		return 0, false
	}
	if len(b) > 3 && upper(b[0]) == 'S' && upper(b[1]) == 'I' && upper(b[2]) == 'G' {
		b = b[3:]
	}
	for sig, name := range signalNames {
		if name != "" && equalFold(b, name) {
			return syscall.Signal(sig), true
		}
	}
	return 0, false
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if upper(b[i]) != s[i] {
			return false
		}
	}
	return true
}
