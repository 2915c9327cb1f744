package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/lean"
	"github.com/daemontools-go/daemontools/internal/procfs"

	"github.com/daemontools-go/daemontools/internal/scantest"
	"github.com/daemontools-go/daemontools/internal/svscanboot"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// tree makes a scanned directory with services a and b, b with a log, and
// returns it with the three directories that get a supervise.
func tree(t *testing.T) (dir string, dirs []string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "service")
	a := scantest.Service(t, dir, "a", scantest.Sleeper)
	b := scantest.Service(t, dir, "b", scantest.Sleeper)
	scantest.Service(t, b, "log", scantest.Sleeper)
	return dir, []string{a, b, b + "/log"}
}

// boot starts our svscanboot over dir and registers the clean-up.
func boot(t *testing.T, dir string, dirs []string) *testutil.Proc {
	t.Helper()
	scantest.Need(t, "supervise", "svc")
	p := testutil.Start(t, testutil.Options{}, testutil.Bin(t, "svscanboot"), dir)
	t.Cleanup(func() { scantest.StopTree(t, p.Pid(), dirs...) })
	scantest.WaitUp(t, 15*time.Second, dirs...)
	return p
}

func only(t *testing.T, procs []scantest.Proc, what string) scantest.Proc {
	t.Helper()
	if len(procs) != 1 {
		t.Fatalf("%d %s processes, want 1: %v", len(procs), what, procs)
	}
	return procs[0]
}

func fd(pid, n int) string {
	s, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/fd/" + strconv.Itoa(n))
	return s
}

// environ returns the environment pid was given, one variable a line:
// what /proc shows minus what a re-exec added for the Go runtime (see
// package lean), which the program's children do not get either.
func environ(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	env := strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
	if added, ok := lean.Lookup(env, lean.Var); ok {
		env = lean.Without(env, append([]string{lean.Var}, strings.Split(added, ",")...))
	}
	return strings.Join(env, "\n") + "\n"
}

// TestPsPicture: svscanboot's children are one svscan and one
// readproctitle, with the script's environment and descriptors; one
// supervise per service and per log; svscan's errors in readproctitle's
// title.
func TestPsPicture(t *testing.T) {
	t.Parallel()
	dir, dirs := tree(t)
	os.Symlink("/nonexistent", filepath.Join(dir, "dangling"))
	p := boot(t, dir, dirs)

	all := scantest.Tree(p.Pid())
	scan := only(t, scantest.Named(all, "svscan"), "svscan")
	rpt := only(t, scantest.Named(all, "readproctitle"), "readproctitle")
	for _, c := range []scantest.Proc{scan, rpt} {
		if procfs.PPid(c.Pid) != p.Pid() {
			t.Errorf("%s is not svscanboot's child", c.Args[0])
		}
	}
	if got := strings.Join(scan.Args, " "); got != "svscan "+dir {
		t.Errorf("svscan argv %q", got)
	}
	if len(rpt.Args) != 4 || rpt.Args[1] != "service" || rpt.Args[2] != "errors:" || len(rpt.Args[3]) != 400 {
		t.Errorf("readproctitle argv %q", rpt.Args)
	}
	if sup := scantest.Supervisors(scan.Pid); len(sup) != 3 {
		t.Errorf("%d supervise processes, want 3: %v", len(sup), sup)
	}
	wantEnv := "PATH=" + svscanboot.Path(testutil.Bin(t, "svscanboot")) + "\n"
	for _, c := range []scantest.Proc{scan, rpt} {
		if got := environ(c.Pid); got != wantEnv {
			t.Errorf("%s environment %q, want %q", c.Args[0], got, wantEnv)
		}
	}
	pipe := fd(scan.Pid, 1)
	if !strings.HasPrefix(pipe, "pipe:") || fd(scan.Pid, 2) != pipe || fd(rpt.Pid, 0) != pipe {
		t.Errorf("svscan 1>%s 2>%s, readproctitle <%s: not one pipe", pipe, fd(scan.Pid, 2), fd(rpt.Pid, 0))
	}
	for _, f := range []string{fd(scan.Pid, 0), fd(rpt.Pid, 1), fd(rpt.Pid, 2)} {
		if f != "/dev/null" {
			t.Errorf("svscan's stdin and readproctitle's output must be /dev/null, got %s", f)
		}
	}
	lock := filepath.Join(dir, ".svscan.lock")
	if fd(scan.Pid, 3) != lock {
		t.Errorf("svscan fd 3 %q, want the lock %s", fd(scan.Pid, 3), lock)
	}
	ents, _ := os.ReadDir("/proc/" + strconv.Itoa(p.Pid()) + "/fd")
	for _, e := range ents {
		if n, _ := strconv.Atoi(e.Name()); fd(p.Pid(), n) == lock {
			t.Errorf("svscanboot still holds the lock")
		}
	}
	// svscan's warning shows in readproctitle's title.
	testutil.Eventually(t, 10*time.Second, "the warning in the process title", func() (bool, string) {
		args := procfs.Cmdline(rpt.Pid)
		last := args[len(args)-1]
		return strings.HasPrefix(last, "...") && len(last) == 400 &&
			strings.Contains(last, "svscan: warning: unable to stat dangling: file does not exist\n"), last
	})
}

