package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/daemontools-go/daemontools/bench/internal/impl"
	"github.com/daemontools-go/daemontools/bench/internal/proc"
	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/procfs"
)

// crashRun fails at once and counts its starts in a file of its directory.
const crashRun = "#!/bin/sh\necho >> starts\nexit 1\n"

// crasher is one supervisor running a service that exits 1 at once.
type crasher struct {
	im   impl.Impl
	dir  string
	root string
	sup  *proc.Proc
}

func (c *crasher) starts() int {
	b, _ := os.ReadFile(filepath.Join(c.dir, "starts"))
	return bytes.Count(b, []byte("\n"))
}

// startCrasher creates the service directory of a crash loop under
// s.tmp/name, with run and the extra files, and starts its supervisor.
func (s *suite) startCrasher(im impl.Impl, name, run string, files map[string]string) (*crasher, error) {
	root := filepath.Join(s.tmp, name)
	dirs, err := makeServices(root, 1, run)
	if err != nil {
		return nil, err
	}
	for f, content := range files {
		if err := os.WriteFile(filepath.Join(dirs[0], f), []byte(content), 0o644); err != nil {
			return nil, err
		}
	}
	sup, err := proc.Start(proc.Spec{Argv: im.SuperviseArgv(dirs[0]), Dir: root, Env: im.Env()})
	if err != nil {
		return nil, err
	}
	return &crasher{im: im, dir: dirs[0], root: root, sup: sup}, nil
}

// stop kills the supervisor and its service.
func (c *crasher) stop() {
	proc.KillUnder(c.root, 10*time.Second)
	c.sup.Kill()
	c.sup.WaitTimeout(10 * time.Second)
}

// window measures, over one window of s.sz.window, the idle fixtures (CPU
// and wake-ups of scanner plus supervisors) and, beside them, one
// crash-looping service per implementation under a supervisor started by
// hand (restarts and the supervisor's CPU). Everything is measured at once,
// on the same clock, and scaled to one minute.
func (s *suite) window(rep int, fixtures []*fixture) {
	var crashers []*crasher
	for _, im := range s.rotate(rep, impl.Supervisor) {
		if c, err := s.startCrasher(im, fmt.Sprintf("crash-%s-%d", im.Name, rep), crashRun, nil); err != nil {
			s.note("crash loop, %s: %v", im.Name, err)
		} else {
			crashers = append(crashers, c)
		}
	}
	// Beside them, ours with restart backoff (crashhour.go): not one of
	// the crashers above, whose rows it must not enter.
	var backoff *crasher
	if s.ours.Has(impl.Supervisor) {
		var err error
		backoff, err = s.startCrasher(s.ours, fmt.Sprintf("crash-backoff-%d", rep), backoffRun,
			map[string]string{layout.RestartDelayMax: fmt.Sprintf("%d\n", backoffCap.Milliseconds())})
		if err != nil {
			s.note("crash loop with backoff: %v", err)
		}
	}
	all := crashers
	if backoff != nil {
		all = append(all[:len(all):len(all)], backoff)
	}
	defer func() {
		for _, c := range all {
			c.stop()
		}
	}()
	// Let the crash loops reach their steady state (first start done).
	deadline := time.Now().Add(5 * time.Second)
	for _, c := range all {
		for c.starts() == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	logf("idle and crash-loop window %v (run %d/%d)", s.sz.window, rep+1, s.reps)

	type idle struct {
		f            *fixture
		pids         []int
		all, scanner procfs.Usage
	}
	idles := make([]idle, len(fixtures))
	for i, f := range fixtures {
		pids := append(f.supervisors(), f.scanner.Pid)
		idles[i] = idle{f: f, pids: pids, all: procfs.SumUsage(pids), scanner: procfs.SumUsage([]int{f.scanner.Pid})}
	}
	type crash struct {
		starts int
		cpu    procfs.Usage
	}
	crashes := make([]crash, len(crashers))
	for i, c := range crashers {
		crashes[i] = crash{c.starts(), procfs.SumUsage([]int{c.sup.Pid})}
	}
	var backoffAt crash
	if backoff != nil {
		backoffAt = crash{backoff.starts(), procfs.SumUsage([]int{backoff.sup.Pid})}
	}
	t0 := time.Now()
	time.Sleep(s.sz.window)
	elapsed := time.Since(t0)
	perMin := 60 / elapsed.Seconds()

	t := s.winT
	if rep == 0 && backoff != nil {
		s.crashHourNote()
	}
	if rep == 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("Measured over %v windows, all implementations at once (100 idle services under each scanner, and beside them one crash-looping service under a supervisor started by hand for each), scaled to one minute. CPU from /proc/PID/task/*/schedstat; wake-ups = voluntary + non-voluntary context switches of all threads; the crash-loop CPU is the supervisor's own, not its service's.", s.sz.window))
	}
	bench := fmt.Sprintf("idle, %d services", nServices)
	for _, d := range idles {
		all := procfs.SumUsage(d.pids).Sub(d.all)
		sc := procfs.SumUsage([]int{d.f.scanner.Pid}).Sub(d.scanner)
		name := d.f.im.Name
		sup := all.Sub(sc)
		t.Row(bench, "CPU ms/min, 100 supervisors", true).Add(name, float64(sup.CPUNanos)/1e6*perMin)
		t.Row(bench, "wake-ups/min, 100 supervisors", true).Add(name, float64(sup.Switches)*perMin)
		if d.f.im.ScanBin != "" {
			continue // the scanner is a stand-in
		}
		t.Row(bench, "CPU ms/min, scanner+supervisors", true).Add(name, float64(all.CPUNanos)/1e6*perMin)
		t.Row(bench, "wake-ups/min, scanner+supervisors", true).Add(name, float64(all.Switches)*perMin)
		t.Row(bench, "wake-ups/min, scanner alone", true).Add(name, float64(sc.Switches)*perMin)
	}
	for i, c := range crashers {
		if c.sup.Exited() {
			s.note("crash loop, %s: the supervisor exited", c.im.Name)
			continue
		}
		n := c.starts() - crashes[i].starts
		u := procfs.SumUsage([]int{c.sup.Pid}).Sub(crashes[i].cpu)
		r := t.Row("crash loop (run exits 1 at once)", "restarts/min", false)
		r.Neutral = true
		r.Add(c.im.Name, float64(n)*perMin)
		t.Row("crash loop (run exits 1 at once)", "supervisor CPU ms/min", true).Add(c.im.Name, float64(u.CPUNanos)/1e6*perMin)
		s.crashHourFixed(c.im.Name, n, u, elapsed)
	}
	if backoff != nil {
		s.crashHourBackoff(backoff, backoffAt.starts, backoffAt.cpu, elapsed)
	}
}
