package main

// Benchmarks: svscan and its supervise processes, ours against Debian's
// daemontools 0.76 in the same run (skipped without Debian's binaries).
//
//	go test ./cmd/svscan -run '^$' -bench Startup -benchtime 1x
//	go test ./cmd/svscan -run '^$' -bench Idle -benchtime 1x [-short: 15 s window]
//	go test ./cmd/svscan -run '^$' -bench TenThousand -benchtime 1x   (DAEMONTOOLS_BENCH_SERVICES=N)
//
// "ours" is our svscan with the supervise found first in PATH (ours once
// built, else Debian's); "debian" is /usr/bin/svscan with /usr/bin/supervise;
// "mixed" is our svscan with Debian's supervise, which isolates svscan.

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/procfs"
	"github.com/daemontools-go/daemontools/internal/scantest"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// scanner is one svscan to measure.
type scanner struct {
	name, bin, path string
}

func scanners(b *testing.B) []scanner {
	deb := testutil.Debian(b, "svscan")
	testutil.Debian(b, "supervise")
	return []scanner{
		{"debian", deb, "/usr/bin:/bin"},
		{"ours", testutil.Bin(b, "svscan"), scantest.Path(b)},
		{"mixed", testutil.Bin(b, "svscan"), "/usr/bin:/bin"},
	}
}

// sleepers makes n services running `exec sleep`.
func sleepers(b *testing.B, n int) (string, []string) {
	dir := b.TempDir()
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = scantest.Service(b, dir, fmt.Sprintf("s%05d", i), "#!/bin/sh\nexec sleep 86400\n")
	}
	return dir, dirs
}

// allUp waits until every service reports a pid.
func allUp(b *testing.B, dirs []string, d time.Duration) {
	b.Helper()
	left := dirs
	testutil.Eventually(b, d, "all services up", func() (bool, string) {
		var still []string
		for _, dir := range left {
			if scantest.Pid(dir) == 0 {
				still = append(still, dir)
			}
		}
		left = still
		return len(left) == 0, fmt.Sprintf("%d not up", len(left))
	})
}

// supervisorUsage is the usage of svscan pid and of its supervise children,
// with how many supervise processes there are.
func supervisorUsage(pid int) (scan, sup procfs.Usage, n int) {
	scan = procfs.SumUsage([]int{pid})
	for _, c := range procfs.Children(pid) {
		if args := procfs.Cmdline(c); len(args) > 0 && filepath.Base(args[0]) == "supervise" {
			sup = sup.Add(procfs.SumUsage([]int{c}))
			n++
		}
	}
	return scan, sup, n
}

// BenchmarkStartup: from launching svscan over N `exec sleep` services
// until all report up; the supervisors' CPU (svscan + every supervise) per
// service started.
func BenchmarkStartup100(b *testing.B)  { benchStartup(b, 100) }
func BenchmarkStartup1000(b *testing.B) { benchStartup(b, 1000) }

func benchStartup(b *testing.B, n int) {
	ss := scanners(b)
	for i := 0; i < b.N; i++ {
		secs := map[string]float64{}
		for _, s := range ss {
			dir, dirs := sleepers(b, n)
			t0 := time.Now()
			p := testutil.Start(b, testutil.Options{Env: []string{"PATH=" + s.path}}, s.bin, dir)
			allUp(b, dirs, 10*time.Minute)
			wall := time.Since(t0)
			scan, sup, _ := supervisorUsage(p.Pid())
			all := scan.Add(sup)
			secs[s.name] = wall.Seconds()
			b.ReportMetric(wall.Seconds(), s.name+"-s")
			b.ReportMetric(float64(all.CPU().Microseconds())/1000/float64(n), s.name+"-cpu-ms/start")
			b.ReportMetric(float64(scan.CPU().Microseconds())/1000/float64(n), s.name+"-svscan-cpu-ms/start")
			scantest.StopTree(b, p.Pid(), dirs...)
		}
		b.ReportMetric(secs["ours"]/secs["debian"], "ours/debian-time")
		b.ReportMetric(secs["mixed"]/secs["debian"], "mixed/debian-time")
	}
}

