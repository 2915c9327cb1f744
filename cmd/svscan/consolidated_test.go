package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/procfs"
	"github.com/daemontools-go/daemontools/internal/scantest"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svdir"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// svscan -C (issue 12): one process supervises every service.

// consolidated starts svscan -C over dir with the fast interval.
func consolidated(t *testing.T, dir string, dirs ...string) *testutil.Proc {
	t.Helper()
	testutil.Bin(t, "svscan")
	env := append(scantest.Env(t, fast), "DAEMONTOOLS_STRICT=1")
	p := testutil.Start(t, testutil.Options{Env: env}, testutil.Bin(t, "svscan"), "-C", dir)
	t.Cleanup(func() {
		// TERM: svscan -C stops everything in order, then exits.
		p.Signal(syscall.SIGTERM)
		testutil.Eventually(t, 20*time.Second, "svscan -C gone", func() (bool, string) {
			return !procfs.Alive(p.Pid()), "still there"
		})
		scantest.StopTree(t, p.Pid(), dirs...)
	})
	return p
}

// The picture: no supervise process; the services and loggers are
// svscan's children; each service directory has supervise/ (0700) with
// the lock held, control and ok FIFOs (0600), the 18-byte status and
// state.json; the title counts them.
func TestConsolidatedPicture(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := scantest.Service(t, dir, "a", scantest.Sleeper)
	b := scantest.Service(t, dir, "b", "#!/bin/sh\necho hello from b\nexec sleep 3600\n")
	scantest.Service(t, b, "log", "#!/bin/sh\nexec cat > out\n")
	p := consolidated(t, dir, a, b, b+"/log")
	scantest.WaitUp(t, 10*time.Second, a, b, b+"/log")
	if n := len(scantest.Supervisors(p.Pid())); n != 0 {
		t.Errorf("%d supervise processes", n)
	}
	for _, d := range []string{a, b, b + "/log"} {
		st, _ := svtest.ReadStatus(d)
		if procfs.PPid(int(st.Pid)) != p.Pid() {
			t.Errorf("%s: pid %d is not svscan's child", d, st.Pid)
		}
		fi, err := os.Stat(filepath.Join(d, layout.SuperviseDir))
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s/supervise: %v %v", d, fi.Mode(), err)
		}
		for _, f := range []string{layout.Control, layout.OK} {
			fi, err := os.Stat(filepath.Join(d, f))
			if err != nil || fi.Mode()&os.ModeNamedPipe == 0 || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s/%s: %v %v", d, f, fi.Mode(), err)
			}
		}
		if _, err := os.Stat(filepath.Join(d, layout.State)); err != nil {
			t.Errorf("%s: %v", d, err)
		}
		// The lock is held: a supervise started by hand fails on it.
		r := testutil.Run(t, testutil.Options{}, testutil.Bin(t, "supervise"), d)
		if r.Code != 111 || !strings.Contains(r.Stderr, "supervise: fatal: unable to acquire "+d+"/supervise/lock: temporary failure") {
			t.Errorf("supervise by hand on %s: %+v", d, r)
		}
	}
	testutil.Eventually(t, 10*time.Second, "b's output in its log", func() (bool, string) {
		return scantest.Contains(b+"/log/out", "hello from b\n"), "not yet"
	})
	testutil.Eventually(t, 10*time.Second, "title", func() (bool, string) {
		c := strings.Join(procfs.Cmdline(p.Pid()), " ")
		return strings.Contains(c, "svscan -C "+dir+" : 2 up, 0 down"), c
	})
	// svc -dx on one service ends its supervision only (the next scan
	// supervises it again, as 0.76's svscan restarts its supervise): b
	// does not notice.
	bBefore, _ := svtest.ReadStatus(b)
	testutil.WriteFile(t, filepath.Join(a, "down"), "", 0o644) // the next unit leaves it down
	svc(a).Control(t, "dx")
	svc(a).WaitStatus(t, "a down", func(st status.Status) bool { return st.Pid == 0 })
	if st, _ := svtest.ReadStatus(b); st != bBefore {
		t.Errorf("b changed: %s -> %s", svtest.Describe(bBefore), svtest.Describe(st))
	}
}

