package supervise

import (
	"syscall"
	"time"
)

// cell handles one event in one state.
type cell func(m *Machine, e Event)

// table is the machine: rows are states, columns events. A nil cell is an
// event the state does not take (the driver's loop never feeds it). It is a
// static composite literal, so it lives in the binary's data, shared by
// every supervise process until written (it never is).
//
// Where the service runs or may be started, every control byte is served.
// While ./finish runs or leftovers are waited for (Finishing, Cleaning),
// only what the service should do next changes (u d o x); letters meant
// for the service are ignored.
var table = [numStates][numKinds]cell{
	Init:   {Boot: boot},
	Booted: {Enter: enter},
	Down: {
		NoExit: reaped,
		CmdUp:  cmdUp, CmdDown: cmdDown, CmdOnce: cmdOnce, CmdPause: cmdPause, CmdCont: cmdCont, CmdExit: cmdExit,
		CmdHup: signal, CmdAlarm: signal, CmdInt: signal, CmdTerm: signal, CmdKill: signal,
		CmdQuit: signal, CmdUsr1: signal, CmdUsr2: signal, CmdRestart: cmdRestart, Other: ignore,
	},
	Up: {
		NoExit: reaped, Exit: reaped, Timer: timer, Ready: ready, Reloading: ready,
		CmdUp: cmdUp, CmdDown: cmdDown, CmdOnce: cmdOnce, CmdPause: cmdPause, CmdCont: cmdCont, CmdExit: cmdExit,
		CmdHup: signal, CmdAlarm: signal, CmdInt: signal, CmdTerm: signal, CmdKill: signal,
		CmdQuit: signal, CmdUsr1: signal, CmdUsr2: signal, CmdRestart: cmdRestart, Other: ignore,
	},
	Failed: {
		NoExit: reaped,
		CmdUp:  cmdUp, CmdDown: cmdDown, CmdOnce: cmdOnce, CmdPause: cmdPause, CmdCont: cmdCont, CmdExit: cmdExit,
		CmdHup: signal, CmdAlarm: signal, CmdInt: signal, CmdTerm: signal, CmdKill: signal,
		CmdQuit: signal, CmdUsr1: signal, CmdUsr2: signal, CmdRestart: cmdRestart, Other: ignore,
	},
	Backoff: {
		NoExit: reaped, Timer: timer,
		CmdUp: cmdUp, CmdDown: cmdDown, CmdOnce: cmdOnce, CmdPause: cmdPause, CmdCont: cmdCont, CmdExit: cmdExit,
		CmdHup: signal, CmdAlarm: signal, CmdInt: signal, CmdTerm: signal, CmdKill: signal,
		CmdQuit: signal, CmdUsr1: signal, CmdUsr2: signal, CmdRestart: cmdRestart, Other: ignore,
	},
	Spawning:    {Started: started, ExecFailed: execFailed, ForkFailed: forkFailed},
	StartHold:   {Timer: timer, Ready: ready, Reloading: ready}, // readiness is no command: not held back
	FailHold:    {Timer: timer},
	ForkHold:    {Timer: timer},
	FinishStart: {FinishStarted: finishStarted, FinishFailed: finishFailed},
	Finishing: {
		NoExit: reaped, Exit: reaped, Timer: timer, Clean: clean,
		CmdUp: setWant, CmdDown: setWant, CmdOnce: setWant, CmdExit: setExit,
		CmdPause: ignore, CmdCont: ignore, CmdHup: ignore, CmdAlarm: ignore, CmdInt: ignore, CmdTerm: ignore,
		CmdKill: ignore, CmdQuit: ignore, CmdUsr1: ignore, CmdUsr2: ignore, CmdRestart: ignore, Other: ignore,
	},
	Cleaning: {
		NoExit: reaped, Timer: timer, Clean: clean,
		CmdUp: setWant, CmdDown: setWant, CmdOnce: setWant, CmdExit: setExit,
		CmdPause: ignore, CmdCont: ignore, CmdHup: ignore, CmdAlarm: ignore, CmdInt: ignore, CmdTerm: ignore,
		CmdKill: ignore, CmdQuit: ignore, CmdUsr1: ignore, CmdUsr2: ignore, CmdRestart: ignore, Other: ignore,
	},
}

var signals = [numKinds]syscall.Signal{
	CmdHup: syscall.SIGHUP, CmdAlarm: syscall.SIGALRM, CmdInt: syscall.SIGINT,
	CmdTerm: syscall.SIGTERM, CmdKill: syscall.SIGKILL, CmdQuit: syscall.SIGQUIT,
	CmdUsr1: syscall.SIGUSR1, CmdUsr2: syscall.SIGUSR2,
}

