package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/bench/internal/impl"
	"github.com/daemontools-go/daemontools/bench/internal/proc"
	"github.com/daemontools-go/daemontools/bench/internal/stats"
	"github.com/daemontools-go/daemontools/internal/procfs"
)

var svcRoles = []impl.Role{impl.Scanner, impl.Supervisor, impl.Control, impl.Status}

const nServices = 100

// serviceBench runs, in every repetition, each implementation's scanner over
// 100 services (start-up, footprint, restart latency, control round-trips),
// then measures all of them at once while idle, beside one crash-looping
// service per supervisor.
func (s *suite) serviceBench() {
	t := s.svcT
	t.Notes = append(t.Notes,
		"Start-up: from launching the scanner until the status file of every service shows a pid; the harness reads the supervisors' status files directly (supervise/status of each: 18 bytes for daemontools and ours, 20 for runsv, 35 for s6-supervise), re-reading only those not yet up, every 1 ms. CPU per start: CPU time (schedstat, all threads) of the scanner and all supervisors at that moment, divided by the number of services.",
		"Footprint: /proc/PID/smaps_rollup and the thread count of each supervisor (median over the 100) and of the scanner, 1.5 s after the start; PSS counts shared pages (text, libc) divided among the processes sharing them.",
		"Restart: a service up for more than 1 s is killed with SIGKILL (or sent `svc -t` / `sv term` / `s6-svc -r`, the command's run included) until its status file shows a new pid. All four wait 1 s after a start before they restart a service that dies sooner: daemontools' supervise sleeps 1 s after every start by design, so a service up for less than a second is restarted only after that second. The figures are for services up longer.",
		"Control: one pair = `svc -p` (`sv pause`, `s6-svc -p`) until the service's process is stopped (state T in /proc), then `svc -c` (`sv cont`, `s6-svc -c`) until it runs again. Status: one `svstat DIR` (`sv status DIR`, `s6-svstat DIR`) per call, output checked.")
	for rep := 0; rep < s.reps; rep++ {
		var fixtures []*fixture
		for _, im := range s.rotate(rep, svcRoles...) {
			logf("100 services: %s (run %d/%d)", im.Name, rep+1, s.reps)
			f, err := s.startFixture(im, fmt.Sprintf("svc-%s-%d", im.Name, rep), nServices)
			if err != nil {
				s.note("100 services, %s: %v", im.Name, err)
				continue
			}
			fixtures = append(fixtures, f)
			if s.want("services") {
				s.startupAndFootprint(t, f)
			}
		}
		if s.want("services") {
			logf("restart and control, interleaved (run %d/%d)", rep+1, s.reps)
			s.interleaved(t, fixtures)
		}
		if s.want("windows") {
			s.window(rep, fixtures)
		}
		// After the window: the restart arms 0.76's one-second pause,
		// whose end would count as a wake-up of an idle supervisor.
		if s.want("services") {
			for _, f := range fixtures {
				if f.im.Name == s.ours.Name {
					s.countStateWrites(f, f.dirs[2*s.sz.restarts+2])
				}
			}
		}
		for _, f := range fixtures {
			f.stop()
		}
	}
}

// startupAndFootprint records the start-up of f, then, 1.5 s after it, the
// footprint of its processes (before the next fixture starts).
func (s *suite) startupAndFootprint(t *stats.Table, f *fixture) {
	name := f.im.Name
	sups := f.supervisors()
	t.Row("start-up, 100 services", "s until all up", true).Add(name, f.upAfter.Seconds())
	cpu := procfs.SumUsage(append(sups, f.scanner.Pid)).CPUNanos
	t.Row("start-up, 100 services", "CPU ms per start (scanner+supervisors)", true).Add(name, float64(cpu)/1e6/float64(len(f.dirs)))
	time.Sleep(time.Until(f.started.Add(1500 * time.Millisecond)))
	s.footprint(t, f)
}

