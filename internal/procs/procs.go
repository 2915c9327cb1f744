// Package procs reads processes from /proc: what a supervisor needs to
// find what is left of a service (its process group, its session, its
// descendants) and to recognise an instance it did not start (pid and
// start time). Reading allocates nothing once a Reader's buffers have
// grown.
package procs

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Proc is one process as /proc/PID/stat shows it.
type Proc struct {
	Pid, PPid, Pgrp, Session int
	State                    byte   // R S D Z T...
	Utime, Stime             uint64 // CPU time, clock ticks
	Threads                  int
	Start                    uint64 // start time, clock ticks after boot (field 22)
}

// Reader reads /proc with buffers of its own.
type Reader struct {
	path [64]byte
	stat [1024]byte
	dir  []byte
	all  []Proc
	tids []int // Children's, reused
}

// Stat reads /proc/PID/stat.
func (r *Reader) Stat(pid int) (Proc, error) {
	p := append(r.path[:0], "/proc/"...)
	p = strconv.AppendInt(p, int64(pid), 10)
	p = append(p, "/stat\x00"...)
	fd, err := rawOpen(&p[0], unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return Proc{}, err
	}
	n, err := rawRead(fd, r.stat[:])
	rawClose(fd)
	if err != nil {
		return Proc{}, err
	}
	return Parse(r.stat[:n])
}

// Parse parses the content of /proc/PID/stat (it allocates nothing).
func Parse(b []byte) (Proc, error) {
	// "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
	// majflt cmajflt utime stime cutime cstime priority nice threads
	// itrealvalue starttime ...": comm may hold spaces and parentheses, so
	// the fields are counted after the last ')'.
	i := bytes.IndexByte(b, ' ')
	j := bytes.LastIndexByte(b, ')')
	if i <= 0 || j < i || j+2 >= len(b) {
		return Proc{}, unix.EINVAL
	}
	var p Proc
	p.Pid = atoi(b[:i])
	rest := b[j+2:]
	p.State = rest[0]
	for field := 3; len(rest) > 0; field++ {
		k := bytes.IndexByte(rest, ' ')
		v := rest
		if k >= 0 {
			v, rest = rest[:k], rest[k+1:]
		} else {
			rest = nil
		}
		switch field {
		case 4:
			p.PPid = atoi(v)
		case 5:
			p.Pgrp = atoi(v)
		case 6:
			p.Session = atoi(v)
		case 14:
			p.Utime = uint64(atoi(v))
		case 15:
			p.Stime = uint64(atoi(v))
		case 20:
			p.Threads = atoi(v)
		case 22:
			p.Start = uint64(atoi(v))
			return p, nil
		}
	}
	return Proc{}, unix.EINVAL
}

func atoi(b []byte) int {
	n := 0
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		return -n
	}
	return n
}

// All returns every process of the system (that can be read), in no
// order. The slice is reused by the next call.
func (r *Reader) All() []Proc {
	r.all = r.all[:0]
	proc := []byte("/proc\x00")
	fd, err := rawOpen(&proc[0], unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return r.all
	}
	defer rawClose(fd)
	r.names(fd, func(name []byte) bool {
		if p, err := r.Stat(atoi(name)); err == nil {
			r.all = append(r.all, p)
		}
		return true
	})
	return r.all
}

// names calls f with every numeric entry of the directory fd (a pid or a
// tid), until f returns false. The names share r.dir.
func (r *Reader) names(fd int, f func(name []byte) bool) {
	if r.dir == nil {
		r.dir = make([]byte, 32<<10)
	}
	for {
		n, _, e := syscall.RawSyscall(unix.SYS_GETDENTS64, uintptr(fd), uintptr(unsafe.Pointer(&r.dir[0])), uintptr(len(r.dir)))
		if e == unix.EINTR {
			continue
		}
		if e != 0 || n <= 0 {
			return
		}
		for b := r.dir[:n]; len(b) >= 19; {
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				break
			}
			name := b[19:reclen]
			if k := bytes.IndexByte(name, 0); k >= 0 {
				name = name[:k]
			}
			b = b[reclen:]
			if len(name) > 0 && name[0] >= '1' && name[0] <= '9' && !f(name) {
				return
			}
		}
	}
}

// Alive reports whether pid runs and started at start (not a zombie, not
// another process that took the pid since).
func (r *Reader) Alive(pid int, start uint64) bool {
	p, err := r.Stat(pid)
	return err == nil && p.Start == start && p.State != 'Z' && p.State != 'X'
}

func rawOpen(path *byte, flags int) (int, error) {
	fd, _, e := syscall.RawSyscall6(unix.SYS_OPENAT, uintptr(atFDCWD), uintptr(unsafe.Pointer(path)), uintptr(flags), 0, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

func rawRead(fd int, b []byte) (int, error) {
	n, _, e := syscall.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

func rawClose(fd int) { syscall.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0) }

var atFDCWD = int(unix.AT_FDCWD)

// Children appends to dst the children of pid, read from
// /proc/PID/task/TID/children for each of its threads (orphans are
// re-parented to whichever thread of a subreaper the kernel picks). It
// reads nothing else of /proc: its cost grows with pid's children only.
func (r *Reader) Children(dst []int, pid int) []int {
	p := append(r.path[:0], "/proc/"...)
	p = strconv.AppendInt(p, int64(pid), 10)
	p = append(p, "/task\x00"...)
	fd, err := rawOpen(&p[0], unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return dst
	}
	r.tids = r.tids[:0]
	r.names(fd, func(name []byte) bool {
		r.tids = append(r.tids, atoi(name))
		return true
	})
	rawClose(fd)
	for _, tid := range r.tids {
		q := append(r.path[:0], "/proc/"...)
		q = strconv.AppendInt(q, int64(pid), 10)
		q = append(q, "/task/"...)
		q = strconv.AppendInt(q, int64(tid), 10)
		q = append(q, "/children\x00"...)
		cfd, err := rawOpen(&q[0], unix.O_RDONLY|unix.O_CLOEXEC)
		if err != nil {
			continue
		}
		// A children file is a seq_file: each read returns about a page,
		// whatever the buffer, so read to EOF; a pid may straddle reads.
		c := 0
		for {
			n, err := rawRead(cfd, r.dir)
			if err == unix.EINTR {
				continue
			}
			if err != nil || n <= 0 {
				break
			}
			for _, b := range r.dir[:n] {
				if b >= '0' && b <= '9' {
					c = c*10 + int(b-'0')
				} else if c > 0 {
					dst = append(dst, c)
					c = 0
				}
			}
		}
		if c > 0 {
			dst = append(dst, c)
		}
		rawClose(cfd)
	}
	return dst
}

// Descendants appends to dst every descendant of pid, walking the
// children files down.
func (r *Reader) Descendants(dst []int, pid int) []int {
	start := len(dst)
	dst = r.Children(dst, pid)
	for i := start; i < len(dst); i++ {
		dst = r.Children(dst, dst[i])
	}
	return dst
}

// HasChildrenFiles reports whether the kernel has /proc/PID/task/TID/children
// (CONFIG_PROC_CHILDREN); without them Children finds nothing.
func HasChildrenFiles() bool {
	var st unix.Stat_t
	return unix.Stat("/proc/self/task/"+strconv.Itoa(unix.Gettid())+"/children", &st) == nil
}
