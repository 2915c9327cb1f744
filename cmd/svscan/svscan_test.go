package main

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/procfs"
	"github.com/daemontools-go/daemontools/internal/scantest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// fast is the test-only scan interval of most tests (TestHowTo uses the real 5 s).
const fast = "100ms"

// start runs our svscan over dir with env and registers the clean-up of
// everything it starts (dirs are the service and log directories).
func start(t *testing.T, dir string, env []string, dirs ...string) *testutil.Proc {
	t.Helper()
	p := testutil.Start(t, testutil.Options{Env: env}, testutil.Bin(t, "svscan"), dir)
	t.Cleanup(func() { scantest.StopTree(t, p.Pid(), dirs...) })
	return p
}

// quick is start with our PATH and the fast test interval.
func quick(t *testing.T, dir string, dirs ...string) *testutil.Proc {
	t.Helper()
	return start(t, dir, scantest.Env(t, fast), dirs...)
}

func fdTarget(pid, fd int) string {
	s, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/fd/" + strconv.Itoa(fd))
	return s
}

// fdTargets returns the targets of every descriptor of pid.
func fdTargets(pid int) []string {
	ents, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	var out []string
	for _, e := range ents {
		fd, _ := strconv.Atoi(e.Name())
		out = append(out, fdTarget(pid, fd))
	}
	return out
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// TestServicesLogsAndPipes checks the process and descriptor picture of
// §6.3: one supervise per service (two names for one directory are one
// service), `supervise log` in N with the pipe's read end as fd 0, the
// main supervise with its write end as fd 1, and svscan holding both ends.
func TestServicesLogsAndPipes(t *testing.T) {
	t.Parallel()
	scantest.Need(t, "supervise")
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "service")
	a := scantest.Service(t, dir, "a", scantest.Sleeper)
	b := scantest.Service(t, dir, "b", "#!/bin/sh\necho hello from b\nexec sleep 3600\n")
	scantest.Service(t, b, "log", "#!/bin/sh\nexec cat > out\n")
	outside := scantest.Service(t, root, "linked", scantest.Sleeper)
	os.Symlink(outside, filepath.Join(dir, "linked"))
	os.Symlink(a, filepath.Join(dir, "alias")) // same directory as a
	os.Symlink("/nonexistent", filepath.Join(dir, "dangling"))
	os.WriteFile(filepath.Join(dir, "plain"), nil, 0o644)
	scantest.Service(t, dir, ".hidden", scantest.Sleeper)

	p := quick(t, dir, a, b, b+"/log", outside)
	scantest.WaitUp(t, 10*time.Second, a, b, b+"/log", outside)
	testutil.Eventually(t, 10*time.Second, "b's output in its log", func() (bool, string) {
		return scantest.Contains(b+"/log/out", "hello from b\n"), "not yet"
	})

	kids := scantest.Supervisors(p.Pid())
	var got []string
	byCwd := map[string]int{}
	for _, k := range kids {
		if procfs.PPid(k.Pid) != p.Pid() {
			t.Errorf("supervise %d is not svscan's child", k.Pid)
		}
		// The directory it supervises: its argument, from its working
		// directory (0.76's supervise changes into it; ours does not).
		served, err := filepath.EvalSymlinks(filepath.Join(k.Cwd, strings.Join(k.Args[1:], " ")))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join(k.Args[1:], " ")+" in "+served)
		byCwd[served] = k.Pid
	}
	sort.Strings(got)
	// a is also named alias: whichever name the directory lists first is used.
	first := "a"
	if len(got) > 0 && strings.HasPrefix(got[0], "alias ") {
		first = "alias"
	}
	want := []string{first + " in " + a, "b in " + b, "linked in " + outside, "log in " + b + "/log"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("supervise processes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	pipe := fdTarget(byCwd[b], 1)
	if !strings.HasPrefix(pipe, "pipe:") || fdTarget(byCwd[b+"/log"], 0) != pipe {
		t.Errorf("b's fd 1 %q and its log's fd 0 %q are not one pipe", pipe, fdTarget(byCwd[b+"/log"], 0))
	}
	if n := count(fdTargets(p.Pid()), pipe); n != 2 {
		t.Errorf("svscan holds %d ends of %s, want 2", n, pipe)
	}
	if fdTarget(byCwd[a], 1) != fdTarget(p.Pid(), 1) || fdTarget(byCwd[b+"/log"], 1) != fdTarget(p.Pid(), 1) {
		t.Errorf("fd 1 of a and of b/log must be svscan's")
	}
	for _, k := range kids {
		for _, target := range fdTargets(k.Pid) {
			if strings.HasSuffix(target, ".svscan.lock") {
				t.Errorf("supervise %d inherited the lock", k.Pid)
			}
		}
	}

	// The dangling symlink is reported at every scan; the rest is silent.
	line := "svscan: warning: unable to stat dangling: file does not exist"
	testutil.Eventually(t, 10*time.Second, "two scans", func() (bool, string) {
		return testutil.CountLine(p.Stderr.String(), line) >= 2, p.Stderr.String()
	})
	for _, l := range strings.Split(strings.TrimSpace(p.Stderr.String()), "\n") {
		if l != line {
			t.Errorf("unexpected message %q", l)
		}
	}
}

// TestKilledSupervisedRestarted: an exited supervise is reaped and started
// again at the next scan, on the same pipe.
func TestKilledSuperviseRestarted(t *testing.T) {
	t.Parallel()
	scantest.Need(t, "supervise")
	dir := t.TempDir()
	b := scantest.Service(t, dir, "b", scantest.Sleeper)
	scantest.Service(t, b, "log", scantest.Sleeper)
	p := quick(t, dir, b, b+"/log")
	scantest.WaitUp(t, 10*time.Second, b, b+"/log")
	pipe := ""
	for _, k := range scantest.Supervisors(p.Pid()) {
		if k.Args[1] == "log" {
			pipe = fdTarget(k.Pid, 0)
			// Stop the logger's service and make its supervise exit.
			testutil.Run(t, testutil.Options{}, scantest.Tool(t, "svc"), "-dx", b+"/log")
			testutil.Eventually(t, 10*time.Second, "log supervise reaped", func() (bool, string) {
				return procfs.PPid(k.Pid) == -1, "still there"
			})
		}
	}
	scantest.WaitUp(t, 10*time.Second, b+"/log")
	var logs []scantest.Proc
	testutil.Eventually(t, 10*time.Second, "one new log supervise", func() (bool, string) {
		logs = nil
		for _, k := range scantest.Supervisors(p.Pid()) {
			if k.Args[1] == "log" {
				logs = append(logs, k)
			}
		}
		return len(logs) == 1, "not yet"
	})
	if got := fdTarget(logs[0].Pid, 0); got != pipe {
		t.Errorf("restarted log supervise reads %s, want the same pipe %s", got, pipe)
	}
}

// TestSecondSvscanRefused: one svscan per directory; a second one, under
// the same name or another, says so and exits 111 without starting
// anything.
func TestSecondSvscanRefused(t *testing.T) {
	t.Parallel()
	path := scantest.Need(t, "supervise")
	root := t.TempDir()
	dir := filepath.Join(root, "service")
	a := scantest.Service(t, dir, "a", scantest.Sleeper)
	quick(t, dir, a)
	scantest.WaitUp(t, 10*time.Second, a)
	pid := scantest.Pid(a)
	os.Symlink(dir, filepath.Join(root, "alias"))
	for _, arg := range []string{dir, filepath.Join(root, "alias")} {
		r := testutil.Run(t, testutil.Options{Env: []string{"PATH=" + path}}, testutil.Bin(t, "svscan"), arg)
		want := "svscan: fatal: unable to acquire " + arg + "/.svscan.lock: temporary failure: another svscan is running\n"
		if r.Code != 111 || r.Stderr != want {
			t.Errorf("second svscan %s: code %d, stderr %q; want 111, %q", arg, r.Code, r.Stderr, want)
		}
	}
	r := testutil.Run(t, testutil.Options{Dir: dir, Env: []string{"PATH=" + path}}, testutil.Bin(t, "svscan"))
	if want := "svscan: fatal: unable to acquire .svscan.lock: temporary failure: another svscan is running\n"; r.Code != 111 || r.Stderr != want {
		t.Errorf("second svscan without argument: code %d, stderr %q", r.Code, r.Stderr)
	}
	if got := scantest.Pid(a); got != pid {
		t.Errorf("service pid changed from %d to %d", pid, got)
	}
}

func TestChdirFailure(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "missing")
	for _, bin := range []string{testutil.Bin(t, "svscan"), testutil.Debian(t, "svscan")} {
		r := testutil.Run(t, testutil.Options{}, bin, dir)
		if want := "svscan: fatal: unable to chdir to " + dir + ": file does not exist\n"; r.Code != 111 || r.Stderr != want {
			t.Errorf("%s: code %d, stderr %q", bin, r.Code, r.Stderr)
		}
	}
}

// TestKillingSvscanLeavesServices: svscan catches no signal, and its
// supervise processes and services live on without it.
func TestKillingSvscanLeavesServices(t *testing.T) {
	t.Parallel()
	scantest.Need(t, "supervise")
	dir := t.TempDir()
	a := scantest.Service(t, dir, "a", scantest.Sleeper)
	p := quick(t, dir, a)
	scantest.WaitUp(t, 10*time.Second, a)
	svc := scantest.Pid(a)
	sup := scantest.Supervisors(p.Pid())[0].Pid
	// (Its exit status cannot be waited for here: the supervise processes
	// still hold the test's output pipes.)
	p.Signal(syscall.SIGTERM)
	testutil.Eventually(t, 10*time.Second, "svscan dead", func() (bool, string) {
		return !procfs.Alive(p.Pid()), "alive"
	})
	if !procfs.Alive(svc) || !procfs.Alive(sup) {
		t.Errorf("service %d alive %v, supervise %d alive %v", svc, procfs.Alive(svc), sup, procfs.Alive(sup))
	}
	scantest.Stop(t, []int{sup, svc}, a)
}
