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
