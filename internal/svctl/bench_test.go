package svctl

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svdir"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/tai64"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// svctl status over 1,000 service directories in one call against one
// svstat call (Debian's, and ours) over the same 1,000: each a fake
// supervisor holding the FIFOs, with a status record. Reported: ms per
// call of each, and svctl's time over svstat's.
func BenchmarkStatus1000(b *testing.B) {
	parent := b.TempDir()
	var names []string
	for i := range 1000 {
		name := fmt.Sprintf("s%04d", i)
		dir := filepath.Join(parent, name)
		svtest.NewFake(b, dir)
		svtest.WriteStatus(b, dir, status.Status{When: tai64.Now(), Pid: uint32(1000 + i), Want: status.WantUp})
		names = append(names, name)
	}
	progs := []struct{ name, path string }{
		{"svctl", testutil.Bin(b, "svctl")},
		{"svstat-debian", testutil.Debian(b, "svstat")},
		{"svstat-ours", testutil.Bin(b, "svstat")},
	}
	args := append([]string{"status"}, names...)
	run := func(path string, args []string) time.Duration {
		var out bytes.Buffer
		cmd := exec.Command(path, args...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = parent, &out, os.Stderr
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		if err != nil || strings.Count(out.String(), "\n") != len(names) || !strings.Contains(out.String(), "s0999: up (pid 1999) ") {
			b.Fatalf("%s: %v: %.200q", path, err, out.String())
		}
		return d
	}
	total := make([]time.Duration, len(progs))
	b.ResetTimer()
	for range b.N {
		for i, p := range progs {
			if p.name == "svctl" {
				total[i] += run(p.path, args)
			} else {
				total[i] += run(p.path, names)
			}
		}
	}
	for i, p := range progs {
		b.ReportMetric(float64(total[i])/float64(b.N)/1e6, p.name+"-ms/call")
	}
	b.ReportMetric(float64(total[0])/float64(total[1]), "svctl/svstat-debian")
	b.ReportMetric(float64(total[0])/float64(total[2]), "svctl/svstat-ours")
}

// The latency of svctl wait against Debian's supervise: from the time in
// the status record that supervise wrote (taken just before it writes) to
// svctl wait up (down) returning. Each round starts and stops the service
// once; Debian's supervise reads no command for a second after a start.
func BenchmarkWaitLatencyDebian(b *testing.B) {
	im := impls[1]
	testutil.Debian(b, "supervise")
	parent := b.TempDir()
	s, _ := service(b, im, parent, "s", sleeper, true)
	at := dirfd(b, s.Dir)
	measure := func(state string, letter byte) time.Duration {
		ip := startInProcess(b, "wait", state, "-t", "30", s.Dir)
		ip.next(b) // armed
		if err := svdir.Send(at, []byte{letter}); err != nil {
			b.Fatal(err)
		}
		if err := ip.result(b); err != nil {
			b.Fatalf("wait %s: %v", state, err)
		}
		done := time.Now()
		return done.Sub(s.Status(b).When.Time())
	}
	var ups, downs []time.Duration
	b.ResetTimer()
	for range b.N {
		ups = append(ups, measure("up", 'u'))
		downs = append(downs, measure("down", 'd'))
	}
	b.StopTimer()
	report := func(name string, ds []time.Duration) {
		slices.Sort(ds)
		var sum time.Duration
		for _, d := range ds {
			sum += d
		}
		b.ReportMetric(float64(sum)/float64(len(ds))/1e6, name+"-ms-mean")
		b.ReportMetric(float64(ds[(len(ds)*95+99)/100-1])/1e6, name+"-ms-p95")
	}
	report("up", ups)
	report("down", downs)
}

// The latency of svctl wait ready against our supervise, from the
// daemon's readiness (a newline on notification-fd from a shell, or
// READY=1 from a Go daemon, notifyDaemon) to svctl wait ready returning.
// The daemon waits on a FIFO the benchmark writes to; the time runs from
// that write, so it includes the daemon's own work.
func BenchmarkWaitReadyLatency(b *testing.B) {
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct{ name, file, run string }{
		{"notification-fd", "notification-fd", "#!/bin/sh\nread x < trigger\necho ready >&3\nexec sleep 1000\n"},
		{"notify-socket", "notify-socket", "#!/bin/sh\nSVCTL_TEST_NOTIFY_DAEMON=1 exec " + self + "\n"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			parent := b.TempDir()
			dir := filepath.Join(parent, "s")
			testutil.WriteFile(b, filepath.Join(dir, c.file), "3\n", 0o644)
			if err := unix.Mkfifo(filepath.Join(dir, "trigger"), 0o600); err != nil {
				b.Fatal(err)
			}
			s, _ := service(b, impls[0], parent, "s", c.run, false)
			at := dirfd(b, s.Dir)
			var lat []time.Duration
			for range b.N {
				pid := s.WaitUp(b, 0).Pid
				ip := startInProcess(b, "wait", "ready", "-t", "30", s.Dir)
				ip.next(b) // armed: not ready yet
				f, err := os.OpenFile(filepath.Join(dir, "trigger"), os.O_WRONLY, 0)
				if err != nil {
					b.Fatal(err)
				}
				begin := time.Now()
				f.Write([]byte("go\n"))
				f.Close()
				if err := ip.result(b); err != nil {
					b.Fatalf("wait ready: %v", err)
				}
				lat = append(lat, time.Since(begin))
				if err := svdir.Send(at, []byte("t")); err != nil { // the next round's instance
					b.Fatal(err)
				}
				s.WaitUp(b, pid)
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2])/1e6, "ms-p50")
			b.ReportMetric(float64(lat[(len(lat)*95+99)/100-1])/1e6, "ms-p95")
		})
	}
}
