package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// Benchmarks against Debian's daemontools, reported as metrics and ratios.
// They run only with -bench and skip without Debian's binaries.
//
//	go test -run XXX -bench . ./cmd/supervise

const instances = 100

// footprint starts instances supervise processes, one after another as
// svscan does, each on `exec sleep 1000000` with svscanboot's environment,
// and returns the mean PSS (KB) and threads per supervise.
func footprint(b *testing.B, supervise string) (pss, threads float64) {
	var procs []*testutil.Proc
	var svcs []*svtest.Service
	for i := 0; i < instances; i++ {
		s := svtest.NewService(b, "s", "#!/bin/sh\nexec sleep 1000000\n")
		p := testutil.Start(b, testutil.Options{Dir: s.Parent, Env: env()}, supervise, "s")
		s.WaitRunning(b, p)
		s.WaitUp(b, 0)
		procs, svcs = append(procs, p), append(svcs, s)
	}
	time.Sleep(time.Second) // let start-up settle: the pause after the start
	for _, p := range procs {
		pss += procField(b, p.Pid(), "smaps_rollup", "Pss")
		threads += procField(b, p.Pid(), "status", "Threads")
	}
	for i, s := range svcs {
		s.Control(b, "dx")
		procs[i].Wait(b, svtest.Deadline)
	}
	return pss / instances, threads / instances
}

func procField(b *testing.B, pid int, file, name string) float64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/" + file)
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			f, err := strconv.ParseFloat(strings.Fields(v)[0], 64)
			if err != nil {
				b.Fatal(err)
			}
			return f
		}
	}
	b.Fatalf("no %s in %s", name, file)
	return 0
}

// BenchmarkFootprint: memory (PSS) and threads per supervise, 100 running.
func BenchmarkFootprint(b *testing.B) {
	deb := testutil.Debian(b, "supervise")
	our := testutil.Bin(b, "supervise")
	for i := 0; i < b.N; i++ {
		op, ot := footprint(b, our)
		dp, dt := footprint(b, deb)
		b.ReportMetric(op, "KB-PSS-ours")
		b.ReportMetric(dp, "KB-PSS-debian")
		b.ReportMetric(op/dp, "PSS-ratio")
		b.ReportMetric(ot, "threads-ours")
		b.ReportMetric(dt, "threads-debian")
	}
}

// pairs runs n svc -p / svc -c pairs against a running supervise and waits
// each time for the status record to show the change; it returns the mean
// time per pair. With direct set the test writes p and c to the control
// FIFO itself, which times supervise alone.
func pairs(b *testing.B, im svtest.Mode, n int, direct bool) time.Duration {
	s := svtest.NewService(b, "s", "#!/bin/sh\nexec sleep 1000000\n")
	p := im.Start(b, s, env()...)
	s.WaitUp(b, 0)
	time.Sleep(1100 * time.Millisecond) // past the pause after the start
	wait := func(paused bool) {
		for {
			data, _ := os.ReadFile(s.Path("supervise/status"))
			if st, err := status.Decode(data); err == nil && st.Paused == paused {
				return
			}
			time.Sleep(20 * time.Microsecond)
		}
	}
	run := func(arg string) {
		if direct {
			s.Control(b, arg[1:])
			return
		}
		cmd := exec.Command(im.Svc, arg, "s")
		cmd.Dir = s.Parent
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			b.Fatalf("svc %s: %v %q", arg, err, out)
		}
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		run("-p")
		wait(true)
		run("-c")
		wait(false)
	}
	d := time.Since(start) / time.Duration(n)
	s.Control(b, "dx")
	p.WaitEnded(b)
	return d
}

// BenchmarkControlLatency: 1000 svc -p/svc -c pairs, each svc talking to
// its own side's supervise, until the status shows the change.
func BenchmarkControlLatency(b *testing.B) {
	o, d := svtest.GetMode(b, svtest.Ours), svtest.GetMode(b, svtest.Debian)
	for i := 0; i < b.N; i++ {
		od := pairs(b, o, 1000, false)
		dd := pairs(b, d, 1000, false)
		b.ReportMetric(float64(od.Microseconds()), "µs/pair-ours")
		b.ReportMetric(float64(dd.Microseconds()), "µs/pair-debian")
		b.ReportMetric(float64(od)/float64(dd), "ratio")
	}
}

// BenchmarkSuperviseLatency: 1000 p/c pairs written straight to the control
// FIFO: supervise's own reaction time, without svc's start-up.
func BenchmarkSuperviseLatency(b *testing.B) {
	o, d := svtest.GetMode(b, svtest.Ours), svtest.GetMode(b, svtest.Debian)
	for i := 0; i < b.N; i++ {
		od := pairs(b, o, 1000, true)
		dd := pairs(b, d, 1000, true)
		b.ReportMetric(float64(od.Microseconds()), "µs/pair-ours")
		b.ReportMetric(float64(dd.Microseconds()), "µs/pair-debian")
		b.ReportMetric(float64(od)/float64(dd), "ratio")
	}
}

// statusCalls runs svstat n times on a running service.
func statusCalls(b *testing.B, im svtest.Mode, n int) time.Duration {
	s := svtest.NewService(b, "s", "#!/bin/sh\nexec sleep 1000000\n")
	p := im.Start(b, s, env()...)
	s.WaitUp(b, 0)
	start := time.Now()
	for i := 0; i < n; i++ {
		cmd := exec.Command(im.Svstat, "s")
		cmd.Dir = s.Parent
		out, err := cmd.Output()
		if err != nil || !strings.HasPrefix(string(out), "s: up (pid ") {
			b.Fatalf("svstat: %v %q", err, out)
		}
	}
	d := time.Since(start) / time.Duration(n)
	s.Control(b, "dx")
	p.WaitEnded(b)
	return d
}

// BenchmarkSvstat: 1000 svstat calls, ours against Debian's.
func BenchmarkSvstat(b *testing.B) {
	o, d := svtest.GetMode(b, svtest.Ours), svtest.GetMode(b, svtest.Debian)
	for i := 0; i < b.N; i++ {
		od := statusCalls(b, o, 1000)
		dd := statusCalls(b, d, 1000)
		b.ReportMetric(float64(od.Microseconds()), "µs/call-ours")
		b.ReportMetric(float64(dd.Microseconds()), "µs/call-debian")
		b.ReportMetric(float64(od)/float64(dd), "ratio")
	}
}
