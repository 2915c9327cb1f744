package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/bench/internal/impl"
	"github.com/daemontools-go/daemontools/bench/internal/proc"
	"github.com/daemontools-go/daemontools/bench/internal/stats"
	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/procfs"
)

// stopRun ignores TERM (an ignored signal stays ignored across exec) and
// sleeps: only SIGKILL ends it.
const stopRun = "#!/bin/sh\ntrap '' TERM\nexec sleep 1000000\n"

// stopKill is the timeout-kill of the stop benchmark.
const stopKill = 500 * time.Millisecond

// stopGroup is one implementation's supervisors, one per service, each
// service to be stopped once.
type stopGroup struct {
	im   impl.Impl
	root string
	dirs []string
	sups []*proc.Proc
	ms   []float64
	err  error
}

// stopBench measures, for every implementation that has a kill timeout
// (ours and s6-supervise), the stop of a service that ignores TERM, with
// timeout-kill 500: from the write of 'd' to the control FIFO until the
// service's process has exited (its pidfd is readable). Each repetition
// starts s.sz.stops services per implementation and stops each once, the
// implementations taking turns.
func (s *suite) stopBench() {
	t := s.stopT
	bench := fmt.Sprintf("stop, TERM ignored, timeout-kill %d", stopKill.Milliseconds())
	t.Notes = append(t.Notes,
		fmt.Sprintf("Stop: the service's run is `trap '' TERM; exec sleep` and its directory holds `timeout-kill` = %d. The harness writes `d` to supervise/control (what `svc -d` and `s6-svc -d` do, without the cost of starting them) and measures until the service's process has exited (poll on its pidfd, opened before the write; the supervisor's reaping is not included). %d services per implementation and repetition, each up for more than a second and stopped once, the implementations taking turns; p50 and p95 (nearest rank) over those %d, medians over the repetitions. A run that ends sooner than the timeout (TERM not ignored) is an error.", stopKill.Milliseconds(), s.sz.stops, s.sz.stops),
		"daemontools' supervise and runit's runsv have no kill timeout: `svc -d` / `sv down` send TERM (and CONT), and a service that ignores TERM runs on until someone sends KILL by hand (`svc -k`, `sv kill`); hence — in their columns.",
		fmt.Sprintf("Target (issue 10): ours gone within 600 ms of `svc -d`, p95 over %d.", s.sz.stops))
	for rep := 0; rep < s.reps; rep++ {
		var groups []*stopGroup
		for _, im := range s.rotate(rep, impl.Supervisor) {
			if !im.TimeoutKill {
				continue
			}
			logf("%s: %s (run %d/%d)", bench, im.Name, rep+1, s.reps)
			g, err := s.startStopGroup(im, rep)
			if err != nil {
				s.note("%s, %s: %v", bench, im.Name, err)
			}
			if g != nil {
				groups = append(groups, g)
			}
		}
		for i := 0; i < s.sz.stops; i++ {
			for j := range groups {
				g := groups[(i+j)%len(groups)]
				if g.err != nil {
					continue
				}
				ms, err := stopOnce(g.im, g.dirs[i])
				if err != nil {
					g.err = fmt.Errorf("%s: %v", filepath.Base(g.dirs[i]), err)
					continue
				}
				g.ms = append(g.ms, ms)
			}
		}
		for _, g := range groups {
			if g.err != nil {
				s.note("%s, %s: %v", bench, g.im.Name, g.err)
			} else {
				t.Row(bench, fmt.Sprintf("ms p50 of %d", s.sz.stops), true).Add(g.im.Name, stats.Median(g.ms))
				t.Row(bench, fmt.Sprintf("ms p95 of %d", s.sz.stops), true).Add(g.im.Name, stats.Percentile(g.ms, 95))
			}
			g.stop()
		}
	}
}

// startStopGroup starts one supervisor per service and waits until every
// service runs sleep and has been up for more than a second (0.76's
// supervise obeys no command in the second after a start, and ours keeps
// that pause without restart-delay files). On error, the group returned
// (if any) must still be stopped.
func (s *suite) startStopGroup(im impl.Impl, rep int) (*stopGroup, error) {
	root := filepath.Join(s.tmp, fmt.Sprintf("stop-%s-%d", im.Name, rep))
	dirs, err := makeServices(root, s.sz.stops, stopRun)
	if err != nil {
		return nil, err
	}
	g := &stopGroup{im: im, root: root, dirs: dirs}
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, layout.TimeoutKill), fmt.Appendf(nil, "%d\n", stopKill.Milliseconds()), 0o644); err != nil {
			g.err = err
			return g, err
		}
		p, err := proc.Start(proc.Spec{Argv: im.SuperviseArgv(d), Dir: root, Env: im.Env()})
		if err != nil {
			g.err = err
			return g, err
		}
		g.sups = append(g.sups, p)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, d := range dirs {
		for !runsSleep(im.Pid(d)) {
			if time.Now().After(deadline) {
				g.err = fmt.Errorf("%s: not up (running sleep) after 30 s", filepath.Base(d))
				return g, g.err
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	time.Sleep(1200 * time.Millisecond)
	return g, nil
}

// runsSleep reports whether pid is a process running sleep.
func runsSleep(pid int) bool {
	if pid == 0 {
		return false
	}
	st, err := procfs.ReadStat(pid)
	return err == nil && st.Comm == "sleep" && st.State != 'Z'
}

// stopOnce stops the service in dir by writing 'd' to its control FIFO
// and returns the milliseconds until its process has exited.
func stopOnce(im impl.Impl, dir string) (float64, error) {
	pid := im.Pid(dir)
	if !runsSleep(pid) {
		return 0, fmt.Errorf("not up (pid %d)", pid)
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return 0, fmt.Errorf("pidfd_open %d: %v", pid, err)
	}
	defer unix.Close(pidfd)
	ctl, err := unix.Open(filepath.Join(dir, layout.Control), unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("control: %v", err)
	}
	t0 := time.Now()
	_, err = unix.Write(ctl, []byte{'d'})
	unix.Close(ctl)
	if err != nil {
		return 0, fmt.Errorf("control: %v", err)
	}
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	for {
		left := 10*time.Second - time.Since(t0)
		if left <= 0 {
			return 0, fmt.Errorf("pid %d still running 10 s after d", pid)
		}
		n, err := unix.Poll(fds, int(left.Milliseconds())+1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("poll: %v", err)
		}
		if n > 0 {
			break
		}
	}
	d := time.Since(t0)
	if d < stopKill-50*time.Millisecond {
		return 0, fmt.Errorf("pid %d gone %v after d, before timeout-kill: TERM was not ignored", pid, d)
	}
	return millis(d), nil
}

// stop kills the supervisors and their services.
func (g *stopGroup) stop() {
	proc.KillUnder(g.root, 10*time.Second)
	for _, p := range g.sups {
		p.Kill()
		p.WaitTimeout(10 * time.Second)
	}
}
