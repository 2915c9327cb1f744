package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/procfs"
	"github.com/daemontools-go/daemontools/internal/scantest"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// svscan as PID 1 (issue 13), in both modes, under unshare --pid --fork
// --mount-proc: what Docker does.

// modes are the two ways svscan supervises: a supervise per service, or
// every service in svscan itself.
var modes = []struct {
	name string
	args []string
}{{"per-process", nil}, {"consolidated", []string{"-C"}}}

func eachMode(t *testing.T, f func(t *testing.T, args []string)) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			f(t, m.args)
		})
	}
}

// container is svscan as PID 1 of a new PID namespace.
type container struct {
	p      *testutil.Proc // unshare
	svscan int            // svscan's pid, seen from here
}

func startContainer(t *testing.T, dir string, args []string) *container {
	t.Helper()
	testutil.RequireRoot(t)
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("requires unshare (util-linux)")
	}
	path := scantest.Need(t, "supervise", "multilog")
	argv := append([]string{"--pid", "--fork", "--mount-proc", testutil.Bin(t, "svscan")}, args...)
	argv = append(argv, dir)
	p := testutil.Start(t, testutil.Options{Env: []string{"PATH=" + path}}, unshare, argv...)
	c := &container{p: p}
	testutil.Eventually(t, 10*time.Second, "svscan in the namespace", func() (bool, string) {
		for _, k := range procfs.LiveChildren(p.Pid()) {
			if a := procfs.Cmdline(k); len(a) > 0 && filepath.Base(a[0]) == "svscan" {
				c.svscan = k
				return true, ""
			}
		}
		return false, "not yet"
	})
	return c
}

func (c *container) signal(sig syscall.Signal) { syscall.Kill(c.svscan, sig) }

// loggedService is a service that writes numbered lines as fast as a shell can,
// exits 0 on TERM after saying so, and logs through multilog.
func loggedService(t *testing.T, dir, name string) string {
	// The trap only sets a flag, looked at between lines: a TERM between
	// i=$((i+1)) and its echo would otherwise say a line it never wrote.
	s := scantest.Service(t, dir, name, `#!/bin/sh
trap 'stop=1' TERM
i=0
while [ -z "$stop" ]; do i=$((i+1)); echo "line $i"; if [ $((i % 50)) = 0 ]; then sleep 0.01; fi; done
echo "got TERM after $i"
`)
	scantest.Service(t, s, "log", "#!/bin/sh\necho >> starts\nexec multilog ./main\n")
	return s
}

// startedOnce: the logger of s was not started again (during the stop, a
// logger that reached the end of its input before its supervisor read x
// would have been).
func startedOnce(t *testing.T, s string) {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(s, "log", "starts"))
	if n := strings.Count(string(b), "\n"); n != 1 {
		t.Errorf("%s/log started %d times", s, n)
	}
}

