package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"time"

	"github.com/daemontools-go/daemontools/bench/internal/impl"
	"github.com/daemontools-go/daemontools/bench/internal/proc"
	"github.com/daemontools-go/daemontools/internal/procfs"
)

const nBig = 1000

// bigBench starts each scanner over 1,000 services (start-up, full suite)
// and asks for the status of all of them at once.
func (s *suite) bigBench() {
	t := s.bigT
	t.Notes = append(t.Notes,
		"One status over 1,000 services: `svstat` with 1,000 arguments, `sv status` with 1,000 arguments, and 1,000 runs of `s6-svstat DIR` (it takes one directory); the output must show 1,000 services up.")
	samples := 1
	if s.sz.bigReps < 3 {
		samples = 3 // the quick suite starts 1,000 services once and asks three times
	}
	for rep := 0; rep < s.sz.bigReps; rep++ {
		for _, im := range s.rotate(rep, svcRoles...) {
			logf("1,000 services: %s (run %d/%d)", im.Name, rep+1, s.sz.bigReps)
			f, err := s.startFixture(im, fmt.Sprintf("big-%s-%d", im.Name, rep), nBig)
			if err != nil {
				s.note("1,000 services, %s: %v", im.Name, err)
				continue
			}
			if s.sz.bigStartup {
				cpu := procfs.SumUsage(append(f.supervisors(), f.scanner.Pid)).CPUNanos
				t.Row("start-up, 1,000 services", "s until all up", true).Add(im.Name, f.upAfter.Seconds())
				t.Row("start-up, 1,000 services", "CPU ms per start (scanner+supervisors)", true).Add(im.Name, float64(cpu)/1e6/nBig)
			}
			for i := 0; i < samples; i++ {
				sec, err := s.statusAll(f)
				if err != nil {
					s.note("status of 1,000 services, %s: %v", im.Name, err)
					break
				}
				t.Row("one status over 1,000 services", "ms", true).Add(im.Name, sec*1000)
			}
			if im.Family == impl.DJB {
				s.svctlStatus(f, samples)
			}
			f.stop()
		}
	}
}

// statusAll runs the status command(s) over every service of f.
func (s *suite) statusAll(f *fixture) (float64, error) {
	up := []byte(f.im.UpWord())
	t0 := time.Now()
	n := 0
	for _, argv := range f.im.StatusArgvs(f.dirs...) {
		out, res, err := proc.Output(proc.Spec{Argv: argv}, time.Minute)
		if err != nil {
			return 0, err
		}
		if !res.Ok() {
			return 0, fmt.Errorf("exit %v: %.200s", res.Status, out)
		}
		n += bytes.Count(out, up)
	}
	sec := time.Since(t0).Seconds()
	if n != len(f.dirs) {
		return 0, fmt.Errorf("%d of %d services shown up", n, len(f.dirs))
	}
	return sec, nil
}

// statusCols are the columns of the svctl table: svctl, then the svstat
// calls it is compared with.
var statusCols = []string{"svctl", "svstat (ours)", "svstat (daemontools)"}

// svctlStatus runs, rounds times, `svctl status` over every service of f
// (a fixture of our supervise or of Debian's), our svstat and Debian's
// svstat over the same services, one call each, taking turns.
func (s *suite) svctlStatus(f *fixture, rounds int) {
	t := s.statusT
	if len(t.Notes) == 0 {
		t.Notes = append(t.Notes,
			"One call of each over the same 1,000 services, all up (`exec sleep`), in one process: `svctl status DIR...`, our `svstat DIR...` and Debian's `svstat DIR...`, taking turns; each output must show 1,000 services up (svctl's exit code 0 says so too). Under our supervise svctl reads supervise/state.json (and the status record), under Debian's the 18-byte status only; svstat reads the status record in both.",
			"Target (issue 11): svctl no slower than one svstat call, a ratio svctl/svstat ≤ 1.")
	}
	svctl := filepath.Join(s.ours.Bin, "svctl")
	progs := []struct {
		col  string
		argv []string
	}{
		{statusCols[0], append([]string{svctl, "status"}, f.dirs...)},
		{statusCols[1], append([]string{s.ours.Tool(impl.Status)}, f.dirs...)},
	}
	if d := s.impls[1]; d.Has(impl.Status) {
		progs = append(progs, struct {
			col  string
			argv []string
		}{statusCols[2], append([]string{d.Tool(impl.Status)}, f.dirs...)})
	}
	bench := "status of 1,000 services of our supervise"
	if f.im.Name != s.ours.Name {
		bench = "status of 1,000 services of Debian's supervise"
	}
	for r := 0; r < rounds; r++ {
		for j := range progs {
			p := progs[(r+j)%len(progs)]
			ms, err := timeStatus(p.argv, len(f.dirs))
			if err != nil {
				s.note("%s, %s: %v", bench, p.col, err)
				continue
			}
			t.Row(bench, "ms per call", true).Add(p.col, ms)
		}
	}
}

// timeStatus runs a status command over n services, all of which it must
// show up, and returns the milliseconds it took.
func timeStatus(argv []string, n int) (float64, error) {
	t0 := time.Now()
	out, res, err := proc.Output(proc.Spec{Argv: argv}, time.Minute)
	d := time.Since(t0)
	if err != nil {
		return 0, err
	}
	if !res.Ok() {
		return 0, fmt.Errorf("%s: exit %v: %.200s", filepath.Base(argv[0]), res.Status, out)
	}
	if up := bytes.Count(out, []byte("up (pid ")); up != n {
		return 0, fmt.Errorf("%s: %d of %d services shown up: %.200s", filepath.Base(argv[0]), up, n, out)
	}
	return millis(d), nil
}
