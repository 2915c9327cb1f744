package supervise

import (
	"syscall"
	"time"

	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/tai64"
)

// State is one row of the table.
type State uint8

// The states. Names are those of states.dot. The first ten are 0.76's;
// the others exist only with the service-directory files that switch on
// the lifecycle extensions (finish, timeout-kill, restart-delay...).
const (
	Init        State = iota // nothing done yet
	Booted                   // start-up status written; main loop not entered
	Down                     // no service process
	Up                       // the service runs
	Spawning                 // Spawn asked for; waiting for its outcome
	StartHold                // 0.76's pause after a start: only its timer is taken
	FailHold                 // 0.76's pause after a failed exec
	Failed                   // exec failed, pause over: the next reap step acts on it
	ForkHold                 // the pause after a failed fork
	Backoff                  // waiting to restart (restart-delay): commands are served
	FinishStart              // SpawnFinish asked for; waiting for its outcome
	Finishing                // ./finish runs
	Cleaning                 // waiting until no process of the last instance is left (timeout-kill)
	Gone                     // the supervisor of this service exits
	numStates
)

var stateNames = [numStates]string{"init", "booted", "down", "up", "spawning", "starthold", "failhold", "failed",
	"forkhold", "backoff", "finishstart", "finishing", "cleaning", "gone"}

func (s State) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return "state?"
}

// Kind is one column of the table.
type Kind uint8

// The events. Control bytes have one kind each; bytes the machine ignores
// are Other.
const (
	Boot          Kind = iota // start-up; Event.Down tells whether ./down exists, Event.Adopt a live instance
	Enter                     // the main loop is entered
	Exit                      // reap step: a process of the service (Event.Pid) ended, as Event.Status says
	NoExit                    // reap step: nothing of the service ended
	Started                   // the start succeeded: Event.Pid runs ./run
	ExecFailed                // ./run could not be executed
	ForkFailed                // no process could be created
	FinishStarted             // Event.Pid runs ./finish
	FinishFailed              // ./finish could not be started: as if it had exited 0
	Timer                     // the timer Event.Timer is due
	Clean                     // no process of the last instance is left (after a Cleanup with Watch)
	Ready                     // the instance said it is ready (notification-fd, READY=1)
	Reloading                 // the instance said it is not ready until the next Ready (RELOADING=1)
	CmdUp                     // u
	CmdDown                   // d
	CmdOnce                   // o
	CmdPause                  // p
	CmdCont                   // c
	CmdHup                    // h
	CmdAlarm                  // a
	CmdInt                    // i
	CmdTerm                   // t
	CmdKill                   // k
	CmdExit                   // x
	CmdQuit                   // q (daemontools-encore's svc)
	CmdUsr1                   // 1
	CmdUsr2                   // 2
	CmdRestart                // r (s6's): the down signal and CONT; want unchanged
	Other                     // any other control byte
	numKinds
)

var kindNames = [numKinds]string{
	"boot", "enter", "exit", "noexit", "started", "execfail", "forkfail", "finishstarted", "finishfail",
	"timer", "clean", "ready", "reloading",
	"u", "d", "o", "p", "c", "h", "a", "i", "t", "k", "x", "q", "1", "2", "r", "other",
}

func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "kind?"
}

// commands maps control bytes to their kinds; zero means Other.
var commands = [256]Kind{
	'u': CmdUp, 'd': CmdDown, 'o': CmdOnce, 'p': CmdPause, 'c': CmdCont,
	'h': CmdHup, 'a': CmdAlarm, 'i': CmdInt, 't': CmdTerm, 'k': CmdKill,
	'x': CmdExit, 'q': CmdQuit, '1': CmdUsr1, '2': CmdUsr2, 'r': CmdRestart,
}

// NeedsConfig reports whether the driver must read the service directory's
// files into Event.Cfg before feeding an event of kind k: they are re-read
// each time they are used.
func NeedsConfig(k Kind) bool {
	switch k {
	case Started, ExecFailed, Exit, CmdDown, CmdRestart:
		return true
	}
	return false
}

// TimerID names one of a machine's timers. Each is armed and cancelled by
// the machine (Arm, Cancel); the driver feeds Timer when an armed one is due.
type TimerID uint8

// The timers.
const (
	HoldTimer    TimerID = iota // 0.76's pauses after a start, a failed exec, a failed fork
	RestartTimer                // the restart delay (Backoff)
	FinishTimer                 // timeout-finish
	KillTimer                   // timeout-kill
	NumTimers
)