// checkLog: lines 1..N, none missing, then the last words.
func checkLog(t *testing.T, s string) {
	t.Helper()
	// A logger killed and started again archives what it had written
	// (@....u); the archives come first, in name order, then current.
	logDir := filepath.Join(s, "log", "main")
	names, _ := filepath.Glob(filepath.Join(logDir, "@*"))
	sort.Strings(names)
	var all []byte
	for _, f := range append(names, filepath.Join(logDir, "current")) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	lines := strings.Split(strings.TrimSuffix(string(all), "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "got TERM after ") {
		t.Fatalf("%s: last line %q", s, last)
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(last, "got TERM after "))
	if len(lines) != n+1 {
		var missing []string
		seen := map[string]bool{}
		for _, l := range lines {
			seen[l] = true
		}
		for i := 1; i <= n && len(missing) < 10; i++ {
			if !seen["line "+strconv.Itoa(i)] {
				missing = append(missing, strconv.Itoa(i))
			}
		}
		t.Fatalf("%s: %d lines before the last, want %d; missing %v...", s, len(lines)-1, n, missing)
	}
	for i, l := range lines[:n] {
		if l != "line "+strconv.Itoa(i+1) {
			t.Fatalf("%s: line %d is %q", s, i+1, l)
		}
	}
}

// SIGTERM to PID 1: every service stops, every line it logged is in its
// log, svscan exits 0 as soon as nothing is left (well before the 7 s);
// a second SIGTERM changes nothing.
func TestPID1OrderedStop(t *testing.T) {
	eachMode(t, func(t *testing.T, args []string) {
		dir := t.TempDir()
		var svcs []string
		for i := 0; i < 4; i++ {
			svcs = append(svcs, loggedService(t, dir, "s"+strconv.Itoa(i)))
		}
		c := startContainer(t, dir, args)
		for _, s := range svcs {
			testutil.Eventually(t, 10*time.Second, s+" logging", func() (bool, string) {
				b, _ := os.ReadFile(filepath.Join(s, "log", "main", "current"))
				return strings.Count(string(b), "\n") > 100, "not yet"
			})
		}
		begin := time.Now()
		c.signal(syscall.SIGTERM)
		c.signal(syscall.SIGTERM)
		if code := c.p.Wait(t, 20*time.Second); code != 0 {
			t.Errorf("exit %d; stderr %q", code, c.p.Stderr.String())
		}
		if took := time.Since(begin); took > 5*time.Second {
			t.Errorf("stopped in %v", took)
		}
		for _, s := range svcs {
			checkLog(t, s)
			startedOnce(t, s)
		}
	})
}

// A service that ignores TERM, with no timeout-kill: SIGKILL at 7 s, and
// svscan exits then; one that double-forks out of its session is found
// and killed too.
func TestPID1DefaultKill(t *testing.T) {
	eachMode(t, func(t *testing.T, args []string) {
		dir := t.TempDir()
		scantest.Service(t, dir, "stubborn", "#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 1; done\n")
		scantest.Service(t, dir, "escaper", "#!/bin/sh\nsetsid sh -c 'trap \"\" TERM; exec sleep 1000' &\nexec sleep 1000\n")
		c := startContainer(t, dir, args)
		testutil.Eventually(t, 10*time.Second, "both up", func() (bool, string) {
			return len(procfs.LiveDescendants(c.svscan)) >= 4, "not yet"
		})
		begin := time.Now()
		c.signal(syscall.SIGTERM)
		if code := c.p.Wait(t, 20*time.Second); code != 0 {
			t.Errorf("exit %d; stderr %q", code, c.p.Stderr.String())
		}
		if took := time.Since(begin); took < 6500*time.Millisecond || took > 10*time.Second {
			t.Errorf("stopped in %v, want about 7 s", took)
		}
	})
}

// shutdown-on-exit: when that service's run exits, everything stops and
// svscan exits with its code (128+signal when killed); the first of two
// decides.
func TestPID1ShutdownOnExit(t *testing.T) {
	eachMode(t, func(t *testing.T, args []string) {
		for _, c := range []struct {
			name, run string
			code      int
		}{
			{"exit3", "#!/bin/sh\necho main\nexit 3\n", 3},
			{"killed", "#!/bin/sh\nkill -USR1 $$\nsleep 5\n", 128 + 10},
		} {
			t.Run(c.name, func(t *testing.T) {
				dir := t.TempDir()
				main := scantest.Service(t, dir, "main", c.run)
				scantest.Service(t, main, "log", "#!/bin/sh\nexec multilog ./main\n")
				testutil.WriteFile(t, filepath.Join(main, "shutdown-on-exit"), "", 0o644)
				helper := loggedService(t, dir, "helper")
				ct := startContainer(t, dir, args)
				if code := ct.p.Wait(t, 20*time.Second); code != c.code {
					t.Errorf("exit %d, want %d; stderr %q", code, c.code, ct.p.Stderr.String())
				}
				checkLog(t, helper)
			})
		}
		// Two: the first to exit decides.
		dir := t.TempDir()
		for name, run := range map[string]string{"first": "#!/bin/sh\nexit 5\n", "second": "#!/bin/sh\nsleep 2\nexit 6\n"} {
			s := scantest.Service(t, dir, name, run)
			testutil.WriteFile(t, filepath.Join(s, "shutdown-on-exit"), "", 0o644)
		}
		ct := startContainer(t, dir, args)
		if code := ct.p.Wait(t, 20*time.Second); code != 5 {
			t.Errorf("two: exit %d, want 5", code)
		}
	})
}

// HUP, USR1, USR2, QUIT, WINCH never kill PID 1: forwarded to the service
// with shutdown-on-exit, otherwise ignored with a warning.
func TestPID1Signals(t *testing.T) {
	eachMode(t, func(t *testing.T, args []string) {
		dir := t.TempDir()
		main := scantest.Service(t, dir, "main", `#!/bin/sh
for s in HUP USR1 USR2 QUIT WINCH; do trap "echo $s >> got" $s; done
trap 'exit 0' TERM
while :; do sleep 0.1 & wait; done
`)
		c := startContainer(t, dir, args)
		testutil.Eventually(t, 10*time.Second, "main up", func() (bool, string) {
			return len(procfs.LiveDescendants(c.svscan)) >= 2, "not yet"
		})
		// Without shutdown-on-exit: ignored, with a warning.
		c.signal(syscall.SIGHUP)
		testutil.Eventually(t, 10*time.Second, "warning", func() (bool, string) {
			return strings.Contains(c.p.Stderr.String(), "svscan: warning: ignoring signal 1: no service with shutdown-on-exit runs"), c.p.Stderr.String()
		})
		testutil.WriteFile(t, filepath.Join(main, "shutdown-on-exit"), "", 0o644)
		for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGQUIT, syscall.SIGWINCH} {
			c.signal(sig)
		}
		testutil.Eventually(t, 10*time.Second, "forwarded", func() (bool, string) {
			b, _ := os.ReadFile(filepath.Join(main, "got"))
			return strings.Count(string(b), "\n") == 5, string(b)
		})
		if c.p.Exited() {
			t.Fatal("PID 1 died")
		}
		c.signal(syscall.SIGTERM)
		c.p.Wait(t, 20*time.Second)
	})
}

