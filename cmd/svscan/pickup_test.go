package main

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/procfs"
	"github.com/daemontools-go/daemontools/internal/scantest"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// startedFile is a run script that records its start in a file and stays.
func startedFile(f string) string {
	return "#!/bin/sh\ndate +%s.%N > " + f + "\nexec sleep 3600\n"
}

// waitFile waits for path to exist and returns when it appeared.
func waitFile(t *testing.T, path string, d time.Duration) time.Time {
	t.Helper()
	testutil.Eventually(t, d, path, func() (bool, string) {
		_, err := os.Stat(path)
		return err == nil, "absent"
	})
	return time.Now()
}

// A service symlinked into the scanned directory is started at once
// (inotify), not at the next 5-second scan; so is a log added later.
func TestPickupInotify(t *testing.T) {
	t.Parallel()
	path := scantest.Need(t, "supervise")
	root := t.TempDir()
	dir := filepath.Join(root, "service")
	os.Mkdir(dir, 0o755)
	svc := scantest.Service(t, filepath.Join(root, "elsewhere"), "s", startedFile(filepath.Join(root, "started")))
	p := start(t, dir, []string{"PATH=" + path}, svc, svc+"/log") // the real 5 s interval
	linked := time.Now()
	if err := os.Symlink(svc, filepath.Join(dir, "s")); err != nil {
		t.Fatal(err)
	}
	if took := waitFile(t, filepath.Join(root, "started"), 4*time.Second).Sub(linked); took > 2*time.Second {
		t.Errorf("started %v after the link (inotify: at once)", took)
	}
	// A log/ added to the running service: its supervise starts at once.
	logDir := filepath.Join(root, "log-tmp")
	scantest.Service(t, root, "log-tmp", "#!/bin/sh\nexec cat > out\n")
	added := time.Now()
	if err := os.Rename(logDir, svc+"/log"); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 4*time.Second, "log supervise", func() (bool, string) {
		for _, k := range scantest.Supervisors(p.Pid()) {
			if len(k.Args) > 1 && k.Args[1] == "log" {
				return true, ""
			}
		}
		return false, "none"
	})
	if took := time.Since(added); took > 2*time.Second {
		t.Errorf("log started %v after it appeared", took)
	}
	// Running (supervise/ok open) before the clean-up's svc -dx, which
	// would find no supervise yet.
	(&svtest.Service{Dir: svc + "/log"}).WaitRunning(t, nil)
}

// Without inotify events, 0.76's pickup stays: the next scan, 5 seconds
// after the last; SIGALRM scans at once.
func TestPickupWithoutInotify(t *testing.T) {
	t.Parallel()
	path := scantest.Need(t, "supervise")
	root := t.TempDir()
	dir := filepath.Join(root, "service")
	os.Mkdir(dir, 0o755)
	os.Symlink("/nonexistent", filepath.Join(dir, "heartbeat"))
	beat := "svscan: warning: unable to stat heartbeat: file does not exist"
	a := scantest.Service(t, filepath.Join(root, "elsewhere"), "a", startedFile(filepath.Join(root, "a-started")))
	b := scantest.Service(t, filepath.Join(root, "elsewhere"), "b", startedFile(filepath.Join(root, "b-started")))
	p := start(t, dir, []string{"PATH=" + path, "SVSCAN_TEST_NOINOTIFY=1"}, a, b)
	testutil.Eventually(t, 5*time.Second, "first scan", func() (bool, string) {
		return testutil.CountLine(p.Stderr.String(), beat) == 1, p.Stderr.String()
	})
	firstScan := time.Now()
	os.Symlink(a, filepath.Join(dir, "a"))
	waitFile(t, filepath.Join(root, "a-started"), 12*time.Second)
	if gap := time.Since(firstScan); gap < 4500*time.Millisecond {
		t.Errorf("a started %v after the first scan: scans less than 5 s apart?", gap)
	}
	// SIGALRM: a scan now.
	os.Symlink(b, filepath.Join(dir, "b"))
	alarmed := time.Now()
	p.Signal(syscall.SIGALRM)
	if took := waitFile(t, filepath.Join(root, "b-started"), 4*time.Second).Sub(alarmed); took > 2*time.Second {
		t.Errorf("b started %v after SIGALRM", took)
	}
	if p.Exited() {
		t.Error("SIGALRM ended svscan")
	}
}

