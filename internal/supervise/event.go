package supervise

import (
	"syscall"
	"time"

	"github.com/daemontools-go/daemontools/internal/status"
)

// State is one row of the table.
type State uint8

// The states. Names are those of states.dot.
const (
	Init      State = iota // nothing done yet
	Booted                 // start-up status written; main loop not entered
	Down                   // no service process
	Up                     // the service runs
	Spawning               // Spawn asked for; waiting for its outcome
	StartHold              // the pause after a start
	FailHold               // the pause after a failed exec
	Failed                 // exec failed, pause over: the next reap step acts on it
	ForkHold               // the pause after a failed fork
	Gone                   // supervise exits
	numStates
)

var stateNames = [numStates]string{"init", "booted", "down", "up", "spawning", "starthold", "failhold", "failed", "forkhold", "gone"}

func (s State) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return "state?"
}

// Kind is one column of the table.
type Kind uint8

// The events. Control bytes have one kind each; bytes 0.76 ignores are Other.
const (
	Boot       Kind = iota // start-up; Event.Down tells whether ./down exists
	Enter                  // the main loop is entered
	Exit                   // reap step: the service (Event.Pid) was reaped
	NoExit                 // reap step: the service was not reaped
	Started                // the start succeeded: Event.Pid runs ./run
	ExecFailed             // ./run could not be executed
	ForkFailed             // no process could be created
	Timer                  // a pause is over
	CmdUp                  // u
	CmdDown                // d
	CmdOnce                // o
	CmdPause               // p
	CmdCont                // c
	CmdHup                 // h
	CmdAlarm               // a
	CmdInt                 // i
	CmdTerm                // t
	CmdKill                // k
	CmdExit                // x
	CmdQuit                // q (daemontools-encore's svc)
	CmdUsr1                // 1
	CmdUsr2                // 2
	Other                  // any other control byte
	numKinds
)

var kindNames = [numKinds]string{
	"boot", "enter", "exit", "noexit", "started", "execfail", "forkfail", "timer",
	"u", "d", "o", "p", "c", "h", "a", "i", "t", "k", "x", "q", "1", "2", "other",
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
	'x': CmdExit, 'q': CmdQuit, '1': CmdUsr1, '2': CmdUsr2,
}

// Event is one input to the machine.
type Event struct {
	Kind Kind
	Pid  int  // Exit, Started
	Down bool // Boot: ./down exists
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
	Announce ActionKind = iota // write Action.Status to supervise/status (via status.new)
	Spawn                      // start ./run, then feed its outcome
	Kill                       // send Action.Signal to Action.Pid
	Hold                       // wait Action.Hold, reading and reaping nothing, then feed Timer
	Quit                       // exit 0
)

var actionNames = [...]string{"announce", "spawn", "kill", "hold", "quit"}

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
	Signal syscall.Signal // Kill
	Hold   time.Duration  // Hold
}