// BenchmarkIdle100: CPU and wake-ups (context switches) per minute of
// svscan plus its 100 supervise processes, every service idle, both
// suites measured over the same window (60 s; 15 s with -short, scaled).
func BenchmarkIdle100(b *testing.B) {
	ss := scanners(b)
	window := time.Minute
	if testing.Short() {
		window = 15 * time.Second
	}
	for i := 0; i < b.N; i++ {
		pids := map[string]int{}
		for _, s := range ss {
			dir, dirs := sleepers(b, 100)
			p := testutil.Start(b, testutil.Options{Env: []string{"PATH=" + s.path}}, s.bin, dir)
			b.Cleanup(func() { scantest.StopTree(b, p.Pid(), dirs...) })
			allUp(b, dirs, 2*time.Minute)
			pids[s.name] = p.Pid()
		}
		time.Sleep(3 * time.Second) // let the start-up settle (supervise sleeps 1 s after a start)
		type sample struct{ scan, sup procfs.Usage }
		before := map[string]sample{}
		for name, pid := range pids {
			scan, sup, _ := supervisorUsage(pid)
			before[name] = sample{scan, sup}
		}
		time.Sleep(window)
		perMin := float64(time.Minute) / float64(window)
		for name, pid := range pids {
			scan, sup, n := supervisorUsage(pid)
			dScan, dSup := scan.Sub(before[name].scan), sup.Sub(before[name].sup)
			all := dScan.Add(dSup)
			b.ReportMetric(float64(all.CPU().Microseconds())/1000*perMin, name+"-cpu-ms/min")
			b.ReportMetric(float64(all.Ticks)*10*perMin, name+"-ticks-ms/min")
			b.ReportMetric(float64(all.Switches)*perMin, name+"-wakeups/min")
			b.ReportMetric(float64(dScan.Switches)*perMin, name+"-svscan-wakeups/min")
			b.ReportMetric(float64(dSup.Switches)*perMin/float64(max(n, 1)), name+"-wakeups/min/supervise")
			b.ReportMetric(float64(dScan.CPU().Microseconds())/1000*perMin, name+"-svscan-cpu-ms/min")
		}
	}
}

// BenchmarkTenThousand: our svscan over 10,000 services, each with a log
// as far as the hard descriptor limit allows (two descriptors per log
// pipe; 0.76 stops at 1000 services and at about 500 logged ones under a
// 1024-descriptor limit). Every service and log has a `down` file, so that
// the run measures svscan rather than services starting; Debian's C
// supervise is used because 20,000 Go processes of 3-4 threads each do not
// fit under a 32768 pid_max. Reports the time until every supervise runs,
// and svscan's CPU per scan of 10,000 entries. DAEMONTOOLS_BENCH_SERVICES
// changes the number.
func BenchmarkTenThousand(b *testing.B) {
	sup := testutil.Debian(b, "supervise")
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("DAEMONTOOLS_BENCH_SERVICES")); err == nil && v > 0 {
		n = v
	}
	var lim unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
	logs := min(n, int(lim.Max-64)/2)
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		var dirs []string
		for j := 0; j < n; j++ {
			s := filepath.Join(dir, fmt.Sprintf("s%05d", j))
			list := []string{s}
			if j < logs {
				list = append(list, s+"/log")
			}
			for _, d := range list {
				testutil.WriteFile(b, d+"/run", scantest.Sleeper, 0o755)
				testutil.WriteFile(b, d+"/down", "", 0o644)
				dirs = append(dirs, d)
			}
		}
		t0 := time.Now()
		p := testutil.Start(b, testutil.Options{Env: []string{"PATH=" + filepath.Dir(sup) + ":/bin", "SVSCAN_TEST_INTERVAL=1s"}},
			testutil.Bin(b, "svscan"), dir)
		stopped := false
		b.Cleanup(func() {
			if !stopped {
				scantest.StopTree(b, p.Pid(), dirs...)
			}
		})
		for k := 0; k < len(dirs); {
			if !procfs.Alive(p.Pid()) {
				b.Fatalf("svscan exited: %s", p.Stderr.String())
			}
			if time.Since(t0) > 20*time.Minute {
				b.Fatalf("%d of %d supervise running after 20 minutes", k, len(dirs))
			}
			time.Sleep(500 * time.Millisecond)
			k = len(procfs.Children(p.Pid()))
		}
		wall := time.Since(t0)
		// Every one of them started: each wrote its status.
		for _, d := range dirs {
			testutil.Eventually(b, time.Minute, d+" status", func() (bool, string) {
				_, err := svtest.ReadStatus(d)
				return err == nil, fmt.Sprint(err)
			})
		}
		if out := p.Stderr.String(); out != "" {
			b.Errorf("svscan said:\n%.2000s", out)
		}
		// Steady state: CPU per scan (one scan a second here).
		u0 := procfs.SumUsage([]int{p.Pid()})
		time.Sleep(10 * time.Second)
		u1 := procfs.SumUsage([]int{p.Pid()})
		fds, _ := os.ReadDir("/proc/" + strconv.Itoa(p.Pid()) + "/fd")
		b.ReportMetric(float64(n), "services")
		b.ReportMetric(float64(logs), "logged")
		b.ReportMetric(float64(len(dirs)), "supervise")
		b.ReportMetric(float64(len(fds)), "svscan-fds")
		b.ReportMetric(wall.Seconds(), "s-all-running")
		b.ReportMetric(float64(u1.CPU()-u0.CPU())/float64(time.Millisecond)/10, "svscan-cpu-ms/scan")
		t1 := time.Now()
		scantest.StopTree(b, p.Pid(), dirs...)
		stopped = true
		b.ReportMetric(time.Since(t1).Seconds(), "s-stop")
	}
}
