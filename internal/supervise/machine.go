// Package supervise is the state machine of one supervised service, with
// no I/O of its own: daemontools 0.76's supervise, plus the lifecycle that
// files in the service directory switch on (finish, timeout-kill,
// restart-delay and its backoff, down-signal, readiness, adoption of an
// instance left by a supervisor that died).
//
// The machine knows nothing about descriptors, processes or the clock. A
// driver feeds it events (start-up, a loop turn's reap step, a control byte,
// the outcome of a start, a timer that is due, a readiness message), each
// stamped with the time the driver read (Clock), and carries out the
// actions it returns (write the status record, start ./run or ./finish,
// send signals, arm or cancel a timer, end). The machine never sleeps: a
// pause is a timer it arms, and the driver feeds Timer when it is due.
//
// The behaviour is table-driven, after s6-supervise: a table of states ×
// events whose cells are small functions (table.go). states.dot beside this
// file draws the same table; a test keeps the two in step. An event a state
// does not take is refused (ErrNotAccepted), which is a driver bug.
//
// # The driver's loop
//
// 0.76 runs one loop per service in which order is observable, and the
// driver keeps it for each service (a unit, in a host that may run many):
//
//	feed Boot (the first status record); open supervise/ok; feed Enter
//	loop until Quit:
//	    wait for a control byte, the end of a process of the service, or
//	    a timer (do not wait if Immediate)
//	    reap step: feed Exit if a process of the service ended, else NoExit
//	    read at most one control byte; feed it
//
// Actions are carried out in order. Spawn and SpawnFinish are always the
// last action of a batch: the driver starts the program and feeds its
// outcome at once. While the machine Holds (0.76's pauses), the driver
// feeds nothing but the hold's Timer (and readiness, which is no command):
// control bytes wait in the FIFO and exits wait to be fed, as they waited
// during 0.76's sleep(). When the
// pause ends, a turn that the pause interrupted in its reap step goes on
// with its control byte, as 0.76's did after sleep() returned. Every other
// timer (restart, finish, kill) runs while commands are served. Timer,
// Clean, Ready and Reloading are fed whenever the machine Accepts them,
// outside the turns; Exit is fed in a reap step.
package supervise

import (
	"errors"
	"syscall"
	"time"

	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/tai64"
)

// Pauses of 0.76's supervise, and the lifecycle's fixed delays.
const (
	StartPause = time.Second      // after every start (and every failed exec)
	ForkPause  = 60 * time.Second // after a failed fork
	// KillRecheck is how long the machine waits, after SIGKILL to what was
	// left of an instance, for it to be gone before it gives up waiting.
	KillRecheck = time.Second
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
	fromCommand origin = iota // a control byte, a retry, a timer: the turn ends
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
	want      Want
	from      origin
	paused    bool
	exiting   bool
	forkRetry bool // Debian: a fork failed; retry at a reap step while wanted up
	immediate bool // a loop turn is due at once (0.76: the self-pipe was written)
	pid       int
	when      tai64.N // time of the last pid change
	now       Clock
	out       []Action

	// The lifecycle.
	stopping  bool // a stop was asked for while the instance runs
	once      bool // shutdown-on-exit: the supervision ends with the first instance
	cleaning  bool // waiting for Clean (a Cleanup with Watch)
	failed    bool // ./finish exited 125: down for good
	armed     [NumTimers]bool
	killed    int           // KillAll sent while cleaning
	finishPid int           // ./finish, while it runs
	startMono time.Duration // when the instance started
	deaths    int           // consecutive early deaths (backoff)
	cfg       Config        // as read for the last exit (restart policy)

	// For the extended status.
	adopted      bool
	ready        bool
	hasExit      bool
	starts       int
	readySince   tai64.N
	lastExit     ExitStatus
	lastExitAt   tai64.N
	lastRan      time.Duration
	backoffUntil tai64.N
	name         string  // the state name last announced
	since        tai64.N // when it changed
}

// New returns a machine waiting for Boot.
func New() *Machine { return &Machine{state: Init, name: "down"} }

// State returns the current state.
func (m *Machine) State() State { return m.state }

// Pid returns the service's pid, 0 when it is not running.
func (m *Machine) Pid() int { return m.pid }

// FinishPid returns the pid of ./finish while it runs, else 0.
func (m *Machine) FinishPid() int { return m.finishPid }

// Want returns what the service is supposed to do.
func (m *Machine) Want() Want { return m.want }

// Paused reports whether svc -p is in effect.
func (m *Machine) Paused() bool { return m.paused }

// Exiting reports whether svc -x was received.
func (m *Machine) Exiting() bool { return m.exiting }

// Immediate reports that the driver must not block before the next loop
// turn: after a failed start, the next reap step acts on it at once.
func (m *Machine) Immediate() bool { return m.immediate }

// Holding reports whether the machine is in one of 0.76's pauses, during
// which it takes nothing but the hold's Timer (and readiness).
func (m *Machine) Holding() bool {
	return m.state == StartHold || m.state == FailHold || m.state == ForkHold
}

// Done reports whether the machine has asked to exit.
func (m *Machine) Done() bool { return m.state == Gone }

// WaitsClean reports whether the machine waits for Clean: what was left
// of the last instance was signalled with Cleanup's Watch.
func (m *Machine) WaitsClean() bool { return m.cleaning }

// Adopted reports whether the running instance was adopted at start-up.
func (m *Machine) Adopted() bool { return m.adopted }

// Ready reports whether the running instance is ready, and since when.
func (m *Machine) Ready() (bool, tai64.N) { return m.ready && m.pid != 0, m.readySince }