// A service that orphans 1,000 short-lived children: PID 1 reaps them.
func TestPID1Zombies(t *testing.T) {
	eachMode(t, func(t *testing.T, args []string) {
		dir := t.TempDir()
		scantest.Service(t, dir, "spawner", "#!/bin/sh\ni=0\nwhile [ $i -lt 1000 ]; do (true &) ; i=$((i+1)); done\necho done > done\nexec sleep 1000\n")
		c := startContainer(t, dir, args)
		testutil.Eventually(t, 60*time.Second, "spawned", func() (bool, string) {
			_, err := os.Stat(filepath.Join(dir, "spawner", "done"))
			return err == nil, "not yet"
		})
		testutil.Eventually(t, 10*time.Second, "no zombie", func() (bool, string) {
			z := 0
			for _, k := range procfs.Children(c.svscan) {
				if !procfs.Alive(k) {
					z++
				}
			}
			return z == 0, strconv.Itoa(z) + " zombies"
		})
		c.signal(syscall.SIGTERM)
		c.p.Wait(t, 20*time.Second)
	})
}

// A logger killed during the stop is started again and drains its pipe:
// no line lost.
func TestPID1LoggerKilledDuringStop(t *testing.T) {
	eachMode(t, func(t *testing.T, args []string) {
		dir := t.TempDir()
		s := scantest.Service(t, dir, "s", `#!/bin/sh
trap 'sleep 0.5; echo "got TERM after $i"; exit 0' TERM
i=0
while :; do i=$((i+1)); echo "line $i"; if [ $((i % 50)) = 0 ]; then sleep 0.01; fi; done
`)
		scantest.Service(t, s, "log", "#!/bin/sh\nexec multilog ./main\n")
		c := startContainer(t, dir, args)
		testutil.Eventually(t, 10*time.Second, "logging", func() (bool, string) {
			b, _ := os.ReadFile(filepath.Join(s, "log", "main", "current"))
			return strings.Count(string(b), "\n") > 100, "not yet"
		})
		c.signal(syscall.SIGTERM)
		for _, pid := range procfs.LiveDescendants(c.svscan) {
			if a := procfs.Cmdline(pid); len(a) > 0 && a[0] == "multilog" {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		if code := c.p.Wait(t, 20*time.Second); code != 0 {
			t.Errorf("exit %d", code)
		}
		checkLog(t, s)
	})
}

// A stop asked for while services are still being started: a supervise
// without its FIFOs yet cannot take the dx at once, and gets it when it
// can; svscan exits long before the 7-second kill.
func TestPID1StopDuringStartUp(t *testing.T) {
	eachMode(t, func(t *testing.T, args []string) {
		dir := t.TempDir()
		for i := 0; i < 40; i++ { // quiet services: the stop's mechanics alone are timed
			s := scantest.Service(t, dir, "s"+strconv.Itoa(i), scantest.Sleeper)
			scantest.Service(t, s, "log", "#!/bin/sh\nexec multilog ./main\n")
		}
		c := startContainer(t, dir, args)
		testutil.Eventually(t, 10*time.Second, "a first service up", func() (bool, string) {
			for i := 0; i < 40; i++ {
				if st, err := svtest.ReadStatus(filepath.Join(dir, "s"+strconv.Itoa(i))); err == nil && st.Pid != 0 {
					return true, ""
				}
			}
			return false, "none"
		})
		begin := time.Now()
		c.signal(syscall.SIGTERM)
		code := c.p.Wait(t, 30*time.Second)
		if took := time.Since(begin); code != 0 || took > 6*time.Second {
			t.Errorf("exit %d after %v; stderr %q", code, took, c.p.Stderr.String())
		}
	})
}

// A service taken out of the scanned directory but still supervised (the
// documented way to remove one, before its svc -dx) cannot be reached by
// name at the stop: its supervise and its logger's are killed at the
// 7-second deadline, and svscan exits.
func TestPID1StopReachesRemovedService(t *testing.T) {
	eachMode(t, func(t *testing.T, args []string) {
		root := t.TempDir()
		dir := filepath.Join(root, "service")
		os.Mkdir(dir, 0o755)
		s := scantest.Service(t, dir, "gone", scantest.Sleeper)
		scantest.Service(t, s, "log", "#!/bin/sh\nexec multilog ./main\n")
		c := startContainer(t, dir, args)
		scantest.WaitUp(t, 10*time.Second, s, s+"/log")
		if err := os.Rename(s, filepath.Join(root, "gone")); err != nil {
			t.Fatal(err)
		}
		begin := time.Now()
		c.signal(syscall.SIGTERM)
		code := c.p.Wait(t, 30*time.Second)
		if took := time.Since(begin); code != 0 || took > 10*time.Second {
			t.Errorf("exit %d after %v; stderr %q", code, took, c.p.Stderr.String())
		}
	})
}
