package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/daemontools-go/daemontools/bench/internal/impl"
	"github.com/daemontools-go/daemontools/bench/internal/stats"
	"github.com/daemontools-go/daemontools/internal/procfs"
)

// Table 12: our svscan -C ("ours -C": one process supervises every
// service) beside ours per process, daemontools, runit and s6.

const (
	oursC    = "ours -C"
	nCrash   = 20     // crash-looping services under one scanner
	nHuge    = 10_000 // services of the svscan -C-only run
	hugeFile = 65536  // RLIMIT_NOFILE for that run
	hugeFDs  = 6      // descriptors per service to allow for, when it cannot be raised
)

// consCols are the columns of tables 12 and 13.
var consCols = []string{oursC, "ours", "daemontools", "runit", "s6"}

// withC is ours -C followed by the implementations of the other tables.
func (s *suite) withC() []impl.Impl {
	c := s.impls[0]
	c.Name, c.ScanBin, c.ScanOpts, c.Consolidated = oursC, "", []string{"-C"}, true
	return append([]impl.Impl{c}, s.impls...)
}

// slug is an implementation's name as a file name.
func slug(name string) string { return strings.ReplaceAll(name, " -", "") }

// consolidatedBench: 100 services under each scanner (start-up, memory,
// threads, restart, control), then over one window their idle cost beside
// 20 crash-looping services under another scanner of each.
func (s *suite) consolidatedBench() {
	t := s.consT
	t.Notes = append(t.Notes,
		"ours -C is our `svscan -C DIR`: svscan supervises every service itself, no `supervise` process; its services are its children. The status files and control FIFOs are the same, so every figure is taken as in tables 2–7. Ratios are ours -C / each other column.",
		"Memory: PSS (smaps_rollup) summed over the scanner and all its supervisor processes (for ours -C the scanner alone), 1.5 s after the start for 100 services, 1 s after all were up for 1,000; threads summed likewise. Services (`sleep`) not counted.",
		fmt.Sprintf("Idle and crash loop: measured at once over one %v window per repetition, scaled to a minute: beside each 100-service scanner, a second scanner of the same implementation over %d services whose run exits 1 at once (0.76's one-second pause, no restart-delay files); CPU (schedstat, all threads) and wake-ups (context switches) of the scanner plus its supervisors, not of the services.", s.sz.window, nCrash),
		"Restart and control as in tables 2–5: SIGKILL or `svc -t` until the status file shows a new pid; `svc -p` then `svc -c` until /proc shows the process stopped and running.",
		"Targets (issue): 100 services ≤ 3 MiB PSS for ours -C (≤ 0.3× daemontools), 1,000 services ≤ 8 MiB (≤ 0.1× daemontools), threads ≤ 4; start-up of 1,000 ≤ 0.5× daemontools; crash loop CPU ≤ 0.5× daemontools; restarts and control no slower than ours.")
	all := s.withC()
	for rep := 0; rep < s.reps; rep++ {
		var fixtures []*fixture
		for _, im := range rotateOf(all, rep, svcRoles...) {
			logf("%s: 100 services: %s (run %d/%d)", t.Title, im.Name, rep+1, s.reps)
			f, err := s.startFixture(im, fmt.Sprintf("cons-%s-%d", slug(im.Name), rep), nServices)
			if err != nil {
				s.note("%s, 100 services, %s: %v", t.Title, im.Name, err)
				continue
			}
			fixtures = append(fixtures, f)
			s.startupAndFootprint(t, f)
			s.supervisionMem(t, f, "footprint, scanner+supervision, 100 services")
		}
		logf("%s: restart and control (run %d/%d)", t.Title, rep+1, s.reps)
		s.interleaved(t, fixtures)
		s.consWindow(rep, fixtures)
		for _, f := range fixtures {
			f.stop()
		}
	}
}