var timerNames = [NumTimers]string{"hold", "restart", "finish", "kill"}

func (t TimerID) String() string {
	if t < NumTimers {
		return timerNames[t]
	}
	return "timer?"
}

// ExitStatus is how a process ended.
type ExitStatus struct {
	Known  bool // false for an adopted instance, which is not our child
	Code   int  // exit code, when it exited
	Signal int  // the signal that killed it, 0 if it exited
	Core   bool // it dumped core
}

// FromWait returns the ExitStatus of a wait status.
func FromWait(ws syscall.WaitStatus) ExitStatus {
	if ws.Signaled() {
		return ExitStatus{Known: true, Signal: int(ws.Signal()), Core: ws.CoreDump()}
	}
	return ExitStatus{Known: true, Code: ws.ExitStatus()}
}

// Config is what the service directory's files say, as the driver read
// them for the event (NeedsConfig). The zero value is 0.76's behaviour.
type Config struct {
	DownSignal    syscall.Signal // down-signal; 0 means TERM
	TimeoutKill   time.Duration  // timeout-kill; 0: never
	Finish        bool           // ./finish exists
	TimeoutFinish time.Duration  // timeout-finish; 0: no limit (the driver applies the 5 s default)
	Paced         bool           // restart-delay or restart-delay-max exists: no 0.76 start pause
	RestartDelay  time.Duration  // restart-delay (the driver applies the 1 s default)
	RestartMax    time.Duration  // restart-delay-max; 0: no backoff
	Readiness     bool           // notification-fd or notify-socket: not ready until it says so
}

func (c Config) downSignal() syscall.Signal {
	if c.DownSignal == 0 {
		return syscall.SIGTERM
	}
	return c.DownSignal
}

// Adoption is an instance of ./run found alive at start-up, left by a
// supervisor that died: it is supervised instead of starting a second one.
type Adoption struct {
	Pid  int
	When tai64.N // when it was started
	Want byte    // the want byte of the status record it left
}

// Clock is the time of an event: wall time for the status records, and a
// monotonic reading (any origin) for durations and timers.
type Clock struct {
	Wall tai64.N
	Mono time.Duration
}

// Event is one input to the machine.
type Event struct {
	Kind   Kind
	Pid    int        // Exit, Started, FinishStarted
	Down   bool       // Boot: ./down exists
	Once   bool       // Boot: run once, then end the supervision (shutdown-on-exit)
	Adopt  Adoption   // Boot: a live instance to adopt (Pid 0: none)
	Timer  TimerID    // Timer
	Status ExitStatus // Exit
	Cfg    Config     // the kinds of NeedsConfig
}

// Command returns the event for a control byte read from supervise/control.
func Command(b byte) Event {
	k := commands[b]
	if k == 0 {
		k = Other
	}
	return Event{Kind: k}
}

// ActionKind says what an Action asks the driver to do.
type ActionKind uint8

// The actions.
const (
	Announce    ActionKind = iota // write Action.Status to supervise/status (and the extended status)
	Publish                       // write the extended status only: the state changed, the 18-byte record did not
	Spawn                         // start ./run, then feed Started, ExecFailed or ForkFailed
	SpawnFinish                   // start ./finish for Action.Exit, then feed FinishStarted or FinishFailed
	Kill                          // send Action.Signal to Action.Pid
	Cleanup                       // send Action.Signal, then CONT, to what is left of the last instance; with Action.Watch, feed Clean once nothing is left
	KillAll                       // SIGKILL and CONT to the running instance, if any, and to what is left of the last
	Arm                           // feed Timer Action.Timer after Action.After (re-arming replaces)
	Cancel                        // forget timer Action.Timer
	Quit                          // supervision of this service ends
)

var actionNames = [...]string{"announce", "publish", "spawn", "spawnfinish", "kill", "cleanup", "killall", "arm", "cancel", "quit"}

func (k ActionKind) String() string {
	if int(k) < len(actionNames) {
		return actionNames[k]
	}
	return "action?"
}

// Action is one output of the machine.
type Action struct {
	Kind   ActionKind
	Status status.Status  // Announce
	Pid    int            // Kill
	Signal syscall.Signal // Kill, Cleanup
	Watch  bool           // Cleanup
	Timer  TimerID        // Arm, Cancel
	After  time.Duration  // Arm
	Exit   ExitStatus     // SpawnFinish
}