// Restarts returns the number of starts of ./run after the first.
func (m *Machine) Restarts() int {
	if m.starts == 0 {
		return 0
	}
	return m.starts - 1
}

// LastExit returns how the last instance ended, when, and how long it
// ran; ok is false before the first end.
func (m *Machine) LastExit() (st ExitStatus, at tai64.N, ran time.Duration, ok bool) {
	return m.lastExit, m.lastExitAt, m.lastRan, m.hasExit
}

// BackoffUntil returns when the next start is due while waiting to
// restart, else the zero time.
func (m *Machine) BackoffUntil() tai64.N {
	if m.state != Backoff {
		return tai64.N{}
	}
	return m.backoffUntil
}

// StateName returns the state as supervise/state.json names it: down, up,
// stopping, finishing, backoff or failed, and since when it is so.
func (m *Machine) StateName() (string, tai64.N) { return m.name, m.since }

func (m *Machine) stateName() string {
	switch m.state {
	case Up, StartHold:
		if m.stopping {
			return "stopping"
		}
		return "up"
	case FinishStart, Finishing:
		return "finishing"
	case Cleaning:
		return "stopping"
	case Backoff, FailHold, Failed, ForkHold:
		return "backoff"
	case Down, Gone:
		if m.failed {
			return "failed"
		}
	}
	return "down"
}

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
func (m *Machine) Handle(e Event, now Clock, out []Action) ([]Action, error) {
	if e.Kind >= numKinds {
		e.Kind = Other
	}
	if !m.takes(e) {
		return out, ErrNotAccepted
	}
	m.now, m.out = now, out
	start := len(out)
	table[m.state][e.Kind](m, e)
	if n := m.stateName(); n != m.name {
		m.name, m.since = n, now.Wall
		m.publish(start)
	}
	out, m.out = m.out, nil
	return out, nil
}

// publish makes sure that a change of the state's name reaches the
// extended status: if the batch since start announced nothing, a Publish
// goes before its last action when that is a start or the end.
func (m *Machine) publish(start int) {
	for _, a := range m.out[start:] {
		if a.Kind == Announce {
			return
		}
	}
	n := len(m.out)
	if n > start {
		if k := m.out[n-1].Kind; k == Spawn || k == SpawnFinish || k == Quit {
			m.out = append(m.out, m.out[n-1])
			m.out[n-1] = Action{Kind: Publish}
			return
		}
	}
	m.emit(Action{Kind: Publish})
}

// Accepts reports whether the current state takes events of kind k (for
// Timer: some timer; see AcceptsTimer).
func (m *Machine) Accepts(k Kind) bool { return k < numKinds && table[m.state][k] != nil }

// Armed reports whether timer t is armed.
func (m *Machine) Armed(t TimerID) bool { return t < NumTimers && m.armed[t] }

// takes reports whether e is accepted: its cell exists and, for a timer,
// that timer is armed.
func (m *Machine) takes(e Event) bool {
	if table[m.state][e.Kind] == nil {
		return false
	}
	return e.Kind != Timer || m.Armed(e.Timer)
}

func (m *Machine) emit(a Action) { m.out = append(m.out, a) }

// announce writes the status record (0.76's announce).
func (m *Machine) announce() { m.emit(Action{Kind: Announce, Status: m.Status()}) }

// pidChange records now as the time of the last pid change.
func (m *Machine) pidChange(pid int) {
	m.pid = pid
	m.when = m.now.Wall
}

func (m *Machine) kill(sig syscall.Signal) {
	if m.pid != 0 {
		m.emit(Action{Kind: Kill, Pid: m.pid, Signal: sig})
	}
}

func (m *Machine) arm(t TimerID, d time.Duration) {
	m.armed[t] = true
	m.emit(Action{Kind: Arm, Timer: t, After: d})
}

func (m *Machine) cancel(t TimerID) {
	if m.armed[t] {
		m.armed[t] = false
		m.emit(Action{Kind: Cancel, Timer: t})
	}
}

// hold is one of 0.76's pauses.
func (m *Machine) hold(s State, d time.Duration) {
	m.state = s
	m.arm(HoldTimer, d)
}

// spawn asks the driver to start ./run (0.76's trystart).
func (m *Machine) spawn(from origin) {
	m.from = from
	m.forkRetry = false
	m.state = Spawning
	m.emit(Action{Kind: Spawn})
}

// exit writes the final status and stops (0.76: doit returns, main announces).
func (m *Machine) exit() {
	for t := TimerID(0); t < NumTimers; t++ {
		m.cancel(t)
	}
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

// RestartWait is the backoff, a pure function: given the configuration
// read at the exit, how long the instance ran and the number of
// consecutive early deaths before it, it returns how long to wait from now
// before the next start (0: at once) and the new number of early deaths.
//
// The next start comes no sooner than the wait after the previous start
// (0.76's rule, one second after each start, is restart-delay 1000). A
// death is early when the instance ran less than restart-delay-max (or,
// without a cap, less than restart-delay). With a cap, each consecutive
// early death doubles the wait, from restart-delay up to the cap; an
// instance that ran at least the cap restarts at once and resets the count.
func RestartWait(c Config, ran time.Duration, deaths int) (wait time.Duration, next int) {
	base := c.RestartDelay
	early := base
	if c.RestartMax > 0 {
		early = c.RestartMax
	}
	if ran >= early {
		return 0, 0
	}
	deaths++
	d := base
	if c.RestartMax > 0 {
		for i := 1; i < deaths && d < c.RestartMax; i++ {
			d *= 2
		}
		d = min(d, c.RestartMax)
	}
	if d <= ran {
		return 0, deaths
	}
	return d - ran, deaths
}
