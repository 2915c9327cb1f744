// Package scantest holds what the tests of svscan, svscanboot and
// readproctitle share: finding the programs (ours when built, else
// Debian's, so that svscan can be tested before our supervise, svc and
// multilog exist), building service directories, looking at processes
// through /proc, and taking a supervision tree down at the end of a test so
// that nothing is left behind.
package scantest

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/status"
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
	testutil.WriteFile(t, filepath.Join(d, "run"), run, 0o755)
	return d
}

// Sleeper is a run script that stays up doing nothing.
const Sleeper = "#!/bin/sh\nexec sleep 3600\n"

// Cmdline returns the arguments of pid as /proc shows them (nil if gone).
func Cmdline(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || len(b) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
}

// Cwd returns the working directory of pid.
func Cwd(pid int) string {
	s, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd")
	return s
}

// Proc is a live process below some root.
type Proc struct {
	Pid  int
	Args []string
	Cwd  string
}

// Below returns every process below root, reading /proc once (testutil's
// Descendants reads it once per process, too slow for thousands).
func Below(root int) []int {
	kids := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			ppid := testutil.PPid(pid)
			kids[ppid] = append(kids[ppid], pid)
		}
	}
	var out []int
	queue := []int{root}
	for len(queue) > 0 {
		k := kids[queue[0]]
		queue = append(queue[1:], k...)
		out = append(out, k...)
	}
	return out
}

// Tree returns the live (not zombie) processes below root.
func Tree(root int) []Proc {
	var out []Proc
	for _, pid := range Below(root) {
		if !testutil.Alive(pid) {
			continue
		}
		if args := Cmdline(pid); args != nil {
			out = append(out, Proc{Pid: pid, Args: args, Cwd: Cwd(pid)})
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

// Status reads dir/supervise/status.
func Status(dir string) (status.Status, error) {
	b, err := os.ReadFile(filepath.Join(dir, "supervise", "status"))
	if err != nil {
		return status.Status{}, err
	}
	return status.Decode(b)
}

// WaitUp waits until the service in every dir reports a running pid.
func WaitUp(t testing.TB, d time.Duration, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		testutil.Eventually(t, d, dir+" up", func() (bool, string) {
			st, err := Status(dir)
			if err != nil {
				return false, err.Error()
			}
			return st.Pid != 0, "pid 0"
		})
	}
}

// Pid returns the service pid supervise records in dir, or 0.
func Pid(dir string) int {
	st, err := Status(dir)
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
	below := Below(root)
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
		for testutil.Alive(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if testutil.Alive(pid) {
			t.Errorf("process %d %q still running after svc -dx: killed", pid, Cmdline(pid))
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

// Lines counts the lines of text equal to line.
func Lines(text, line string) int {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			n++
		}
	}
	return n
}

// Contains reports whether file holds sub.
func Contains(file, sub string) bool {
	b, _ := os.ReadFile(file)
	return bytes.Contains(b, []byte(sub))
}

// Usage is what a process has cost so far, all threads together.
type Usage struct {
	Ticks    int64 // utime+stime from /proc/PID/stat, in clock ticks (1/100 s)
	CPU      time.Duration
	Switches int64 // voluntary + involuntary context switches: wake-ups
}

// Add sums two usages.
func (u Usage) Add(v Usage) Usage {
	return Usage{u.Ticks + v.Ticks, u.CPU + v.CPU, u.Switches + v.Switches}
}

// Sub is u - v.
func (u Usage) Sub(v Usage) Usage {
	return Usage{u.Ticks - v.Ticks, u.CPU - v.CPU, u.Switches - v.Switches}
}

// UsageOf reads pid's usage: ticks from /proc/PID/stat, CPU time on-CPU
// from every /proc/PID/task/TID/schedstat (nanoseconds) and context
// switches from every /proc/PID/task/TID/status.
func UsageOf(pid int) Usage {
	var u Usage
	dir := "/proc/" + strconv.Itoa(pid)
	if b, err := os.ReadFile(dir + "/stat"); err == nil {
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) > 12 {
			ut, _ := strconv.ParseInt(f[11], 10, 64)
			st, _ := strconv.ParseInt(f[12], 10, 64)
			u.Ticks = ut + st
		}
	}
	tasks, _ := os.ReadDir(dir + "/task")
	for _, task := range tasks {
		td := dir + "/task/" + task.Name()
		if b, err := os.ReadFile(td + "/schedstat"); err == nil {
			if f := strings.Fields(string(b)); len(f) > 0 {
				ns, _ := strconv.ParseInt(f[0], 10, 64)
				u.CPU += time.Duration(ns)
			}
		}
		if b, err := os.ReadFile(td + "/status"); err == nil {
			for _, l := range strings.Split(string(b), "\n") {
				if k, v, ok := strings.Cut(l, ":"); ok && strings.HasSuffix(k, "ctxt_switches") {
					n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
					u.Switches += n
				}
			}
		}
	}
	return u
}

// Supervisors returns the supervise processes svscan pid started: its
// children named supervise. (A supervise that has just forked its service
// has a child still named supervise for a moment, so the whole tree would
// sometimes show one more.)
func Supervisors(pid int) []Proc {
	var out []Proc
	for _, c := range testutil.Children(pid) {
		if args := Cmdline(c); len(args) > 0 && filepath.Base(args[0]) == "supervise" && testutil.Alive(c) {
			out = append(out, Proc{Pid: c, Args: args, Cwd: Cwd(c)})
		}
	}
	return out
}
