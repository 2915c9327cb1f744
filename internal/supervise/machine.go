// Package supervise is the state machine of one supervised service, as
// daemontools 0.76's supervise runs it, with no I/O of its own.
//
// The machine knows nothing about descriptors, processes or the clock. A
// driver feeds it events (start-up, a loop turn's reap step, a control byte,
// the outcome of a start, the end of a pause), each stamped with the time the
// driver read, and carries out the actions it returns (write the status
// record, start ./run, send a signal to the service, pause, exit). The same
// machine can therefore run under one process per service (package
// superviseproc, cmd/supervise) or many to a process, and can grow finish
// scripts, backoff and readiness as new states and events.
//
// The behaviour is table-driven, after s6-supervise: a table of states ×
// events whose cells are small functions (table.go). states.dot beside this
// file draws the same table; a test keeps the two in step.
//
// # The driver's loop
//
// 0.76 runs one loop in which order is observable, and the driver keeps it:
//
//	feed Boot (the first status record); open supervise/ok; feed Enter
//	loop until Quit:
//	    wait for a control byte or the service's exit (do not block if Immediate)
//	    reap step: feed Exit if the service was reaped, else NoExit
//	    read at most one control byte; feed it
//
// Actions are carried out in order. Spawn and Hold are always the last
// action of a batch: after Spawn the driver starts ./run and feeds Started,
// ExecFailed or ForkFailed; after Hold it waits the whole duration, neither
// reading control bytes nor reaping, then feeds Timer. The loop resumes where
// it stopped, so a start from the reap step pauses before that turn's
// control byte is read, as in 0.76.
package supervise

import (
	"errors"
	"syscall"
	"time"

	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/tai64"
)

// Pauses of 0.76's supervise.
const (
	StartPause = time.Second      // after every start (and every failed exec)
	ForkPause  = 60 * time.Second // after a failed fork
)

// Want is what the service is supposed to do.
type Want uint8

const (
	WantUp   Want = iota // restart whenever it stops
	WantDown             // stay stopped
	WantOnce             // run once, do not restart (svc -o)
)

// origin records where a start was asked for, which decides what follows
// its pause (0.76's trystart returns to its caller).
type origin uint8

const (
	fromCommand origin = iota // a control byte (or a retry): the turn ends
	fromBoot                  // start-up: announce on entering the main loop
	fromReap                  // the reap step: check for a fork retry, then read a control byte
)

// ErrNotAccepted is returned for an event the current state does not take:
// a driver bug, since the loop above never feeds one.
var ErrNotAccepted = errors.New("supervise: event not accepted in this state")

// Machine is one service's supervision state. The zero value is not usable;
// call New.
type Machine struct {
	state     State
	pid       int
	want      Want
	paused    bool
	exiting   bool
	when      tai64.N // time of the last pid change
	forkRetry bool    // Debian: a fork failed; retry at a reap step while wanted up
	immediate bool    // a loop turn is due at once (0.76: the self-pipe was written)
	from      origin
	now       tai64.N
	out       []Action
}

// New returns a machine waiting for Boot.
func New() *Machine { return &Machine{state: Init} }

// State returns the current state.
func (m *Machine) State() State { return m.state }

// Pid returns the service's pid, 0 when it is not running.
func (m *Machine) Pid() int { return m.pid }

// Want returns what the service is supposed to do.
func (m *Machine) Want() Want { return m.want }

// Paused reports whether svc -p is in effect.
func (m *Machine) Paused() bool { return m.paused }

// Exiting reports whether svc -x was received.
func (m *Machine) Exiting() bool { return m.exiting }

// Immediate reports that the driver must not block before the next loop
// turn: after a failed start, the next reap step acts on it at once.
func (m *Machine) Immediate() bool { return m.immediate }

// Done reports whether the machine has asked to exit.
func (m *Machine) Done() bool { return m.state == Gone }

// Status returns the 18-byte record as supervise writes it now.
func (m *Machine) Status() status.Status {
	s := status.Status{When: m.when, Pid: uint32(m.pid), Paused: m.paused && m.pid != 0}
	switch m.want {
	case WantUp:
		s.Want = status.WantUp
	case WantDown:
		s.Want = status.WantDown
	default:
		s.Want = status.WantOnce
	}
	return s
}

// Handle feeds one event, stamped now, and appends the resulting actions to
// out. It returns ErrNotAccepted, and changes nothing, if the current state
// does not take the event.
func (m *Machine) Handle(e Event, now tai64.N, out []Action) ([]Action, error) {
	if e.Kind >= numKinds {
		e.Kind = Other
	}
	c := table[m.state][e.Kind]
	if c == nil {
		return out, ErrNotAccepted
	}
	m.now, m.out = now, out
	c(m, e)
	out, m.out = m.out, nil
	return out, nil
}

// Accepts reports whether the current state takes events of kind k.
func (m *Machine) Accepts(k Kind) bool { return k < numKinds && table[m.state][k] != nil }

func (m *Machine) emit(a Action) { m.out = append(m.out, a) }

// announce writes the status record (0.76's announce).
func (m *Machine) announce() { m.emit(Action{Kind: Announce, Status: m.Status()}) }

// pidChange records now as the time of the last pid change.
func (m *Machine) pidChange(pid int) {
	m.pid = pid
	m.when = m.now
}

func (m *Machine) kill(sig syscall.Signal) {
	if m.pid != 0 {
		m.emit(Action{Kind: Kill, Pid: m.pid, Signal: sig})
	}
}

func (m *Machine) hold(d time.Duration) { m.emit(Action{Kind: Hold, Hold: d}) }

// spawn asks the driver to start ./run (0.76's trystart).
func (m *Machine) spawn(from origin) {
	m.from = from
	m.forkRetry = false
	m.state = Spawning
	m.emit(Action{Kind: Spawn})
}

// exit writes the final status and stops (0.76: doit returns, main announces).
func (m *Machine) exit() {
	m.announce()
	m.state = Gone
	m.emit(Action{Kind: Quit})
}

// retryCheck is Debian's patch: after every reap step, a start whose fork
// failed is tried again if the service is still wanted up.
func (m *Machine) retryCheck() {
	if m.forkRetry && m.want == WantUp && m.pid == 0 {
		m.spawn(fromCommand)
	}
}
