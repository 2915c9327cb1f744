package main

import (
	"bytes"
	"fmt"
	"time"

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