// boot: start-up, status written (§2.3 steps 4 and 8). An adopted instance
// keeps its start time and what was wanted of it.
func boot(m *Machine, e Event) {
	m.since = m.now.Wall
	m.want = WantUp
	if e.Down {
		m.want = WantDown
	} else if e.Once {
		m.want, m.once = WantOnce, true
	}
	m.state = Booted
	if a := e.Adopt; a.Pid != 0 {
		switch a.Want {
		case 'd':
			m.want = WantDown
		case 0:
			m.want = WantOnce
		default:
			m.want = WantUp
		}
		m.adopted = true
		m.pid, m.when = a.Pid, a.When
		ran := time.Duration(int64(m.now.Wall.Sec)-int64(a.When.Sec)) * time.Second
		m.startMono = m.now.Mono - max(ran, 0)
		m.ready, m.readySince = true, a.When
		m.starts = 1
		m.announce()
		return
	}
	m.pidChange(0)
	m.announce()
}

// enter: start the service if wanted up (unless adopted), then announce
// on entering the loop.
func enter(m *Machine, _ Event) {
	if m.pid != 0 {
		m.state = Up
		m.announce()
		return
	}
	if m.want == WantUp || (m.once && m.want == WantOnce) {
		m.spawn(fromBoot)
		return
	}
	m.state = Down
	m.announce()
}

// reaped is the reap step of a loop turn. In Up it may carry the service's
// exit, in Finishing that of ./finish; in Failed it completes the failed
// start (0.76 reaps the child that could not exec here); in Down it only
// runs Debian's fork retry.
func reaped(m *Machine, e Event) {
	m.immediate = false
	switch {
	case m.state == Up && e.Kind == Exit && e.Pid == m.pid:
		mainExited(m, e)
	case m.state == Finishing && e.Kind == Exit && e.Pid == m.finishPid:
		finishExited(m, e)
	case m.state == Failed:
		m.state = Down
		if m.exiting || m.once {
			m.exit()
			return
		}
		if m.want == WantUp {
			m.spawn(fromReap)
		}
	case m.state == Up || m.state == Down:
		m.retryCheck()
	}
}

// mainExited: ./run ended. The status says so at once (pid 0); what is left
// of the instance is signalled if a stop was asked for, or if timeout-kill
// is set (then waited for); ./finish runs; then the service restarts,
// stays down, or the supervisor ends.
func mainExited(m *Machine, e Event) {
	m.hasExit, m.lastExit, m.lastExitAt = true, e.Status, m.now.Wall
	m.lastRan = m.now.Mono - m.startMono
	m.adopted = false
	m.cfg = e.Cfg
	m.pidChange(0)
	m.announce()
	stopped := m.stopping
	m.stopping = false
	if stopped || e.Cfg.TimeoutKill > 0 {
		watch := e.Cfg.TimeoutKill > 0
		m.emit(Action{Kind: Cleanup, Signal: e.Cfg.downSignal(), Watch: watch})
		if watch {
			m.cleaning, m.killed = true, 0
			if !m.armed[KillTimer] {
				m.arm(KillTimer, e.Cfg.TimeoutKill)
			}
		}
	}
	if e.Cfg.Finish {
		m.state = FinishStart
		m.emit(Action{Kind: SpawnFinish, Exit: e.Status})
		return
	}
	instanceOver(m, fromReap)
}

// instanceOver: ./run and ./finish are done. Wait for the leftovers if
// asked to, then restart or stay down.
func instanceOver(m *Machine, from origin) {
	if m.cleaning {
		m.state = Cleaning
		return
	}
	m.cancel(KillTimer)
	m.state = Down
	if m.exiting || m.once {
		m.exit()
		return
	}
	if m.want != WantUp || m.failed {
		return
	}
	if !m.cfg.Paced { // 0.76: the pause after the start has passed
		m.spawn(from)
		return
	}
	var wait time.Duration
	wait, m.deaths = RestartWait(m.cfg, m.lastRan, m.deaths)
	if wait <= 0 {
		m.spawn(from)
		return
	}
	m.backoff(wait)
}

// backoff waits d before the next start, serving commands.
func (m *Machine) backoff(d time.Duration) {
	m.state = Backoff
	m.backoffUntil = m.now.Wall.Add(d)
	m.announce()
	m.arm(RestartTimer, d)
}

func started(m *Machine, e Event) {
	m.paused = false
	m.failed = false
	m.starts++
	m.startMono = m.now.Mono
	m.pidChange(e.Pid)
	m.ready = !e.Cfg.Readiness
	m.readySince = m.now.Wall
	m.announce()
	if !e.Cfg.Paced {
		m.hold(StartHold, StartPause)
		return
	}
	m.state = Up
}

// execFailed: unlike 0.76, whose child fails after a successful fork, no
// "up" status is ever written; the pid stays 0. With restart-delay, the
// next try waits as after an instance that ran for no time, and never less
// than StartPause.
func execFailed(m *Machine, e Event) {
	m.paused = false
	if !e.Cfg.Paced {
		m.hold(FailHold, StartPause)
		return
	}
	m.cfg = e.Cfg
	m.state = Down
	if m.exiting || m.once {
		m.exit()
		return
	}
	if m.want != WantUp {
		return
	}
	var wait time.Duration
	wait, m.deaths = RestartWait(e.Cfg, 0, m.deaths)
	m.backoff(max(wait, StartPause))
}