// TestSecondInstanceRefused: a second svscanboot (or svscan) on the same
// directory says so and exits 111 before touching the running services.
func TestSecondInstanceRefused(t *testing.T) {
	t.Parallel()
	dir, dirs := tree(t)
	p := boot(t, dir, dirs)
	pids := map[string]int{}
	for _, d := range dirs {
		pids[d] = scantest.Pid(d)
	}
	children := func() string {
		var s []string
		for _, c := range scantest.Named(scantest.Tree(p.Pid()), "svscan") {
			s = append(s, strconv.Itoa(c.Pid))
			for _, k := range scantest.Supervisors(c.Pid) {
				s = append(s, strconv.Itoa(k.Pid))
			}
		}
		for _, c := range scantest.Named(scantest.Tree(p.Pid()), "readproctitle") {
			s = append(s, strconv.Itoa(c.Pid))
		}
		return strings.Join(s, " ")
	}
	before := children()
	for _, prog := range []string{"svscanboot", "svscan"} {
		r := testutil.Run(t, testutil.Options{}, testutil.Bin(t, prog), dir)
		want := prog + ": fatal: unable to acquire " + dir + "/.svscan.lock: temporary failure: another svscan is running\n"
		if r.Code != 111 || r.Stderr != want {
			t.Errorf("second %s: code %d, stderr %q, want 111 and %q", prog, r.Code, r.Stderr, want)
		}
	}
	for _, d := range dirs {
		if got := scantest.Pid(d); got != pids[d] || !procfs.Alive(got) {
			t.Errorf("%s: service pid %d, was %d", d, got, pids[d])
		}
	}
	if after := children(); after != before {
		t.Errorf("svscan, supervise and readproctitle pids %q, were %q", after, before)
	}
}

// servicesIn counts the running `sleep` services whose directory is d.
func servicesIn(d string) int {
	n := 0
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || procfs.Cwd(pid) != d || !procfs.Alive(pid) {
			continue
		}
		if args := procfs.Cmdline(pid); len(args) > 0 && filepath.Base(args[0]) == "sleep" {
			n++
		}
	}
	return n
}

