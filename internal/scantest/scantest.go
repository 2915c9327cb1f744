// Package scantest holds what the tests of svscan, svscanboot and
// readproctitle share: finding the programs (ours when built, else
// Debian's, so that svscan can be tested before our supervise, svc and
// multilog exist), building scanned directories, looking at the process
// tree below a scanner (through package procfs), and taking a supervision
// tree down at the end of a test so that nothing is left behind.
package scantest

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/procfs"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// Tool returns the path of our program name if it has been built, else
// Debian's (skipping the test when neither exists).
func Tool(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(testutil.BinDir(t), name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return testutil.Debian(t, name)
}

// Need skips the test unless every program in names can be found by Tool
// (ours or Debian's), and returns the PATH a service tree needs: our bin
// directory first, then Debian's.
func Need(t testing.TB, names ...string) string {
	t.Helper()
	for _, n := range names {
		Tool(t, n)
	}
	return Path(t)
}

// Path is our bin directory, then /usr/bin and /bin.
func Path(t testing.TB) string { return testutil.BinDir(t) + ":/usr/bin:/bin" }

// Env is an environment for svscan: PATH (ours first) and, unless interval
// is empty, the test-only scan interval.
func Env(t testing.TB, interval string) []string {
	env := []string{"PATH=" + Path(t)}
	if interval != "" {
		env = append(env, "SVSCAN_TEST_INTERVAL="+interval)
	}
	return env
}

// Service makes directory dir/name holding an executable run script.
func Service(t testing.TB, dir, name, run string) string {
	t.Helper()
	d := filepath.Join(dir, name)
	testutil.WriteFile(t, filepath.Join(d, layout.Run), run, 0o755)
	return d
}

// Sleeper is a run script that stays up doing nothing.
const Sleeper = "#!/bin/sh\nexec sleep 3600\n"

// Proc is a live process below some root.
type Proc struct {
	Pid  int
	Args []string
	Cwd  string
}

// Tree returns the live (not zombie) processes below root.
func Tree(root int) []Proc {
	var out []Proc
	for _, pid := range procfs.LiveDescendants(root) {
		if args := procfs.Cmdline(pid); args != nil {
			out = append(out, Proc{Pid: pid, Args: args, Cwd: procfs.Cwd(pid)})
		}
	}
	return out
}

// Named returns the processes of procs whose program (first argument,
// without directory) is name.
func Named(procs []Proc, name string) []Proc {
	var out []Proc
	for _, p := range procs {
		if filepath.Base(p.Args[0]) == name {
			out = append(out, p)
		}
	}
	return out
}

// WaitUp waits until the service in every dir reports a running pid.
func WaitUp(t testing.TB, d time.Duration, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		testutil.Eventually(t, d, dir+" up", func() (bool, string) {
			st, err := svtest.ReadStatus(dir)
			if err != nil {
				return false, err.Error()
			}
			return st.Pid != 0, "pid 0"
		})
	}
}

// Pid returns the service pid supervise records in dir, or 0.
func Pid(dir string) int {
	st, err := svtest.ReadStatus(dir)
	if err != nil {
		return 0
	}
	return int(st.Pid)
}

// StopTree takes down what svscan (or svscanboot) started: it kills root
// and every svscan below it (so that nothing is restarted), tells the
// supervise of every dir to stop its service and exit (svc -dx), and waits
// for every process that was below root to be gone, killing whatever is
// left after 10 seconds. Use it in t.Cleanup of every test that starts
// services.
func StopTree(t testing.TB, root int, dirs ...string) {
	t.Helper()
	below := procfs.LiveDescendants(root)
	scanners := Named(Tree(root), "svscan")
	syscall.Kill(root, syscall.SIGKILL) //nolint:errcheck
	for _, p := range scanners {
		syscall.Kill(p.Pid, syscall.SIGKILL) //nolint:errcheck
	}
	Stop(t, below, dirs...)
}

// Stop runs svc -dx over dirs and waits for the processes pids to be gone,
// killing them after 10 seconds.
func Stop(t testing.TB, pids []int, dirs ...string) {
	t.Helper()
	for len(dirs) > 0 {
		n := min(len(dirs), 500) // svc's argument list in pieces
		testutil.Run(t, testutil.Options{}, Tool(t, "svc"), append([]string{"-dx"}, dirs[:n]...)...)
		dirs = dirs[n:]
	}
	deadline := time.Now().Add(10*time.Second + time.Duration(len(pids))*time.Millisecond)
	for _, pid := range pids {
		for procfs.Alive(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if procfs.Alive(pid) {
			t.Errorf("process %d %q still running after svc -dx: killed", pid, procfs.Cmdline(pid))
			syscall.Kill(pid, syscall.SIGKILL) //nolint:errcheck
		}
	}
	// Orphans were re-parented to the test (testutil.Main makes it a
	// subreaper): reap these now rather than leave thousands of zombies.
	for _, pid := range pids {
		var ws syscall.WaitStatus
		syscall.Wait4(pid, &ws, syscall.WNOHANG, nil) //nolint:errcheck
	}
}

// Contains reports whether file holds sub.
func Contains(file, sub string) bool {
	b, _ := os.ReadFile(file)
	return bytes.Contains(b, []byte(sub))
}

// Supervisors returns the supervise processes svscan pid started: its
// children named supervise. (A supervise that has just forked its service
// has a child still named supervise for a moment, so the whole tree would
// sometimes show one more.)
func Supervisors(pid int) []Proc {
	var out []Proc
	for _, c := range procfs.LiveChildren(pid) {
		if args := procfs.Cmdline(c); len(args) > 0 && filepath.Base(args[0]) == "supervise" {
			out = append(out, Proc{Pid: c, Args: args, Cwd: procfs.Cwd(c)})
		}
	}
	return out
}
