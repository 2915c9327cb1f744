package svscan

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/layout"
)

// inotify makes pickup instant: a service directory or symlink that
// appears in the scanned directory, or a log/ that appears in a service
// without one, starts a scan at once. The 5-second scans stay as the
// safety net, and are the only mechanism where inotify is unavailable (an
// exhausted max_user_instances or max_user_watches): svscan then warns
// once and goes on scanning on its timer. An idle svscan gets no event.
type inotify struct {
	fd     int
	dir    int32        // the watch of the scanned directory
	logs   map[ID]int32 // services watched for a log/
	byWD   map[int32]ID // the reverse
	buf    [4096]byte   // events
	warned bool
}

// dirEvents are the events of the scanned directory that may mean a new
// service; logEvents those of a service directory that may mean a log/.
const (
	dirEvents = unix.IN_CREATE | unix.IN_MOVED_TO | unix.IN_ATTRIB | unix.IN_ONLYDIR
	logEvents = unix.IN_CREATE | unix.IN_MOVED_TO | unix.IN_ONLYDIR
)

// watchDir starts watching the scanned directory.
func (sc *svscan) watchDir() {
	sc.ino.fd = -1
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		sc.inotifyFailed(err)
		return
	}
	wd, err := unix.InotifyAddWatch(fd, ".", dirEvents)
	if err == nil {
		err = sc.h.Add(fd, sc)
	}
	if err != nil {
		unix.Close(fd)
		sc.inotifyFailed(err)
		return
	}
	sc.ino.fd, sc.ino.dir = fd, int32(wd)
	sc.ino.logs, sc.ino.byWD = map[ID]int32{}, map[int32]ID{}
}

func (sc *svscan) inotifyFailed(err error) {
	if !sc.ino.warned {
		sc.ino.warned = true
		sc.log.Warn("unable to watch ", sc.shown, " with inotify", diag.Err(err), "; scanning every ",
			sc.interval.String())
	}
}

// watchLogs watches each service without a log for a log/ to appear, and
// forgets the services that have one or are gone.
func (sc *svscan) watchLogs() {
	if sc.ino.fd < 0 {
		return
	}
	for id, wd := range sc.ino.logs {
		if s := sc.s.Table.Lookup(id); s == nil || s.Log {
			unix.InotifyRmWatch(sc.ino.fd, uint32(wd)) //nolint:errcheck // the directory may be gone
			delete(sc.ino.logs, id)
			delete(sc.ino.byWD, wd)
		}
	}
	for id, s := range sc.s.Table.byID {
		if s.Log || s.Name == "" {
			continue
		}
		if _, ok := sc.ino.logs[id]; ok {
			continue
		}
		wd, err := unix.InotifyAddWatch(sc.ino.fd, s.Name, logEvents)
		if err != nil {
			if err == unix.ENOSPC {
				sc.inotifyFailed(err)
				return
			}
			continue
		}
		sc.ino.logs[id], sc.ino.byWD[int32(wd)] = int32(wd), id
	}
}

// Ready is the inotify descriptor: scan now if an event may matter.
func (sc *svscan) Ready(fd int, _ uint32) {
	if fd != sc.ino.fd {
		return
	}
	due := false
	for {
		n, err := unix.Read(fd, sc.ino.buf[:])
		if err == unix.EINTR {
			continue
		}
		if n <= 0 || err != nil {
			break
		}
		for b := sc.ino.buf[:n]; len(b) >= unix.SizeofInotifyEvent; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&b[0]))
			size := unix.SizeofInotifyEvent + int(ev.Len)
			if size > len(b) {
				break
			}
			name := b[unix.SizeofInotifyEvent:size]
			for len(name) > 0 && name[len(name)-1] == 0 {
				name = name[:len(name)-1]
			}
			switch {
			case ev.Mask&unix.IN_Q_OVERFLOW != 0, ev.Wd == sc.ino.dir:
				due = true
			case string(name) == layout.Log:
				due = true
				// The stat cache would take a plain directory for
				// unchanged and not look for its log: look again.
				if s := sc.s.Table.Lookup(sc.ino.byWD[ev.Wd]); s != nil {
					delete(sc.s.cache, s.Name)
				}
			}
			b = b[size:]
		}
	}
	if due && sc.stop == nil {
		sc.h.Cancel(&sc.timer)
		sc.scan()
	}
}
