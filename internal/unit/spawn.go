package unit

import (
	"os"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/errstr"
	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/supervise"
)

// gcBudget is how much garbage starts may leave before the process
// collects it: each start leaves some (ForkExec copies argv and the
// environment), and with GOGC=off nothing else collects it. A collection
// costs a process this small a few hundred kilobytes of GC metadata, so it
// is put off this long. One budget per process.
const gcLimit = 256 << 10

type gcBudget struct{ cost int }

var garbage int

// spend counts a start's garbage and collects it once over the limit.
func (g *gcBudget) spend(env []string) {
	if g.cost == 0 {
		g.cost = 256 + 8*len(env)
		for _, kv := range env {
			g.cost += len(kv) + 9
		}
	}
	if garbage += g.cost; garbage >= gcLimit {
		garbage = 0
		runtime.GC()
	}
}

// attrFor prepares the attributes of a child: the service directory as
// its working directory, the unit's stdin and stdout, the process's
// stderr, and a session of its own unless no-setsid.
func (u *Unit) attrFor(c config) *syscall.ProcAttr {
	scratch.files = [3]uintptr{uintptr(u.o.Stdin), uintptr(u.stdout), 2}
	scratch.sys = syscall.SysProcAttr{Setsid: !c.noSetsid}
	scratch.attr = syscall.ProcAttr{Dir: u.dirPath, Env: u.o.Env, Files: scratch.files[:], Sys: &scratch.sys}
	return &scratch.attr
}

// spawnRun starts ./run: argv ["./run"], the unit's environment, the
// service directory as working directory, descriptors 0-2 only.
func (u *Unit) spawnRun() supervise.Event {
	c := u.readConfig()
	u.cfg = c
	u.gc.spend(u.o.Env)
	if u.o.LateLog {
		u.adoptLateLog()
	}
	attr := u.attrFor(c)
	var closeAfter int
	attr.Files, attr.Env, closeAfter = u.readyFiles(c)
	pid, err := syscall.ForkExec(u.argv[0], u.argv, attr)
	if closeAfter >= 0 {
		unix.Close(closeAfter)
	}
	if err != nil {
		u.closeReady()
	}
	if err == unix.EAGAIN || err == unix.ENOMEM {
		u.log.Warn("unable to fork for ", u.o.Dir, ", sleeping 60 seconds", diag.Err(err))
		return supervise.Event{Kind: supervise.ForkFailed, Cfg: c.mc}
	}
	if err != nil {
		if u.o.Warn {
			u.log.Warn("unable to start ", u.o.Dir, "/", layout.Run, diag.Err(err))
		} else {
			u.log.Fatal("unable to start ", u.o.Dir, "/", layout.Run, diag.Err(err))
		}
		u.startErr = "unable to start " + layout.Run + ": " + errstr.Text(err)
		return supervise.Event{Kind: supervise.ExecFailed, Cfg: c.mc}
	}
	u.startErr = ""
	u.watchReady()
	u.h.Reaper.Register(pid, u)
	u.inst = instance{pid: pid, pgid: pid}
	if c.noSetsid {
		u.inst.pgid = syscall.Getpgrp()
	} else {
		u.inst.pgrp, u.inst.session = pid, pid
	}
	if p, err := scratch.procs.Stat(pid); err == nil {
		u.inst.start = p.Start
	}
	return supervise.Event{Kind: supervise.Started, Pid: pid, Cfg: c.mc}
}

// spawnFinish starts ./finish EXITCODE SIGNAL NAME: EXITCODE 0-255, or 256
// when ./run was killed by a signal (-1 when its end is unknown: an
// adopted instance); SIGNAL its number or 0; NAME the directory as given.
// It gets ./run's descriptors and, like it, a session of its own.
func (u *Unit) spawnFinish(st supervise.ExitStatus) supervise.Event {
	code, sig := "-1", "0"
	switch {
	case st.Known && st.Signal != 0:
		code, sig = "256", strconv.Itoa(st.Signal)
	case st.Known:
		code = strconv.Itoa(st.Code)
	}
	argv := []string{"./" + layout.Finish, code, sig, u.o.Dir}
	pid, err := syscall.ForkExec(argv[0], argv, u.attrFor(u.cfg))
	if err != nil {
		u.log.Warn("unable to start ", u.o.Dir, "/", layout.Finish, diag.Err(err))
		return supervise.Event{Kind: supervise.FinishFailed}
	}
	u.h.Reaper.Register(pid, u)
	return supervise.Event{Kind: supervise.FinishStarted, Pid: pid}
}

var self = os.Getpid()
