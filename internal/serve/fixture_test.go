package serve

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svstate"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// fixture is a scan directory of services in known states, under real
// supervisors (ours, and Debian's when installed), as a small host looks.
type fixture struct {
	scan   string
	debian bool // legacy-app runs under Debian's supervise
}

// The services of the fixture and what they are.
const (
	fxUp       = "nginx"        // up, logged, a line a second
	fxDB       = "postgres"     // up, logged
	fxNotReady = "api"          // up, not ready (notification-fd, never written), logged
	fxPaused   = "worker"       // up, paused
	fxBackoff  = "mailer"       // exits 1 at once; restart-delay 60 s: backoff, logged
	fxOnce     = "backup"       // normally down, ran once (svc -o), exit 0
	fxCron     = "cron"         // up, logged
	fxStopped  = "metrics-push" // stopped with svc -d: last exit SIGTERM
	fxNoExec   = "reports"      // run not executable: a start error
	fxRestarts = "web"          // failed twice, then up: restarts 2, logged
	fxDebian   = "legacy-app"   // up under Debian's supervise (up under ours without it)
	fxNoSup    = "old-queue"    // no supervisor; a dead one's files say up
	fxBroken   = "broken"       // a supervisor, a 7-byte status file: unknown
	fxJunkJSON = "scheduler"    // a supervisor, a good record, state.json garbage
)

const sleeper = "#!/bin/sh\nexec sleep 1000\n"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{scan: t.TempDir()}
	if os.Getenv("DASHBOARD_PNG") != "" {
		// The screenshot for the documentation shows a short path.
		f.scan = filepath.Join(os.TempDir(), "service")
		if err := os.Mkdir(f.scan, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(f.scan) })
	}
	ours := testutil.Bin(t, "supervise")
	start := func(name, run string, files map[string]string, logged bool) *svtest.Service {
		return startService(t, ours, f.scan, name, run, files, logged)
	}
	dir := func(name string) string { return filepath.Join(f.scan, name) }

	start(fxUp, "#!/bin/sh\necho 'nginx: listening on 0.0.0.0:8080'\n"+
		"i=0\nwhile :; do i=$((i+1)); echo \"GET /health 200 0.4ms #$i\"; sleep 1; done\n", nil, true)
	start(fxDB, "#!/bin/sh\necho 'postgres: database system is ready to accept connections'\nexec sleep 1000\n", nil, true)
	start(fxNotReady, "#!/bin/sh\necho 'api: warming the cache'\nexec sleep 1000\n",
		map[string]string{layout.NotificationFD: "3\n"}, true)
	worker := start(fxPaused, sleeper, nil, false)
	start(fxBackoff, "#!/bin/sh\necho 'mailer: fatal: unable to connect to smtp.example.com:25: connection refused'\nexit 1\n",
		map[string]string{layout.RestartDelay: "60000\n"}, true)
	backup := start(fxOnce, "#!/bin/sh\necho 'backup: 1824 files, 3.2 GB'\nexit 0\n", map[string]string{layout.Down: ""}, false)
	start(fxCron, "#!/bin/sh\necho 'cron: 4 jobs loaded'\nexec sleep 1000\n", nil, true)
	stopped := start(fxStopped, sleeper, nil, false)
	start(fxNoExec, sleeper, map[string]string{"-x": "yes"}, false)
	start(fxRestarts, "#!/bin/sh\nn=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count\n"+
		"if [ $n -le 2 ]; then echo \"web: fatal: database not ready (attempt $n)\"; exit 1; fi\n"+
		"echo 'web: serving on :80'\nexec sleep 1000\n", nil, true)
	if _, err := os.Stat("/usr/share/doc/daemontools"); err == nil {
		if _, err := os.Stat(filepath.Join(testutil.DebianDir, "supervise")); err == nil {
			f.debian = true
			startService(t, filepath.Join(testutil.DebianDir, "supervise"), f.scan, fxDebian, sleeper, nil, false)
		}
	}
	if !f.debian {
		start(fxDebian, sleeper, nil, false)
	}

	// No supervisor: the files of one that died while the service ran.
	svtest.MakeFIFOs(t, dir(fxNoSup))
	testutil.WriteFile(t, filepath.Join(dir(fxNoSup), layout.Run), sleeper, 0o755)
	writeRecord(t, dir(fxNoSup), 31337, status.WantUp)
	// A supervisor (FIFOs held open), a status file of 7 bytes.
	svtest.NewFake(t, dir(fxBroken))
	writeFile(t, dir(fxBroken), layout.Status, "garbage")
	// A supervisor, a good record, a state.json of garbage.
	svtest.NewFake(t, dir(fxJunkJSON))
	writeRecord(t, dir(fxJunkJSON), 4242, status.WantUp)
	writeFile(t, dir(fxJunkJSON), layout.State, "{\"version\": 1, \"state\": [garbage\n")

	up := func(s svstate.Service) bool { return s.Source == svstate.FromState && s.Doc.State == svstate.Up }
	for _, name := range []string{fxUp, fxDB, fxNotReady, fxPaused, fxCron, fxStopped} {
		waitFor(t, dir(name), "up", up)
	}
	for _, name := range []string{fxUp, fxDB, fxNotReady, fxBackoff, fxCron, fxRestarts} {
		waitFor(t, dir(name)+"/log", "up", up)
	}
	worker.Control(t, "p")
	waitFor(t, dir(fxPaused), "paused", func(s svstate.Service) bool { return up(s) && s.Doc.Paused })
	stopped.Control(t, "d")
	waitFor(t, dir(fxStopped), "stopped by TERM", func(s svstate.Service) bool {
		e := s.Doc.LastExit
		return s.Doc.State == svstate.Down && e != nil && e.Signal != nil && *e.Signal == 15
	})
	backup.Control(t, "o")
	waitFor(t, dir(fxOnce), "run once", func(s svstate.Service) bool {
		e := s.Doc.LastExit
		return s.Doc.State == svstate.Down && e != nil && e.Code != nil && *e.Code == 0
	})
	waitFor(t, dir(fxBackoff), "backoff", func(s svstate.Service) bool { return s.Doc.State == svstate.Backoff })
	waitFor(t, dir(fxNoExec), "a start error", func(s svstate.Service) bool { return s.Doc.StartError != nil })
	waitFor(t, dir(fxRestarts), "up after 2 restarts", func(s svstate.Service) bool {
		return up(s) && s.Doc.Restarts == 2
	})
	waitFor(t, dir(fxDebian), "up", func(s svstate.Service) bool { return s.Source != "" && s.Doc.State == svstate.Up })
	// The loggers have written what their services printed first.
	for _, name := range []string{fxUp, fxDB, fxNotReady, fxBackoff, fxCron, fxRestarts} {
		current := filepath.Join(dir(name), layout.LogMain, layout.LogCurrent)
		testutil.Eventually(t, svtest.Deadline, current, func() (bool, string) {
			st, err := os.Stat(current)
			return err == nil && st.Size() > 0, "empty"
		})
	}
	return f
}