// supervisionMem records the PSS and threads of f's scanner and supervisors.
func (s *suite) supervisionMem(t *stats.Table, f *fixture, bench string) {
	pss, thr, err := treeMem(append(f.supervisors(), f.scanner.Pid))
	if err != nil {
		s.note("%s, %s: %v", bench, f.im.Name, err)
		return
	}
	t.Row(bench, "PSS MiB, scanner+supervisors", true).Add(f.im.Name, pss/1024)
	t.Row(bench, "threads, scanner+supervisors", true).Add(f.im.Name, float64(thr))
}

// treeMem sums the PSS (KiB) and threads of pids.
func treeMem(pids []int) (pss float64, threads int, err error) {
	for _, pid := range pids {
		m, err := procfs.ReadMem(pid)
		if err != nil {
			return 0, 0, err
		}
		st, err := procfs.ReadStat(pid)
		if err != nil {
			return 0, 0, err
		}
		pss += float64(m.Pss)
		threads += st.Threads
	}
	return pss, threads, nil
}

// starts is the number of starts recorded by crashRun in every dir.
func starts(dirs []string) int {
	n := 0
	for _, d := range dirs {
		n += (&crasher{dir: d}).starts()
	}
	return n
}

// consWindow starts, for each implementation, a scanner over nCrash
// crash-looping services, then measures over one window those and the idle
// fixtures at once.
func (s *suite) consWindow(rep int, idle []*fixture) {
	t := s.consT
	var crash []*fixture
	for _, im := range rotateOf(s.withC(), rep, impl.Scanner, impl.Supervisor) {
		f, err := s.startFixtureWith(im, fmt.Sprintf("cons-crash-%s-%d", slug(im.Name), rep), nCrash,
			fixtureOpts{run: crashRun, noWait: true})
		if err != nil {
			s.note("%s, crash loop, %s: %v", t.Title, im.Name, err)
			continue
		}
		crash = append(crash, f)
	}
	defer func() {
		for _, f := range crash {
			f.stop()
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for _, f := range crash {
		for _, d := range f.dirs {
			for (&crasher{dir: d}).starts() == 0 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
	logf("%s: idle and crash-loop window %v (run %d/%d)", t.Title, s.sz.window, rep+1, s.reps)
	type at struct {
		f      *fixture
		pids   []int
		u      procfs.Usage
		starts int
	}
	var ats []at
	for _, f := range append(append([]*fixture(nil), idle...), crash...) {
		pids := append(f.supervisors(), f.scanner.Pid)
		ats = append(ats, at{f, pids, procfs.SumUsage(pids), starts(f.dirs)})
	}
	t0 := time.Now()
	time.Sleep(s.sz.window)
	perMin := 60 / time.Since(t0).Seconds()
	for k, a := range ats {
		u := procfs.SumUsage(a.pids).Sub(a.u)
		name := a.f.im.Name
		if a.f.scanner.Exited() {
			s.note("%s, %s: the scanner exited during the window", t.Title, name)
			continue
		}
		if k < len(idle) {
			bench := fmt.Sprintf("idle, %d services", nServices)
			t.Row(bench, "CPU ms/min, scanner+supervisors", true).Add(name, float64(u.CPUNanos)/1e6*perMin)
			t.Row(bench, "wake-ups/min, scanner+supervisors", true).Add(name, float64(u.Switches)*perMin)
			continue
		}
		bench := fmt.Sprintf("crash loop, %d services (run exits 1 at once)", nCrash)
		r := t.Row(bench, "restarts/min, all services", false)
		r.Neutral = true
		r.Add(name, float64(starts(a.f.dirs)-a.starts)*perMin)
		t.Row(bench, "CPU ms/min, scanner+supervisors", true).Add(name, float64(u.CPUNanos)/1e6*perMin)
	}
}

// consolidatedBig starts each scanner over 1,000 services: time until all
// are up, memory and threads of the supervision.
func (s *suite) consolidatedBig() {
	t := s.consT
	for rep := 0; rep < s.reps; rep++ {
		for _, im := range rotateOf(s.withC(), rep, svcRoles...) {
			logf("%s: 1,000 services: %s (run %d/%d)", t.Title, im.Name, rep+1, s.reps)
			f, err := s.startFixture(im, fmt.Sprintf("cons-big-%s-%d", slug(im.Name), rep), nBig)
			if err != nil {
				s.note("%s, 1,000 services, %s: %v", t.Title, im.Name, err)
				continue
			}
			t.Row("start-up, 1,000 services", "s until all up", true).Add(im.Name, f.upAfter.Seconds())
			cpu := procfs.SumUsage(append(f.supervisors(), f.scanner.Pid)).CPUNanos
			t.Row("start-up, 1,000 services", "CPU ms per start (scanner+supervisors)", true).Add(im.Name, float64(cpu)/1e6/nBig)
			time.Sleep(time.Second)
			s.supervisionMem(t, f, "footprint, scanner+supervision, 1,000 services")
			f.stop()
		}
	}
}

// consolidatedHuge runs svscan -C alone over 10,000 services, once per
// repetition, with RLIMIT_NOFILE raised to hugeFile for it.
func (s *suite) consolidatedHuge() {
	t := s.consT
	c := s.withC()[0]
	if !c.Has(svcRoles...) {
		s.note("%s: 10,000 services: our svscan is missing", t.Title)
		return
	}
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		s.note("%s: 10,000 services: getrlimit: %v", t.Title, err)
		return
	}
	n := nHuge
	lim := syscall.Rlimit{Cur: max(old.Max, hugeFile), Max: max(old.Max, hugeFile)}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		// No CAP_SYS_RESOURCE (a container): up to the hard limit, and as
		// many services as fit in it at hugeFDs descriptors each.
		lim = syscall.Rlimit{Cur: old.Max, Max: old.Max}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			s.note("%s: %d services: setrlimit NOFILE %d: %v", t.Title, nHuge, lim.Max, err)
			return
		}
		n = min(nHuge, int(lim.Max-64)/hugeFDs/500*500)
		s.note("%s: the hard RLIMIT_NOFILE is %d and cannot be raised here (setrlimit: %v): svscan -C ran over %s services instead of %s", t.Title, lim.Max, err, count(n), count(nHuge))
	}
	defer syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) //nolint:errcheck // best effort
	reps := 1                                            // 10,000 services take minutes: one run
	t.Notes = append(t.Notes, fmt.Sprintf("%s services: ours -C only (%d run), RLIMIT_NOFILE %d (soft and hard) given to svscan; memory and threads 2 s after all were up; descriptors: the entries of /proc/PID/fd of svscan.", count(n), reps, lim.Max))
	bench := fmt.Sprintf("%s services, svscan -C alone", count(n))
	for rep := 0; rep < reps; rep++ {
		logf("%s: %s services: %s (run %d/%d)", t.Title, count(n), c.Name, rep+1, reps)
		f, err := s.startFixtureWith(c, fmt.Sprintf("cons-huge-%d", rep), n, fixtureOpts{limit: 15 * time.Minute})
		if err != nil {
			s.note("%s, %v", bench, err)
			continue
		}
		t.Row(bench, "s until all up", true).Add(c.Name, f.upAfter.Seconds())
		time.Sleep(2 * time.Second)
		pss, thr, err := treeMem([]int{f.scanner.Pid})
		if err == nil {
			t.Row(bench, "PSS MiB, svscan", true).Add(c.Name, pss/1024)
			t.Row(bench, "threads, svscan", true).Add(c.Name, float64(thr))
		}
		if ents, err := os.ReadDir(filepath.Join("/proc", fmt.Sprint(f.scanner.Pid), "fd")); err == nil {
			t.Row(bench, "descriptors, svscan", true).Add(c.Name, float64(len(ents)))
			t.Row(bench, "descriptors per service", true).Add(c.Name, float64(len(ents))/float64(n))
		}
		f.stop()
	}
}
