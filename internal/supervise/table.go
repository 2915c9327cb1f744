package supervise

import "syscall"

// cell handles one event in one state.
type cell func(m *Machine, e Event)

// table is the machine: rows are states, columns events. A nil cell is an
// event the state does not take (the driver's loop never feeds it). It is a
// static composite literal, so it lives in read-only data shared by every
// supervise process.
var table = [numStates][numKinds]cell{
	Init:   {Boot: boot},
	Booted: {Enter: enter},
	Down: {
		NoExit: reaped,
		CmdUp:  cmdUp, CmdDown: cmdDown, CmdOnce: cmdOnce, CmdPause: cmdPause, CmdCont: cmdCont, CmdExit: cmdExit,
		CmdHup: signal, CmdAlarm: signal, CmdInt: signal, CmdTerm: signal, CmdKill: signal,
		CmdQuit: signal, CmdUsr1: signal, CmdUsr2: signal,
		Other: ignore,
	},
	Up: {
		NoExit: reaped, Exit: reaped,
		CmdUp: cmdUp, CmdDown: cmdDown, CmdOnce: cmdOnce, CmdPause: cmdPause, CmdCont: cmdCont, CmdExit: cmdExit,
		CmdHup: signal, CmdAlarm: signal, CmdInt: signal, CmdTerm: signal, CmdKill: signal,
		CmdQuit: signal, CmdUsr1: signal, CmdUsr2: signal,
		Other: ignore,
	},
	Failed: {
		NoExit: reaped,
		CmdUp:  cmdUp, CmdDown: cmdDown, CmdOnce: cmdOnce, CmdPause: cmdPause, CmdCont: cmdCont, CmdExit: cmdExit,
		CmdHup: signal, CmdAlarm: signal, CmdInt: signal, CmdTerm: signal, CmdKill: signal,
		CmdQuit: signal, CmdUsr1: signal, CmdUsr2: signal,
		Other: ignore,
	},
	Spawning:  {Started: started, ExecFailed: execFailed, ForkFailed: forkFailed},
	StartHold: {Timer: held},
	FailHold:  {Timer: held},
	ForkHold:  {Timer: held},
}

var signals = [numKinds]syscall.Signal{
	CmdHup: syscall.SIGHUP, CmdAlarm: syscall.SIGALRM, CmdInt: syscall.SIGINT,
	CmdTerm: syscall.SIGTERM, CmdKill: syscall.SIGKILL, CmdQuit: syscall.SIGQUIT,
	CmdUsr1: syscall.SIGUSR1, CmdUsr2: syscall.SIGUSR2,
}

// boot: start-up, status written with pid 0 (§2.3 steps 4 and 8).
func boot(m *Machine, e Event) {
	m.want = WantUp
	if e.Down {
		m.want = WantDown
	}
	m.pidChange(0)
	m.announce()
	m.state = Booted
}

// enter: start the service if wanted up, then announce on entering the loop.
func enter(m *Machine, _ Event) {
	if m.want == WantUp {
		m.spawn(fromBoot)
		return
	}
	m.state = Down
	m.announce()
}

// reaped is the reap step of a loop turn. In Up it may carry the service's
// exit; in Failed it completes the failed start (0.76 reaps the child that
// could not exec here); in Down it only runs Debian's fork retry.
func reaped(m *Machine, e Event) {
	m.immediate = false
	stopped := (m.state == Up && e.Kind == Exit && e.Pid == m.pid) || m.state == Failed
	if !stopped {
		m.retryCheck()
		return
	}
	if m.pid != 0 {
		m.pidChange(0)
		m.announce()
	}
	m.state = Down
	if m.exiting {
		m.exit()
		return
	}
	if m.want == WantUp {
		m.spawn(fromReap)
	}
}

func started(m *Machine, e Event) {
	m.paused = false
	m.pidChange(e.Pid)
	m.announce()
	m.state = StartHold
	m.hold(StartPause)
}

// execFailed: unlike 0.76, whose child fails after a successful fork, no
// "up" status is ever written; the pid stays 0.
func execFailed(m *Machine, _ Event) {
	m.paused = false
	m.state = FailHold
	m.hold(StartPause)
}

func forkFailed(m *Machine, _ Event) {
	m.state = ForkHold
	m.hold(ForkPause)
}

// held: a pause is over; carry on where the start was asked for.
func held(m *Machine, _ Event) {
	switch m.state {
	case StartHold:
		m.state = Up
	case FailHold:
		m.state = Failed
		m.immediate = true
	case ForkHold:
		m.state = Down
		m.forkRetry = true
		m.immediate = true
	}
	switch m.from {
	case fromBoot:
		m.announce()
	case fromReap:
		m.retryCheck()
	}
}

func cmdUp(m *Machine, _ Event) {
	m.want = WantUp
	m.announce()
	if m.state == Down {
		m.spawn(fromCommand)
	}
}

func cmdOnce(m *Machine, _ Event) {
	m.want = WantOnce
	m.announce()
	if m.state == Down {
		m.spawn(fromCommand)
	}
}

// cmdDown: TERM then CONT, then the status (so a paused service sees TERM).
func cmdDown(m *Machine, _ Event) {
	m.want = WantDown
	if m.state != Down {
		m.kill(syscall.SIGTERM)
		m.kill(syscall.SIGCONT)
		m.paused = false
	}
	m.announce()
}

// cmdPause: the status first, then STOP.
func cmdPause(m *Machine, _ Event) {
	m.paused = true
	m.announce()
	m.kill(syscall.SIGSTOP)
}

// cmdCont: the status first, then CONT.
func cmdCont(m *Machine, _ Event) {
	m.paused = false
	m.announce()
	m.kill(syscall.SIGCONT)
}

func signal(m *Machine, e Event) { m.kill(signals[e.Kind]) }

// cmdExit: exit as soon as the service is not running; never stops it.
func cmdExit(m *Machine, _ Event) {
	m.exiting = true
	m.announce()
	if m.state == Down {
		m.exit()
	}
}

func ignore(*Machine, Event) {}
