package serve

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svstate"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// fakeServices makes n services in scan, each with a logger when logged,
// each under a fake supervisor (svtest.NewFake holds its FIFOs) that wrote
// state.json and the status record as ours does.
func fakeServices(b testing.TB, scan string, n int, logged bool) {
	for i := range n {
		dirs := []string{filepath.Join(scan, fmt.Sprintf("service-%04d", i))}
		if logged {
			dirs = append(dirs, filepath.Join(dirs[0], layout.Log))
		}
		for _, dir := range dirs {
			fakeService(b, dir, svstate.Record{State: svstate.Up, Pid: 10000 + i, Restarts: i % 7,
				HasExit: true, ExitCode: 1, ExitSignal: -1, ExitRanMs: 1200})
		}
	}
}

// fakeService makes dir a service under a fake supervisor (svtest.NewFake
// holds its FIFOs) that wrote r (up and ready when r.State is up, wanted
// up by default) as ours does: state.json, then the matching record.
func fakeService(t testing.TB, dir string, r svstate.Record) {
	t.Helper()
	svtest.NewFake(t, dir)
	setState(t, dir, r)
}

// setState writes r as state.json and the matching status record.
func setState(t testing.TB, dir string, r svstate.Record) {
	t.Helper()
	now := time.Now().UnixNano()
	r.Service = filepath.Base(dir)
	r.Pgid = r.Pid
	if r.Since == 0 {
		r.Since = now
	}
	if r.Want == "" {
		r.Want = svstate.WantUp
	}
	if r.Normally == "" {
		r.Normally = svstate.WantUp
	}
	if r.State == svstate.Up && r.ReadySince == 0 {
		r.Ready, r.ReadySince = true, r.Since
	}
	if r.HasExit && r.ExitAt == 0 {
		r.ExitAt = now
	}
	if !r.HasExit {
		r.ExitCode, r.ExitSignal = -1, -1
	}
	writeFile(t, dir, layout.StateNew, string(svstate.AppendJSON(nil, &r)))
	if err := os.Rename(filepath.Join(dir, layout.StateNew), filepath.Join(dir, layout.State)); err != nil {
		t.Fatal(err)
	}
	want := byte(status.WantUp)
	if r.Want == svstate.WantDown {
		want = status.WantDown
	}
	writeRecord(t, dir, uint32(r.Pid), want)
}

// One scrape of /metrics over 1,000 services, over HTTP as Prometheus
// makes it: the issue asks for at most 50 ms. "logged": each with a
// logger, 2,000 service directories and 20,000 series; "unlogged": 1,000
// and 10,000. Reported: ms/scrape, and, with Debian's daemontools
// installed, the time of its svstat over the same directories (it reads
// two files of each, the scrape five) and the ratio.
func BenchmarkScrape1000(b *testing.B) {
	for _, logged := range []bool{false, true} {
		b.Run(map[bool]string{false: "unlogged", true: "logged"}[logged], func(b *testing.B) {
			scan := b.TempDir()
			fakeServices(b, scan, 1000, logged)
			ts := startServer(b, "", scan)
			scrape := func() {
				res, err := client.Get(ts.url + "/metrics")
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if err != nil || res.StatusCode != http.StatusOK || n < 256<<10 {
					b.Fatalf("/metrics: %d, %d bytes, %v", res.StatusCode, n, err)
				}
			}
			var svstat *exec.Cmd
			if _, err := os.Stat("/usr/share/doc/daemontools"); err == nil {
				dirs, _ := filepath.Glob(filepath.Join(scan, "*"))
				if logged {
					logs, _ := filepath.Glob(filepath.Join(scan, "*", layout.Log))
					dirs = append(dirs, logs...)
				}
				svstat = exec.Command(filepath.Join(testutil.DebianDir, "svstat"), dirs...)
			}
			scrape()
			b.ResetTimer()
			var took, debian time.Duration
			for range b.N {
				start := time.Now()
				scrape()
				took += time.Since(start)
				if svstat != nil {
					cmd := exec.Command(svstat.Path, svstat.Args[1:]...)
					start := time.Now()
					if out, err := cmd.Output(); err != nil || !strings.Contains(string(out), ": up (pid 10999) ") {
						b.Fatalf("svstat: %v %.200q", err, out)
					}
					debian += time.Since(start)
				}
			}
			b.ReportMetric(float64(took.Microseconds())/1000/float64(b.N), "ms/scrape")
			if svstat != nil {
				b.ReportMetric(float64(debian.Microseconds())/1000/float64(b.N), "svstat-debian-ms")
				b.ReportMetric(float64(took)/float64(debian), "scrape/svstat-debian")
			}
		})
	}
}
