package svctl

import (
	"encoding/binary"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/svstate"
)

// entry is one service directory being controlled or waited for.
type entry struct {
	dir      string
	fd       int             // the directory, open
	supWd    int             // inotify watch on DIR/supervise, -1 when none
	dirWd    int             // inotify watch on DIR while supervise/ is missing, -1 when none
	okfd     int             // supervise/ok held open for writing (goal exit), -1 when not
	cur      svstate.Service // the last probe
	before   svstate.Service // the probe before the command was sent
	sentAt   time.Time       // when the command was sent
	sawState bool            // a probe has read state.json
	dirty    bool            // probe again
	done     bool            // the goal holds
	out      bool            // failed: not waited for
}

// openEntry opens the service directory dir.
func openEntry(dir string) (*entry, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return &entry{dir: dir, fd: fd, supWd: -1, dirWd: -1, okfd: -1, dirty: true}, nil
}

func (e *entry) probe(now time.Time) svstate.Service {
	s := svstate.ProbeAt(e.fd, e.dir, now)
	if s.Source == svstate.FromState {
		e.sawState = true
	}
	return s
}

func (e *entry) close() {
	unix.Close(e.fd)
	if e.okfd >= 0 {
		unix.Close(e.okfd)
		e.okfd = -1
	}
}

// holdOK tells whether a supervisor runs in e by opening supervise/ok for
// writing without blocking, and keeps the descriptor so that the
// supervisor's exit shows as POLLERR on it. gone is true when no
// supervisor holds the FIFO open for reading, or it does not exist.
func (e *entry) holdOK() (gone bool, err error) {
	if e.okfd >= 0 {
		return false, nil
	}
	fd, err := unix.Openat(e.fd, layout.OK, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	switch err {
	case nil:
		e.okfd = fd
		return false, nil
	case unix.ENXIO, unix.ENOENT:
		return true, nil
	}
	return false, err
}

// watcher follows service directories through one inotify descriptor.
type watcher struct {
	ino int
	wds map[int][]*entry // a directory given twice has one watch for both
	buf []byte
}

// The names in supervise/ whose replacement or writing calls for a new
// probe, and the name of the FIFO whose opening does while no supervisor
// runs.
var (
	statusName = filepath.Base(layout.Status)
	stateName  = filepath.Base(layout.State)
	okName     = filepath.Base(layout.OK)
)

const (
	superviseMask = unix.IN_MOVED_TO | unix.IN_CLOSE_WRITE | unix.IN_CREATE | unix.IN_OPEN
	dirMask       = unix.IN_CREATE | unix.IN_MOVED_TO | unix.IN_ONLYDIR
)

func newWatcher() (*watcher, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, err
	}
	return &watcher{ino: fd, wds: map[int][]*entry{}, buf: make([]byte, 64<<10)}, nil
}

func (w *watcher) close() { unix.Close(w.ino) }

func (w *watcher) register(wd int, e *entry) {
	for _, o := range w.wds[wd] {
		if o == e {
			return
		}
	}
	w.wds[wd] = append(w.wds[wd], e)
}

// arm watches DIR/supervise of e or, while it does not exist, DIR for its
// creation. The caller probes e afterwards, so that nothing that happened
// before the watch is missed.
func (w *watcher) arm(e *entry) error {
	for {
		wd, err := unix.InotifyAddWatch(w.ino, filepath.Join(e.dir, layout.SuperviseDir), superviseMask)
		if err == nil {
			e.supWd = wd
			w.register(wd, e)
			return nil
		}
		if err != unix.ENOENT || e.dirWd >= 0 {
			if err == unix.ENOENT {
				return nil // the watch on DIR will tell when supervise/ appears
			}
			return err
		}
		wd, err = unix.InotifyAddWatch(w.ino, e.dir, dirMask)
		if err != nil {
			return err
		}
		e.dirWd = wd
		w.register(wd, e)
		// supervise/ may have been made meanwhile: try again.
	}
}

// read takes every pending event and marks the entries they concern dirty.
func (w *watcher) read(all []*entry) error {
	for {
		n, err := unix.Read(w.ino, w.buf)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return nil
		case err != nil:
			return err
		}
		if err := w.events(w.buf[:n], all); err != nil {
			return err
		}
	}
}