// TestTakeover: killing svscan leaves every service running and makes
// svscanboot exit 111; a new svscanboot stops the leftovers and its svscan
// takes over, with never two copies of a service at once.
func TestTakeover(t *testing.T) {
	t.Parallel()
	dir, dirs := tree(t)
	p := boot(t, dir, dirs)
	all := scantest.Tree(p.Pid())
	scan := only(t, scantest.Named(all, "svscan"), "svscan")
	oldRpt := only(t, scantest.Named(all, "readproctitle"), "readproctitle")
	oldSup := scantest.Supervisors(scan.Pid)
	oldSvc := map[string]int{}
	for _, d := range dirs {
		oldSvc[d] = scantest.Pid(d)
	}

	syscall.Kill(scan.Pid, syscall.SIGKILL)
	if code := p.Wait(t, 10*time.Second); code != 111 {
		t.Errorf("svscanboot exit %d, want 111", code)
	}
	if want := "svscanboot: fatal: svscan was killed by signal 9\n"; p.Stderr.String() != want {
		t.Errorf("svscanboot said %q, want %q", p.Stderr.String(), want)
	}
	for _, d := range dirs {
		if !procfs.Alive(oldSvc[d]) {
			t.Errorf("%s: service died with svscan", d)
		}
	}

	// Sample the services while a new svscanboot takes over.
	stop := make(chan struct{})
	dup := make(chan string, 1)
	go func() {
		for {
			select {
			case <-stop:
				close(dup)
				return
			default:
			}
			for _, d := range dirs {
				if servicesIn(d) > 1 {
					select {
					case dup <- d:
					default:
					}
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	q := testutil.Start(t, testutil.Options{}, testutil.Bin(t, "svscanboot"), dir)
	t.Cleanup(func() { scantest.StopTree(t, q.Pid(), dirs...) })
	for _, d := range dirs {
		testutil.Eventually(t, 20*time.Second, d+" taken over", func() (bool, string) {
			pid := scantest.Pid(d)
			return pid != 0 && pid != oldSvc[d], "old pid " + strconv.Itoa(pid)
		})
	}
	close(stop)
	if d, ok := <-dup; ok {
		t.Errorf("two copies of %s ran at once", d)
	}
	for _, s := range oldSup {
		if procfs.Alive(s.Pid) {
			t.Errorf("old supervise %d %v still running", s.Pid, s.Args)
		}
	}
	testutil.Eventually(t, 10*time.Second, "old readproctitle gone", func() (bool, string) {
		return !procfs.Alive(oldRpt.Pid), "alive"
	})
	all = scantest.Tree(q.Pid())
	scan = only(t, scantest.Named(all, "svscan"), "svscan")
	only(t, scantest.Named(all, "readproctitle"), "readproctitle")
	if sup := scantest.Supervisors(scan.Pid); len(sup) != 3 {
		t.Errorf("%d supervise processes, want 3: %v", len(sup), sup)
	}
	for _, d := range dirs {
		if n := servicesIn(d); n != 1 {
			t.Errorf("%s: %d copies running", d, n)
		}
	}
}

// TestStopOnTerm: SIGTERM stops svscan, the services, then the logs, and
// svscanboot exits 0 with nothing left running.
func TestStopOnTerm(t *testing.T) {
	t.Parallel()
	dir, dirs := tree(t)
	p := boot(t, dir, dirs)
	below := procfs.LiveDescendants(p.Pid())
	p.Signal(syscall.SIGTERM)
	if code := p.Wait(t, 20*time.Second); code != 0 {
		t.Errorf("svscanboot exit %d after TERM, want 0; stderr %q", code, p.Stderr.String())
	}
	for _, d := range dirs {
		if svscanboot.Running(d) {
			t.Errorf("%s: supervise still running", d)
		}
	}
	testutil.Eventually(t, 10*time.Second, "every process gone", func() (bool, string) {
		for _, pid := range below {
			if procfs.Alive(pid) {
				return false, strings.Join(procfs.Cmdline(pid), " ")
			}
		}
		return true, ""
	})
}

// A scanned directory that does not exist: the message says so.
func TestMissingDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nope")
	r := testutil.Run(t, testutil.Options{}, testutil.Bin(t, "svscanboot"), dir)
	want := "svscanboot: fatal: unable to open " + dir + ": file does not exist\n"
	if r.Code != 111 || r.Stderr != want {
		t.Errorf("exit %d, stderr %q; want 111, %q", r.Code, r.Stderr, want)
	}
}

// svscanboot -C: svscan -C supervises everything itself (no supervise
// process); TERM stops the services, then their logs, and svscanboot
// exits 0 with nothing left; SIGALRM reaches svscan.
func TestConsolidated(t *testing.T) {
	t.Parallel()
	scantest.Need(t, "svscan", "readproctitle")
	dir, dirs := tree(t)
	p := testutil.Start(t, testutil.Options{}, testutil.Bin(t, "svscanboot"), "-C", dir)
	t.Cleanup(func() { scantest.StopTree(t, p.Pid(), dirs...) })
	scantest.WaitUp(t, 15*time.Second, dirs...)
	all := scantest.Tree(p.Pid())
	scan := only(t, scantest.Named(all, "svscan"), "svscan")
	if got := strings.Join(scan.Args[:4], " "); !strings.HasSuffix(got, "svscan -C -P "+dir) {
		t.Errorf("svscan runs as %q", scan.Args)
	}
	if n := len(scantest.Named(all, "supervise")); n != 0 {
		t.Errorf("%d supervise processes under svscan -C", n)
	}
	// SIGALRM: a new service is picked up at once even without inotify
	// (it is on anyway; this only checks that svscan survives it).
	p.Signal(syscall.SIGALRM)
	p.Signal(syscall.SIGTERM)
	if code := p.Wait(t, 20*time.Second); code != 0 {
		t.Errorf("exit %d; stderr %q", code, p.Stderr.String())
	}
	if left := procfs.LiveDescendants(p.Pid()); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	for _, d := range dirs {
		if svscanboot.Running(d) {
			t.Errorf("%s still supervised", d)
		}
	}
}
