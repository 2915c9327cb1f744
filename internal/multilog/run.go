package multilog

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// readSize is how much input multilog asks for at a time.
const readSize = 128 << 10

// Run runs multilog with the script args and returns the exit code: 0 at
// EOF or after SIGTERM, 111 after a fatal start-up error (already printed).
func Run(args []string, env Env) int {
	env.defaults()
	m, err := start(&env, Parse(args))
	if err != nil {
		env.log().Fatal(err.Error())
		return 111
	}
	defer m.close()
	m.loop()
	return 0
}

// machine is a running multilog.
type machine struct {
	env     *Env
	lines   *lines
	dirs    []*logDir
	status  []*statusFile
	sigr    int           // read end of the signal wake-up pipe, -1 without signals
	stop    chan struct{} // tells the signal goroutine to stop
	stopped chan struct{} // closed when it has

	term, alarm bool // pending SIGTERM, SIGALRM
	newline     bool // the last byte read ended a line (true before any input)
}

// start opens the starting directory, then the = files and then the log
// directories, each in script order, as 0.76 does (§9.1).
func start(env *Env, s Script) (*machine, error) {
	startfd, err := unix.Open(".", openRead|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, fatal(err, "unable to switch to current directory")
	}
	defer unix.Close(startfd)
	m := &machine{env: env, sigr: -1, newline: true}
	acts := make([]act, len(s.Actions))
	for i, a := range s.Actions {
		acts[i] = act{kind: a.Kind, pattern: a.Arg}
		if a.Kind == Status {
			f, err := openStatusFile(env, startfd, a.Arg)
			if err != nil {
				m.close()
				return nil, err
			}
			acts[i].status = f
			m.status = append(m.status, f)
		}
	}
	for i, a := range s.Actions {
		if a.Kind == Dir {
			d, err := openLogDir(env, startfd, a)
			if err != nil {
				m.close()
				return nil, err
			}
			acts[i].dir = d
			m.dirs = append(m.dirs, d)
		}
	}
	m.lines = newLines(env, s, acts, m.dirs, m.status)
	if err := m.watchSignals(); err != nil { // no such step in 0.76
		m.close()
		return nil, fatal(err, "unable to create a pipe")
	}
	return m, nil
}

// watchSignals forwards env.Signals to a pipe, so that the wait for input
// (poll on stdin and the pipe) also wakes up for a signal.
func (m *machine) watchSignals() error {
	if m.env.Signals == nil {
		return nil
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return err
	}
	m.sigr = p[0]
	m.stop, m.stopped = make(chan struct{}), make(chan struct{})
	// The goroutine owns the write end and closes it when it stops.
	go func(sigs <-chan os.Signal, w int, stop <-chan struct{}, stopped chan<- struct{}) {
		defer close(stopped)
		defer unix.Close(w)
		for {
			select {
			case s := <-sigs:
				if n, ok := s.(syscall.Signal); ok {
					unix.Write(w, []byte{byte(n)}) //nolint:errcheck // a full pipe already wakes the loop
				}
			case <-stop:
				return
			}
		}
	}(m.env.Signals, p[1], m.stop, m.stopped)
	return nil
}

// loop reads and processes input until EOF or SIGTERM, then shuts the
// directories down cleanly.
func (m *machine) loop() {
	buf := make([]byte, readSize)
	for {
		// Before every read: write everything out, then act on ALRM, TERM.
		m.lines.flush()
		if m.alarm {
			m.alarm = false
			for _, d := range m.dirs {
				if d.bytes > 0 {
					d.rotate()
				}
			}
		}
		want := len(buf)
		if m.term {
			if m.newline {
				break
			}
			want = 1 // finish the current line and leave the rest unread
		}
		n, err := m.read(buf[:want])
		if errors.Is(err, errSignal) {
			continue
		}
		if n <= 0 { // EOF; 0.76 treats a read error as EOF too
			break
		}
		m.newline = buf[n-1] == '\n'
		m.lines.feed(buf[:n])
	}
	m.lines.eof()
	m.lines.flush()
	for _, d := range m.dirs {
		d.shutdown()
	}
}

var errSignal = errors.New("signal")

// read waits for input or a signal. A signal sets its flag and returns
// errSignal, so the caller can act on it at this read boundary.
//
// After SIGTERM, while the rest of a line is read one byte at a time, the
// read blocks without polling, as 0.76's does with TERM handled: an ALRM
// then takes effect when the next byte arrives.
func (m *machine) read(p []byte) (int, error) {
	for {
		if m.sigr >= 0 && !m.term {
			fds := []unix.PollFd{{Fd: int32(m.env.In), Events: unix.POLLIN}, {Fd: int32(m.sigr), Events: unix.POLLIN}}
			_, err := unix.Poll(fds, -1)
			if err == unix.EINTR {
				continue
			}
			if err == nil && fds[1].Revents != 0 {
				m.takeSignals()
				return 0, errSignal
			}
		}
		n, err := unix.Read(m.env.In, p)
		if err == unix.EINTR {
			continue
		}
		return n, err
	}
}

// takeSignals drains the wake-up pipe and records the signals.
func (m *machine) takeSignals() {
	var b [64]byte
	for {
		n, err := unix.Read(m.sigr, b[:])
		if err == unix.EINTR {
			continue
		}
		if n <= 0 {
			return
		}
		for _, s := range b[:n] {
			switch syscall.Signal(s) {
			case syscall.SIGTERM:
				m.term = true
			case syscall.SIGALRM:
				m.alarm = true
			}
		}
	}
}

// close releases every descriptor; it does not mark anything clean.
func (m *machine) close() {
	if m.stop != nil {
		close(m.stop)
		<-m.stopped
	}
	if m.sigr >= 0 {
		unix.Close(m.sigr)
	}
	for _, s := range m.status {
		s.close()
	}
	for _, d := range m.dirs {
		d.close()
	}
}