func (w *watcher) events(b []byte, all []*entry) error {
	for len(b) >= unix.SizeofInotifyEvent {
		wd := int(int32(binary.NativeEndian.Uint32(b[0:4])))
		mask := binary.NativeEndian.Uint32(b[4:8])
		n := int(binary.NativeEndian.Uint32(b[12:16]))
		if unix.SizeofInotifyEvent+n > len(b) {
			break
		}
		name := b[unix.SizeofInotifyEvent : unix.SizeofInotifyEvent+n]
		for len(name) > 0 && name[len(name)-1] == 0 {
			name = name[:len(name)-1]
		}
		b = b[unix.SizeofInotifyEvent+n:]
		if mask&unix.IN_Q_OVERFLOW != 0 {
			for _, e := range all {
				e.dirty = true
			}
			continue
		}
		if err := w.event(wd, mask, string(name)); err != nil {
			return err
		}
	}
	return nil
}

func (w *watcher) event(wd int, mask uint32, name string) error {
	ents := w.wds[wd]
	if mask&unix.IN_IGNORED != 0 {
		// The watched directory is gone: watch for a new one.
		delete(w.wds, wd)
		for _, e := range ents {
			switch wd {
			case e.supWd:
				e.supWd = -1
				if err := w.arm(e); err != nil {
					return err
				}
				e.dirty = true
			case e.dirWd:
				e.dirWd = -1
			}
		}
		return nil
	}
	for _, e := range ents {
		switch {
		case wd == e.supWd:
			if name == statusName || name == stateName {
				e.dirty = e.dirty || mask&(unix.IN_MOVED_TO|unix.IN_CLOSE_WRITE|unix.IN_CREATE) != 0
			} else if name == okName && mask&unix.IN_OPEN != 0 && !e.cur.Supervised {
				// A supervisor opening supervise/ok. (Our own probes open
				// it too, but only succeed while one runs.)
				e.dirty = true
			}
		case wd == e.dirWd && name == layout.SuperviseDir && e.supWd < 0:
			if err := w.arm(e); err != nil {
				return err
			}
			e.dirty = true
		}
	}
	return nil
}

// goal is what a wait waits for. reached is called after every probe of e
// (e.cur is fresh) and reports whether e is there.
type goal struct {
	what    string // "up and ready", for messages
	reached func(e *entry) (bool, error)
	holdOK  bool // watch supervise/ok for the supervisor's exit
}

// wait probes the entries not done whenever an event concerns them, until
// goal holds for every one (for one, with any) or deadline passes.
// observe, when not nil, sees every probe. Errors are of the system.
func (w *watcher) wait(ents []*entry, g *goal, deadline time.Time, any bool, observe func(*entry)) error {
	var pfds []unix.PollFd
	var held []*entry
	for {
		pending := 0
		for _, e := range ents {
			if e.done || e.out {
				continue
			}
			if e.dirty {
				e.dirty = false
				e.cur = e.probe(time.Now())
				if observe != nil {
					observe(e)
				}
				ok, err := g.reached(e)
				if err != nil {
					return err
				}
				if ok {
					e.done = true
					if any {
						return nil
					}
					continue
				}
			}
			pending++
		}
		if pending == 0 {
			return nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil
		}
		pfds = append(pfds[:0], unix.PollFd{Fd: int32(w.ino), Events: unix.POLLIN})
		held = held[:0]
		for _, e := range ents {
			if !e.done && !e.out && e.okfd >= 0 {
				// Events 0: a writer's POLLOUT would always be set; POLLERR
				// (no reader left) is reported regardless.
				pfds = append(pfds, unix.PollFd{Fd: int32(e.okfd)})
				held = append(held, e)
			}
		}
		ms := int(min((left+time.Millisecond-1)/time.Millisecond, 1<<30)) // poll takes an int32
		if _, err := unix.Poll(pfds, ms); err != nil && err != unix.EINTR {
			return err
		}
		if pfds[0].Revents != 0 {
			if err := w.read(ents); err != nil {
				return err
			}
		}
		for i, e := range held {
			if pfds[i+1].Revents&(unix.POLLERR|unix.POLLHUP|unix.POLLNVAL) != 0 {
				unix.Close(e.okfd)
				e.okfd = -1
				e.dirty = true
			}
		}
	}
}
