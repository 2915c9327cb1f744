package unit

import (
	"bytes"
	"os"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/procs"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/supervise"
	"github.com/daemontools-go/daemontools/internal/tai64"
)

// adopt looks for an instance left running by a supervisor that died:
// supervise/instance names its pid and start time; if that process still
// runs (same pid, same start time), it is adopted instead of starting a
// second copy: watched through a pidfd, signalled through it.
func (u *Unit) adopt() supervise.Adoption {
	fd, err := openAt(u.dirfd, pInstance, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return supervise.Adoption{}
	}
	var b [128]byte
	n, _ := unix.Read(fd, b[:])
	unix.Close(fd)
	pid, start, when, ok := parseInstance(b[:max(n, 0)])
	if !ok {
		return supervise.Adoption{}
	}
	p, err := scratch.procs.Stat(pid)
	if err != nil || p.Start != start || p.State == 'Z' || p.State == 'X' {
		return supervise.Adoption{}
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		u.log.Warn("unable to adopt ", u.o.Dir, ": pid ", itoa(pid), errText(err))
		return supervise.Adoption{}
	}
	// The pidfd holds the process now: if the start time still matches, it
	// is the same process.
	if !scratch.procs.Alive(pid, start) {
		unix.Close(pidfd)
		return supervise.Adoption{}
	}
	if err := u.h.Add(pidfd, u); err != nil {
		unix.Close(pidfd)
		return supervise.Adoption{}
	}
	u.pidfd = pidfd
	u.inst = instance{pid: pid, start: start, pgid: p.Pgrp}
	if p.Session == pid {
		u.inst.pgrp, u.inst.session = p.Pgrp, p.Session
	}
	a := supervise.Adoption{Pid: pid, When: when, Want: status.WantUp}
	if rec, err := readStatus(u.dirfd); err == nil && int(rec.Pid) == pid {
		a.Want = rec.Want
	}
	return a
}

// LiveInstance returns the pid that dir's supervise/instance records if
// that process still runs (same start time), else 0.
func LiveInstance(dir string) int {
	b, err := os.ReadFile(dir + "/" + layout.Instance)
	if err != nil {
		return 0
	}
	pid, start, _, ok := parseInstance(b)
	var r procs.Reader
	if !ok || !r.Alive(pid, start) {
		return 0
	}
	return pid
}

// parseInstance parses "PID START @TAI64N".
func parseInstance(b []byte) (pid int, start uint64, when tai64.N, ok bool) {
	f := bytes.Fields(b)
	if len(f) != 3 || len(f[2]) < 1 || f[2][0] != '@' {
		return 0, 0, tai64.N{}, false
	}
	p, ok1 := parseDecimal(f[0])
	s, ok2 := parseDecimal(f[1])
	w, ok3 := tai64.Parse(f[2])
	if !ok1 || !ok2 || !ok3 || p <= 0 {
		return 0, 0, tai64.N{}, false
	}
	return int(p), uint64(s), w, true
}

func readStatus(dirfd int) (status.Status, error) {
	fd, err := unix.Openat(dirfd, layout.Status, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return status.Status{}, err
	}
	defer unix.Close(fd)
	var b [status.Size]byte
	n, err := unix.Read(fd, b[:])
	if err != nil {
		return status.Status{}, err
	}
	return status.Decode(b[:n])
}

func itoa(n int) string {
	var b [20]byte
	return string(appendInt(b[:0], n))
}

func appendInt(b []byte, n int) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, d[i:]...)
}