// Bad input: 0.76's supervise messages, prefixed as svscan's, and the other
// services untouched (one of them proves it by answering svc).
func TestConsolidatedBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := scantest.Service(t, dir, "good", scantest.Sleeper)
	norun := filepath.Join(dir, "norun")
	os.Mkdir(norun, 0o755)
	noexec := scantest.Service(t, dir, "noexec", "#!/bin/sh\nexec sleep 3600\n")
	os.Chmod(filepath.Join(noexec, "run"), 0o644)
	downdir := scantest.Service(t, dir, "downdir", scantest.Sleeper)
	os.Mkdir(filepath.Join(downdir, "down"), 0o755)
	garbage := scantest.Service(t, dir, "garbage", scantest.Sleeper)
	vanish := scantest.Service(t, dir, "vanish", scantest.Sleeper)
	p := consolidated(t, dir, good, norun, noexec, downdir, garbage, vanish)
	scantest.WaitUp(t, 10*time.Second, good, garbage, vanish)
	for _, w := range []string{
		"svscan: warning: unable to start norun/run: file does not exist\n",
		"svscan: warning: unable to start noexec/run: access denied\n",
	} {
		testutil.Eventually(t, 10*time.Second, w, func() (bool, string) {
			return strings.Contains(p.Stderr.String(), w), p.Stderr.String()
		})
	}
	// down is a directory: down counts (0.76 stats it).
	if st, _ := svtest.ReadStatus(downdir); st.Pid != 0 || st.Want != 'd' {
		t.Errorf("downdir: %s", svtest.Describe(st))
	}
	// Garbage on a control FIFO is ignored.
	svc(garbage).Control(t, "\x00\xffzZ?")
	// A directory removed while supervised: its unit goes on with what it
	// holds; the others do not notice.
	os.RemoveAll(vanish)
	first, _ := svtest.ReadStatus(good)
	svc(good).Control(t, "t")
	svc(good).WaitStatus(t, "good restarted", func(st status.Status) bool { return st.Pid != 0 && st.Pid != first.Pid })
	if p.Exited() {
		t.Fatalf("svscan exited: %s", p.Stderr.String())
	}
	if strings.Contains(p.Stderr.String(), "BUG") {
		t.Errorf("stderr: %s", p.Stderr.String())
	}
}

// One service cannot hurt another: a flooded control FIFO, a finish that
// hangs, a service that forks 1,000 children: the others answer svc at
// once.
func TestConsolidatedIsolation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	victim := scantest.Service(t, dir, "victim", scantest.Sleeper)
	flooded := scantest.Service(t, dir, "flooded", "#!/bin/sh\ntrap '' HUP\nexec sleep 3600\n")
	hanging := scantest.Service(t, dir, "hanging", "#!/bin/sh\nexit 1\n")
	testutil.WriteFile(t, filepath.Join(hanging, "finish"), "#!/bin/sh\nexec sleep 3600\n", 0o755)
	testutil.WriteFile(t, filepath.Join(hanging, "timeout-finish"), "0\n", 0o644)
	forker := scantest.Service(t, dir, "forker", "#!/bin/sh\ni=0\nwhile [ $i -lt 1000 ]; do sleep 3600 & i=$((i+1)); done\nexec sleep 3600\n")
	p := consolidated(t, dir, victim, flooded, hanging, forker)
	scantest.WaitUp(t, 10*time.Second, victim, flooded, forker)
	// Flood: 64 KiB of h (HUP, ignored) waiting in the FIFO.
	fd, err := unix.Open(filepath.Join(flooded, layout.Control), unix.O_WRONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	flood := []byte(strings.Repeat("h", 65536))
	for {
		n, err := unix.Write(fd, flood)
		if err != nil || n < len(flood) {
			break
		}
	}
	unix.Close(fd)
	for i := 0; i < 5; i++ {
		before, _ := svtest.ReadStatus(victim)
		begin := time.Now()
		svc(victim).Control(t, "t")
		svc(victim).WaitStatus(t, "victim restarted", func(st status.Status) bool { return st.Pid != 0 && st.Pid != before.Pid })
		if took := time.Since(begin); took > 2*time.Second {
			t.Errorf("restart %d took %v", i, took)
		}
		// The 1 s pause after each start holds commands back: wait it out.
		svc(victim).WaitStatus(t, "a second up", func(st status.Status) bool {
			return time.Since(st.When.Time()) > 1100*time.Millisecond
		})
	}
	// The forker's 1,000 children all go with it.
	svc(forker).Control(t, "d")
	testutil.Eventually(t, 20*time.Second, "the forker's children gone", func() (bool, string) {
		n := 0
		for _, pid := range procfs.LiveDescendants(p.Pid()) {
			if a := procfs.Cmdline(pid); len(a) == 2 && a[0] == "sleep" && a[1] == "3600" && procfs.Cwd(pid) == forker {
				n++
			}
		}
		return n == 0, strconv.Itoa(n) + " left"
	})
}