func forkFailed(m *Machine, _ Event) { m.hold(ForkHold, ForkPause) }

func finishStarted(m *Machine, e Event) {
	m.finishPid = e.Pid
	m.state = Finishing
	if m.cfg.TimeoutFinish > 0 {
		m.arm(FinishTimer, m.cfg.TimeoutFinish)
	}
}

// finishFailed: a ./finish that cannot run counts as one that exited 0.
func finishFailed(m *Machine, _ Event) { instanceOver(m, fromCommand) }

// finishExited: exit code 125 means "do not restart" (s6): down for good,
// until a u.
func finishExited(m *Machine, e Event) {
	m.finishPid = 0
	m.cancel(FinishTimer)
	if e.Status.Known && e.Status.Signal == 0 && e.Status.Code == 125 {
		m.failed = true
		m.want = WantDown
		m.announce()
	}
	instanceOver(m, fromReap)
}

// clean: nothing is left of the last instance.
func clean(m *Machine, _ Event) {
	m.cleaning = false
	m.cancel(KillTimer)
	if m.state == Cleaning {
		instanceOver(m, fromCommand)
	}
}

// timer: a timer is due.
func timer(m *Machine, e Event) {
	m.armed[e.Timer] = false
	switch e.Timer {
	case HoldTimer:
		held(m)
	case RestartTimer:
		m.spawn(fromCommand)
	case FinishTimer:
		m.emit(Action{Kind: Kill, Pid: m.finishPid, Signal: syscall.SIGKILL})
		m.emit(Action{Kind: Kill, Pid: m.finishPid, Signal: syscall.SIGCONT})
	case KillTimer:
		m.emit(Action{Kind: KillAll})
		if m.state == Cleaning {
			// Give what was killed a moment to be reaped, then carry on.
			if m.killed++; m.killed == 1 {
				m.arm(KillTimer, KillRecheck)
			} else {
				m.cleaning = false
				instanceOver(m, fromCommand)
			}
		}
	}
}

// held: a pause is over; carry on where the start was asked for.
func held(m *Machine) {
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

// ready: the instance says it is ready, or not until it says so again.
func ready(m *Machine, e Event) {
	r := e.Kind == Ready
	if r == m.ready {
		return
	}
	m.ready = r
	if r {
		m.readySince = m.now.Wall
	}
	m.announce()
}

// A start from a command while waiting to restart comes at once.
func startNow(m *Machine) {
	m.cancel(RestartTimer)
	m.spawn(fromCommand)
}

func cmdUp(m *Machine, _ Event) {
	m.want = WantUp
	m.failed = false
	m.announce()
	switch m.state {
	case Down:
		m.spawn(fromCommand)
	case Backoff:
		startNow(m)
	case Up:
		if m.stopping { // wanted up again: no more a stop
			m.stopping = false
			m.cancel(KillTimer)
		}
	}
}

func cmdOnce(m *Machine, _ Event) {
	m.want = WantOnce
	m.failed = false
	m.announce()
	switch m.state {
	case Down:
		m.spawn(fromCommand)
	case Backoff:
		startNow(m)
	}
}

// cmdDown: the down signal (TERM) then CONT, then the status (so a paused
// service sees the signal); timeout-kill is armed.
func cmdDown(m *Machine, e Event) {
	m.want = WantDown
	switch m.state {
	case Up:
		m.kill(e.Cfg.downSignal())
		m.kill(syscall.SIGCONT)
		m.paused = false
		m.stopping = true
	case Failed:
		m.paused = false
	case Backoff:
		m.cancel(RestartTimer)
		m.state = Down
	}
	m.announce()
	if m.stopping && e.Cfg.TimeoutKill > 0 && !m.armed[KillTimer] {
		m.arm(KillTimer, e.Cfg.TimeoutKill)
	}
}

// cmdRestart: the down signal then CONT, want unchanged: a service wanted
// up restarts.
func cmdRestart(m *Machine, e Event) {
	m.kill(e.Cfg.downSignal())
	m.kill(syscall.SIGCONT)
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
	if m.state == Down || m.state == Backoff {
		m.exit()
	}
}

// setWant: u, d, o while ./finish runs or leftovers are waited for: they
// take effect when that ends.
func setWant(m *Machine, e Event) {
	switch e.Kind {
	case CmdUp:
		m.want = WantUp
		m.failed = false
	case CmdDown:
		m.want = WantDown
	case CmdOnce:
		m.want = WantOnce
		m.failed = false
	}
	m.announce()
}

func setExit(m *Machine, _ Event) {
	m.exiting = true
	m.announce()
}

func ignore(*Machine, Event) {}
