package unit

import (
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/supervise"
	"github.com/daemontools-go/daemontools/internal/tai64"
)

// pendingExit is the end of a process of the service, collected by the
// reaper (or seen on an adopted instance's pidfd) and not fed yet: the
// machine takes it at the next reap step, as 0.76 reaped it there.
type pendingExit struct {
	set    bool
	pid    int
	status supervise.ExitStatus
}

// Reaped is the reaper telling the unit that one of its children ended.
func (u *Unit) Reaped(pid int, ws unix.WaitStatus) {
	if pid == u.inst.pid {
		u.closeReady()
		u.recordInstance(0, 0, tai64.N{})
		u.keepOrphans()
	}
	u.exit = pendingExit{set: true, pid: pid, status: supervise.FromWait(syscall.WaitStatus(ws))}
	u.settle()
}

// Ready is the host telling the unit that its control FIFO (or an adopted
// instance's pidfd) is readable.
func (u *Unit) Ready(fd int, _ uint32) {
	switch {
	case fd < 0:
	case fd == u.notifyR:
		u.readPipe()
		u.settle()
		return
	case fd == u.notifyS:
		u.readSocket()
		u.settle()
		return
	case fd == u.pidfd:
		u.h.Remove(fd)
		unix.Close(fd)
		u.pidfd = -1
		u.closeReady()
		u.recordInstance(0, 0, tai64.N{})
		u.exit = pendingExit{set: true, pid: u.inst.pid}
	}
	u.Run()
}

// Run is one turn of 0.76's loop: the reap step, then at most one control
// byte. Nothing happens during a hold: the byte and the exit wait.
func (u *Unit) Run() {
	if u.m.Done() || u.m.Holding() {
		return
	}
	e := supervise.Event{Kind: supervise.NoExit}
	if u.exitDue() {
		e = supervise.Event{Kind: supervise.Exit, Pid: u.exit.pid, Status: u.exit.status}
		u.exit.set = false
	}
	u.feed(e)
	if u.m.Holding() {
		u.resumeRead = true
		return
	}
	u.readControl()
}

// exitDue reports whether a pending exit is one the machine waits for.
func (u *Unit) exitDue() bool {
	return u.exit.set && u.exit.pid != 0 && (u.exit.pid == u.m.Pid() || u.exit.pid == u.m.FinishPid())
}

func (u *Unit) readControl() {
	if u.m.Done() {
		return
	}
	if n, _ := unix.Read(u.ctl, scratch.buf[:1]); n == 1 {
		u.feed(supervise.Command(scratch.buf[0]))
	} else if len(u.queued) > 0 {
		c := u.queued[0]
		u.queued = u.queued[1:]
		u.feed(supervise.Command(c))
	}
	if len(u.queued) > 0 && !u.m.Done() {
		u.h.Schedule(u)
	}
}

// Fire is the host telling the unit that a timer is due. A turn that 0.76's
// pause interrupted in its reap step goes on with its control byte.
func (u *Unit) Fire(id int) {
	u.feed(supervise.Event{Kind: supervise.Timer, Timer: supervise.TimerID(id)})
	if id == int(supervise.HoldTimer) && !u.m.Holding() && u.resumeRead {
		u.resumeRead = false
		u.readControl()
	}
}

// feed hands e to the machine and carries out its actions; a start
// produces the next event, which is fed in turn.
func (u *Unit) feed(e supervise.Event) {
	u.cfgFresh = false
	if supervise.NeedsConfig(e.Kind) {
		e.Cfg = u.readConfig().mc
	}
	if e.Kind == supervise.CmdDown && !u.o.OwnsOrphans && u.m.State() == supervise.Up {
		u.snapshot()
	}
	for {
		now := u.now()
		acts, err := u.m.Handle(e, now, scratch.acts[:0])
		scratch.acts = acts[:0]
		if err != nil {
			u.refused(e)
			break
		}
		if e.Kind == supervise.Started && u.inst.start != 0 {
			u.recordInstance(u.inst.pid, u.inst.start, now.Wall) // the time the status record gets
		}
		next, more := u.perform(acts)
		if !more {
			break
		}
		e = next
	}
	u.settle()
}

// perform carries out actions in order; a start ends the batch with the
// event that tells its outcome.
func (u *Unit) perform(acts []supervise.Action) (supervise.Event, bool) {
	for i := range acts {
		a := &acts[i]
		switch a.Kind {
		case supervise.Announce:
			u.announce(a.Status)
		case supervise.Publish:
			u.publish()
		case supervise.Kill:
			u.signal(a.Pid, a.Signal)
		case supervise.Cleanup:
			u.cleanup(a.Signal, a.Watch)
		case supervise.KillAll:
			u.killAll()
		case supervise.Arm:
			u.h.Arm(&u.timers[a.Timer], a.After)
		case supervise.Cancel:
			u.h.Cancel(&u.timers[a.Timer])
		case supervise.Spawn:
			return u.spawnRun(), true
		case supervise.SpawnFinish:
			return u.spawnFinish(a.Exit), true
		}
	}
	return supervise.Event{}, false
}

// settle brings the descriptors and the queue in line with the machine
// after a feed: the control FIFO is muted during a hold, waiting events are
// fed when the machine takes them, and a turn is queued when one is due.
func (u *Unit) settle() {
	if u.m.Done() {
		u.flush()
		u.quit()
		return
	}
	if h := u.m.Holding(); h != u.muted {
		u.muted = h
		u.h.Mute(u.ctl, h)
	}
	if !u.m.WaitsClean() {
		u.watch, u.clean = false, false
	}
	switch {
	case u.clean && u.m.Accepts(supervise.Clean):
		u.clean = false
		u.feed(supervise.Event{Kind: supervise.Clean})
		return
	case u.readyEv != 0 && u.m.Accepts(u.readyEv):
		k := u.readyEv
		u.readyEv = 0
		u.feed(supervise.Event{Kind: k})
		return
	}
	if !u.m.Holding() && (u.m.Immediate() || u.exitDue()) {
		u.h.Schedule(u)
	}
	u.flush()
}

// signal sends sig to pid; to an adopted instance through its pidfd, so
// that a pid used again since is never signalled.
func (u *Unit) signal(pid int, sig syscall.Signal) {
	if pid == u.inst.pid && u.pidfd >= 0 {
		unix.PidfdSendSignal(u.pidfd, sig, nil, 0) //nolint:errcheck // 0.76 ignores kill's result
		return
	}
	unix.Kill(pid, sig) //nolint:errcheck // 0.76 ignores it
}

// refused is an event the machine does not take: a bug of this driver.
func (u *Unit) refused(e supervise.Event) {
	msg := "BUG: event " + e.Kind.String() + " not accepted in state " + u.m.State().String()
	if u.o.Strict {
		panic(msg)
	}
	u.log.Warn(u.o.Dir, ": ", msg)
}

// quit ends the supervision of this service.
func (u *Unit) quit() {
	if u.dirfd < 0 {
		return
	}
	u.closeAll()
	if u.o.Done != nil {
		u.o.Done(u)
	}
}