// kill -9 of a supervise under svscan: svscan starts it again, and it
// adopts the instance still running: one instance per service.
func TestKillNineSuperviseOneInstance(t *testing.T) {
	t.Parallel()
	scantest.Need(t, "supervise")
	dir := t.TempDir()
	a := scantest.Service(t, dir, "a", "#!/bin/sh\nexec sleep 3601\n")
	b := scantest.Service(t, dir, "b", "#!/bin/sh\nexec sleep 3602\n")
	scantest.Service(t, b, "log", "#!/bin/sh\nexec cat > out\n")
	p := quick(t, dir, a, b, b+"/log")
	scantest.WaitUp(t, 10*time.Second, a, b, b+"/log")
	before := map[string]uint32{}
	for _, d := range []string{a, b} {
		st, _ := svtest.ReadStatus(d)
		before[d] = st.Pid
	}
	for _, k := range scantest.Supervisors(p.Pid()) {
		syscall.Kill(k.Pid, syscall.SIGKILL)
	}
	testutil.Eventually(t, 10*time.Second, "supervise restarted", func() (bool, string) {
		n := 0
		for _, k := range scantest.Supervisors(p.Pid()) {
			if procfs.Alive(k.Pid) {
				n++
			}
		}
		return n == 3, strconv.Itoa(n)
	})
	for _, d := range []string{a, b} {
		scantest.WaitUp(t, 10*time.Second, d)
		st, _ := svtest.ReadStatus(d)
		if st.Pid != before[d] {
			t.Errorf("%s: pid %d after, %d before: not adopted", d, st.Pid, before[d])
		}
	}
	for _, arg := range []string{"3601", "3602"} {
		n := 0
		for _, pid := range procfs.Pids() {
			if c := procfs.Cmdline(pid); len(c) == 2 && c[0] == "sleep" && c[1] == arg && procfs.Alive(pid) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("sleep %s: %d instances", arg, n)
		}
	}
}

// A log/ added to a running service that is a plain directory of the
// scanned directory (not a symlink, so the stat cache knows it) is
// attached at once too, in both modes: the inotify event makes the scan
// look at the directory again.
func TestPickupInotifyLogPlainDir(t *testing.T) {
	t.Parallel()
	path := scantest.Need(t, "supervise")
	for name, args := range map[string][]string{"per-process": nil, "consolidated": {"-C"}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			dir := filepath.Join(root, "service")
			svc := scantest.Service(t, dir, "s", startedFile(filepath.Join(root, "started")))
			// The real 5 s interval.
			p := testutil.Start(t, testutil.Options{Env: []string{"PATH=" + path}}, testutil.Bin(t, "svscan"), append(args, dir)...)
			t.Cleanup(func() {
				if len(args) > 0 { // svscan -C stops everything on TERM
					p.Signal(syscall.SIGTERM)
					p.Wait(t, 20*time.Second)
				}
				scantest.StopTree(t, p.Pid(), svc, svc+"/log")
			})
			waitFile(t, filepath.Join(root, "started"), 4*time.Second)
			scantest.Service(t, root, "log-tmp", "#!/bin/sh\nexec cat > out\n")
			added := time.Now()
			if err := os.Rename(filepath.Join(root, "log-tmp"), svc+"/log"); err != nil {
				t.Fatal(err)
			}
			if took := waitFile(t, svc+"/log/out", 8*time.Second).Sub(added); took > 2*time.Second {
				t.Errorf("log started %v after it appeared", took)
			}
		})
	}
}
