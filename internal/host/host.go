// Package host is the one loop of a supervising process: what belongs to
// the process rather than to one service. supervise DIR is a host with one
// unit; svscan -C is a host with many.
//
// A host owns
//
//   - one wait: an epoll set of its own that the goroutine waits for
//     through Go's network poller (the runtime then sleeps in epoll_wait on
//     the same thread: no thread is woken to take over, as happens when a
//     goroutine blocks in a poll system call; measured, this keeps a
//     process at three threads);
//   - one timer heap on the monotonic clock: timers are the only way
//     anything waits; the loop never sleeps otherwise;
//   - one reaper (package reap), run when SIGCHLD arrives;
//   - the signals, through package sigpipe (no os/signal thread);
//   - a run queue of units that must take a turn without waiting.
//
// One goroutine runs everything: nothing in the loop locks, and a handler
// must never block. The loop allocates nothing per event.
package host

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/reap"
	"github.com/daemontools-go/daemontools/internal/sigpipe"
)

// Handler is told that fd is ready (events: epoll's bits).
type Handler interface {
	Ready(fd int, events uint32)
}

// Runner takes a turn when the loop gets to it (Schedule).
type Runner interface {
	Run()
}

// Host is the loop. The zero value is not usable; call New.
type Host struct {
	ep    int
	file  *os.File
	rc    syscall.RawConn
	ready func(uintptr) bool
	evs   [64]unix.EpollEvent
	nev   int

	handlers []Handler // by descriptor
	timers   heap
	runq     []Runner
	spare    []Runner
	base     time.Time

	// Reaper collects every child of the process.
	Reaper *reap.Reaper
	// Signal, if set, is called for each caught signal but SIGCHLD.
	Signal  func(sig syscall.Signal)
	sig     *sigpipe.Pipe
	sigs    sigpipe.Set
	stopped bool
}

// New makes a host that catches SIGCHLD (and reaps) and the signals in
// sigs (given to Signal).
func New(sigs ...syscall.Signal) (*Host, error) {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	// handlers is made at its usual size at once: growing it by appends
	// would touch a heap span of each size on the way (memory a process
	// this small notices).
	h := &Host{ep: ep, base: time.Now(), Reaper: reap.New(), handlers: make([]Handler, 0, 16), runq: make([]Runner, 0, 4)}
	if err := unix.SetNonblock(ep, true); err != nil {
		unix.Close(ep)
		return nil, err
	}
	// A non-blocking descriptor makes os.NewFile register it with the poller.
	h.file = os.NewFile(uintptr(ep), "epoll")
	if h.rc, err = h.file.SyscallConn(); err != nil {
		return nil, err
	}
	h.ready = func(fd uintptr) bool {
		n, _ := unix.EpollWait(int(fd), h.evs[:], 0)
		h.nev = max(n, 0)
		return n > 0
	}
	if h.sig, err = sigpipe.Open(); err != nil {
		return nil, err
	}
	if err := h.Add(h.sig.Fd(), nil); err != nil {
		return nil, err
	}
	if err := h.sig.Catch(append(sigs, syscall.SIGCHLD)...); err != nil {
		return nil, err
	}
	return h, nil
}

// Now is the monotonic time since the host was made.
func (h *Host) Now() time.Duration { return time.Since(h.base) }

// Add watches fd for readability and gives its events to hd.
func (h *Host) Add(fd int, hd Handler) error {
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}
	if err := unix.EpollCtl(h.ep, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return err
	}
	for len(h.handlers) <= fd {
		h.handlers = append(h.handlers, nil)
	}
	h.handlers[fd] = hd
	return nil
}

// Mute stops (on false) or resumes (on true) the events of a watched fd,
// without forgetting it: a level-triggered descriptor that is readable but
// must not be read now (a control FIFO during 0.76's pause).
func (h *Host) Mute(fd int, mute bool) {
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}
	if mute {
		ev.Events = 0
	}
	unix.EpollCtl(h.ep, unix.EPOLL_CTL_MOD, fd, &ev) //nolint:errcheck // fd is watched
}

// Remove stops watching fd (call it before closing fd).
func (h *Host) Remove(fd int) {
	unix.EpollCtl(h.ep, unix.EPOLL_CTL_DEL, fd, nil) //nolint:errcheck // not watched: nothing to do
	if fd < len(h.handlers) {
		h.handlers[fd] = nil
	}
}

// Schedule makes r take a turn in this round of the loop, before it waits.
func (h *Host) Schedule(r Runner) {
	for _, q := range h.runq {
		if q == r {
			return
		}
	}
	h.runq = append(h.runq, r)
}

// Stop makes Run return after the current round.
func (h *Host) Stop() { h.stopped = true }

// Run is the loop: due timers, then queued turns, then a wait for a
// descriptor, a signal or the next timer. It returns after Stop.
func (h *Host) Run() {
	for !h.stopped {
		h.fireTimers()
		h.runQueue()
		if h.stopped {
			return
		}
		h.wait()
		for i := 0; i < h.nev; i++ {
			fd := int(h.evs[i].Fd)
			if fd == h.sig.Fd() {
				h.signals()
				continue
			}
			if fd < len(h.handlers) && h.handlers[fd] != nil {
				h.handlers[fd].Ready(fd, h.evs[i].Events)
			}
		}
		h.nev = 0
	}
}

// runQueue gives a turn to every queued runner, in order; those queued
// meanwhile take theirs after.
func (h *Host) runQueue() {
	for len(h.runq) > 0 {
		q := h.runq
		h.runq = h.spare[:0]
		for i, r := range q {
			q[i] = nil
			r.Run()
		}
		h.spare = q[:0]
	}
}

// wait blocks until a watched descriptor is ready or the next timer is due.
func (h *Host) wait() {
	h.nev = 0
	if len(h.runq) > 0 {
		h.ready(uintptr(h.ep))
		return
	}
	if len(h.timers) > 0 {
		d := h.timers[0].at - h.Now()
		if d <= 0 {
			h.ready(uintptr(h.ep))
			return
		}
		h.file.SetReadDeadline(time.Now().Add(d)) //nolint:errcheck // the file supports deadlines
	} else {
		h.file.SetReadDeadline(time.Time{}) //nolint:errcheck
	}
	h.rc.Read(h.ready) //nolint:errcheck // a timeout just ends the wait
}

// signals drains the signal pipe: SIGCHLD reaps, the others go to Signal.
func (h *Host) signals() {
	h.sigs = sigpipe.Set{}
	h.sig.Drain(&h.sigs)
	if h.sigs[syscall.SIGCHLD] {
		h.Reaper.Reap()
	}
	for s := 1; s < len(h.sigs); s++ {
		if h.sigs[s] && s != int(syscall.SIGCHLD) && h.Signal != nil {
			h.Signal(syscall.Signal(s))
		}
	}
}

// Close releases the epoll set.
func (h *Host) Close() { h.file.Close() }