// svscan -C killed with SIGKILL: the services keep running; a new svscan
// -C adopts them (same pids, same start times) and their log pipe, so
// that what they write after goes to the same logger.
func TestConsolidatedRestartAdopts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := scantest.Service(t, dir, "a", scantest.Sleeper)
	b := scantest.Service(t, dir, "b", "#!/bin/sh\nwhile :; do echo tick; sleep 0.05; done\n")
	scantest.Service(t, b, "log", "#!/bin/sh\nexec cat > out\n")
	p := consolidated(t, dir, a, b, b+"/log")
	scantest.WaitUp(t, 10*time.Second, a, b, b+"/log")
	before := map[string]status.Status{}
	for _, d := range []string{a, b, b + "/log"} {
		before[d], _ = svtest.ReadStatus(d)
		// The instance record is written before the status shows the pid.
		rec, _ := os.ReadFile(filepath.Join(d, layout.Instance))
		if f := strings.Fields(string(rec)); len(f) == 0 || f[0] != strconv.Itoa(int(before[d].Pid)) {
			t.Errorf("%s: status has pid %d, %s has %q", d, before[d].Pid, layout.Instance, rec)
		}
	}
	p.Signal(syscall.SIGKILL)
	// Reaped, not only a zombie: its last thread has let go of its locks.
	testutil.Eventually(t, 10*time.Second, "svscan reaped", func() (bool, string) { return procfs.Gone(p.Pid()), "not yet" })
	p2 := consolidated(t, dir, a, b, b+"/log")
	for d, st := range before {
		svc(d).WaitRunning(t, p2) // supervised again (the status file is the old one until then)
		got := svc(d).WaitStatus(t, d+" adopted", func(s status.Status) bool { return s.Pid != 0 })
		if got.Pid != st.Pid || got.When != st.When {
			t.Errorf("%s: %s after, %s before", d, svtest.Describe(got), svtest.Describe(st))
		}
	}
	// The logger still gets b's lines, and a new b too.
	size := func() int64 {
		fi, err := os.Stat(b + "/log/out")
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	s0 := size()
	testutil.Eventually(t, 10*time.Second, "lines after the restart", func() (bool, string) { return size() > s0, "no" })
	if err := svdir.Send(dirfd(t, b), []byte("t")); err != nil {
		t.Fatalf("svc -t b: %v; svscan -C says %q; first svscan said %q", err, p2.Stderr.String(), p.Stderr.String())
	}
	svc(b).WaitStatus(t, "b restarted", func(s status.Status) bool { return s.Pid != 0 && s.Pid != before[b].Pid })
	s1 := size()
	testutil.Eventually(t, 10*time.Second, "lines of the new b", func() (bool, string) { return size() > s1, "no" })
	// A logger started on the pipe opened again reads it as a pipe(2)
	// (blocking): it keeps running and gets the lines.
	logBefore, _ := svtest.ReadStatus(b + "/log")
	if err := svdir.Send(dirfd(t, b+"/log"), []byte("t")); err != nil {
		t.Fatal(err)
	}
	logNew := svc(b+"/log").WaitStatus(t, "b/log restarted", func(s status.Status) bool { return s.Pid != 0 && s.Pid != logBefore.Pid })
	s2 := size()
	testutil.Eventually(t, 10*time.Second, "lines through the new logger", func() (bool, string) { return size() > s2, "no" })
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if st, _ := svtest.ReadStatus(b + "/log"); st.Pid != logNew.Pid {
			t.Fatalf("the new logger %d ended (now %d): its stdin is not a blocking pipe?", logNew.Pid, st.Pid)
		}
	}
	if n := len(procfs.LiveChildren(p2.Pid())); n < 1 {
		t.Errorf("svscan has %d children", n)
	}
}

// svc is a service directory for svtest's helpers.
func svc(dir string) *svtest.Service { return &svtest.Service{Dir: dir} }

func dirfd(t *testing.T, dir string) int {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

// A stop that finds a service's control FIFO full (flooded during 0.76's
// pause after a start, when nothing reads it) is not lost: it is taken
// once the flood is read, well before the 7-second kill.
func TestConsolidatedStopThroughFloodedFIFO(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := scantest.Service(t, dir, "s", scantest.Sleeper)
	p := consolidated(t, dir, s)
	scantest.WaitUp(t, 10*time.Second, s)
	fd, err := unix.Open(filepath.Join(s, layout.Control), unix.O_WRONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := []byte(strings.Repeat("?", 65536)) // bytes 0.76 ignores
	for {
		if n, err := unix.Write(fd, junk); err != nil || n < len(junk) {
			break
		}
	}
	unix.Close(fd)
	begin := time.Now()
	p.Signal(syscall.SIGTERM)
	code := p.Wait(t, 20*time.Second)
	if took := time.Since(begin); code != 0 || took > 6*time.Second {
		t.Errorf("svscan -C exited %d after %v; stderr %q", code, took, p.Stderr.String())
	}
}