// interleaved takes the restart and control figures of all fixtures in
// small turns, rotating who goes first, so that a change in the machine's
// load touches every implementation alike. Services 0..k-1 of each fixture
// are killed, k..2k-1 restarted by command, 2k paused and resumed, 2k+1
// asked for its status; all have been up for more than a second.
func (s *suite) interleaved(t *stats.Table, fixtures []*fixture) {
	k := s.sz.restarts
	const turns = 10
	type cost struct {
		d   time.Duration
		err error
	}
	pairs, calls := map[string]*cost{}, map[string]*cost{}
	for _, f := range fixtures {
		pairs[f.im.Name], calls[f.im.Name] = &cost{}, &cost{}
	}
	for turn := 0; turn < max(k, turns); turn++ {
		for j := range fixtures {
			f := fixtures[(turn+j)%len(fixtures)]
			name := f.im.Name
			if turn < k {
				if ms, err := restart(f, f.dirs[turn], func(pid int) error { return killPid(pid) }); err != nil {
					s.note("restart after SIGKILL, %s: %v", name, err)
				} else {
					t.Row("restart after SIGKILL", "ms until new pid", true).Add(name, ms)
				}
				dir := f.dirs[k+turn]
				if ms, err := restart(f, dir, func(int) error { return runOk(f.im.TermArgv(dir)) }); err != nil {
					s.note("restart by command, %s: %v", name, err)
				} else {
					t.Row("restart: svc -t / sv term / s6-svc -r", "ms until new pid", true).Add(name, ms)
				}
			}
			if turn < turns {
				if c := pairs[name]; c.err == nil {
					d, err := s.controlPairs(f, f.dirs[2*k], s.sz.pairs/turns)
					c.d, c.err = c.d+d, err
				}
				if c := calls[name]; c.err == nil {
					d, err := s.statusCalls(f, f.dirs[2*k+1], s.sz.statuss/turns)
					c.d, c.err = c.d+d, err
				}
			}
		}
	}
	for _, f := range fixtures {
		name := f.im.Name
		if c := pairs[name]; c.err != nil {
			s.note("control round-trip, %s: %v", name, c.err)
		} else {
			t.Row(fmt.Sprintf("%s svc -p/-c pairs", count(s.sz.pairs)), "ms per pair", true).Add(name, millis(c.d)/float64(s.sz.pairs))
		}
		if c := calls[name]; c.err != nil {
			s.note("status calls, %s: %v", name, c.err)
		} else {
			t.Row(fmt.Sprintf("%s svstat calls", count(s.sz.statuss)), "ms per call", true).Add(name, millis(c.d)/float64(s.sz.statuss))
		}
	}
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// footprint records PSS, RSS and threads of the supervisors and the scanner.
func (s *suite) footprint(t *stats.Table, f *fixture) {
	var pss, rss, thr []float64
	var total float64
	for _, pid := range f.supervisors() {
		m, err1 := procfs.ReadMem(pid)
		st, err2 := procfs.ReadStat(pid)
		if err1 != nil || err2 != nil {
			continue
		}
		pss = append(pss, float64(m.Pss))
		rss = append(rss, float64(m.Rss))
		thr = append(thr, float64(st.Threads))
		total += float64(m.Pss)
	}
	name := f.im.Name
	if len(pss) != len(f.dirs) && !f.im.Consolidated {
		s.note("footprint, %s: %d supervisors for %d services", name, len(pss), len(f.dirs))
	}
	t.Row("footprint, per supervisor", "PSS KiB", true).Add(name, stats.Median(pss))
	t.Row("footprint, per supervisor", "RSS KiB", true).Add(name, stats.Median(rss))
	t.Row("footprint, per supervisor", "threads", true).Add(name, stats.Median(thr))
	if f.im.ScanBin != "" {
		return // the scanner is a stand-in
	}
	m, err1 := procfs.ReadMem(f.scanner.Pid)
	st, err2 := procfs.ReadStat(f.scanner.Pid)
	if err1 != nil || err2 != nil {
		s.note("footprint, %s scanner: %v %v", name, err1, err2)
		return
	}
	t.Row("footprint, scanner", "PSS KiB", true).Add(name, float64(m.Pss))
	t.Row("footprint, scanner", "RSS KiB", true).Add(name, float64(m.Rss))
	t.Row("footprint, scanner", "threads", true).Add(name, float64(st.Threads))
	t.Row("footprint, scanner + 100 supervisors", "PSS MiB", true).Add(name, (total+float64(m.Pss))/1024)
}

// restart triggers a restart of the service in dir and returns the
// milliseconds until its status file shows a new pid.
func restart(f *fixture, dir string, trigger func(pid int) error) (float64, error) {
	old := f.im.Pid(dir)
	if old == 0 {
		return 0, fmt.Errorf("%s is not up", filepath.Base(dir))
	}
	t0 := time.Now()
	if err := trigger(old); err != nil {
		return 0, err
	}
	for {
		if pid := f.im.Pid(dir); pid != 0 && pid != old {
			return millis(time.Since(t0)), nil
		}
		if time.Since(t0) > 10*time.Second {
			return 0, fmt.Errorf("%s: no new pid within 10 s", filepath.Base(dir))
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// controlPairs pauses and resumes the service in dir n times, each time
// until /proc shows the effect, and returns the time taken.
func (s *suite) controlPairs(f *fixture, dir string, n int) (time.Duration, error) {
	pid := f.im.Pid(dir)
	if pid == 0 {
		return 0, fmt.Errorf("%s is not up", filepath.Base(dir))
	}
	t0 := time.Now()
	for i := 0; i < n; i++ {
		if err := runOk(f.im.PauseArgv(dir)); err != nil {
			return 0, err
		}
		if err := waitState(pid, true); err != nil {
			return 0, err
		}
		if err := runOk(f.im.ContArgv(dir)); err != nil {
			return 0, err
		}
		if err := waitState(pid, false); err != nil {
			return 0, err
		}
	}
	return time.Since(t0), nil
}

// waitState polls /proc until pid is stopped (state T) or not.
func waitState(pid int, stopped bool) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := procfs.ReadStat(pid)
		if err != nil {
			return fmt.Errorf("service %d: %v", pid, err)
		}
		if (st.State == 'T') == stopped {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("service %d: state %c after 5 s", pid, st.State)
		}
		time.Sleep(20 * time.Microsecond)
	}
}

// statusCalls runs the status command on dir n times and returns the time
// taken; every output must say the service is up.
func (s *suite) statusCalls(f *fixture, dir string, n int) (time.Duration, error) {
	argv := f.im.StatusArgvs(dir)[0]
	up := []byte(f.im.UpWord())
	t0 := time.Now()
	for i := 0; i < n; i++ {
		out, res, err := proc.Output(proc.Spec{Argv: argv}, 10*time.Second)
		if err != nil {
			return 0, err
		}
		if !res.Ok() || !bytes.Contains(out, up) {
			return 0, fmt.Errorf("%s: exit %v: %q", argv[0], res.Status, out)
		}
	}
	return time.Since(t0), nil
}

// runOk runs a control command, which must exit 0 within 10 s.
func runOk(argv []string) error {
	out, res, err := proc.Output(proc.Spec{Argv: argv}, 10*time.Second)
	if err != nil {
		return err
	}
	if !res.Ok() {
		return fmt.Errorf("%s: exit %v: %.200s", filepath.Base(argv[0]), res.Status, out)
	}
	return nil
}

func killPid(pid int) error { return unix.Kill(pid, unix.SIGKILL) }
