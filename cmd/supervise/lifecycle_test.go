package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/procfs"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svstate"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// The lifecycle files (issue 10): our supervision code only (supervise and
// svscan -C); Debian's has none.

// withArg returns the live processes whose command line holds arg.
func withArg(arg string) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || !procfs.Alive(pid) {
			continue
		}
		b, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		for _, a := range strings.Split(string(b), "\x00") {
			if a == arg {
				out = append(out, pid)
				break
			}
		}
	}
	return out
}

// waitNone waits until no process has arg on its command line.
func waitNone(t *testing.T, arg string, d time.Duration) {
	t.Helper()
	testutil.Eventually(t, d, "no process with "+arg, func() (bool, string) {
		left := withArg(arg)
		return len(left) == 0, "left: " + strings.Trim(strings.Join(strings.Fields(strings.Repeat("x ", 0)+strings.Trim(strings.Replace(fmtInts(left), " ", " ", -1), " ")), " "), " ")
	})
}

func fmtInts(v []int) string {
	var b strings.Builder
	for _, n := range v {
		b.WriteString(strconv.Itoa(n))
		b.WriteByte(' ')
	}
	return b.String()
}

// marker is a sleep argument no other test uses: its processes can be
// counted through /proc.
func marker(t *testing.T) string {
	return "1" + strconv.Itoa(int(time.Now().UnixNano()%1e6)) + "." + strconv.Itoa(os.Getpid()%1000)
}

// state is state.json once it agrees with the 18-byte record (supervise
// writes the record first, state.json right after).
func state(t *testing.T, s *svtest.Service) svstate.Doc {
	t.Helper()
	return waitState(t, s, "state.json", func(svstate.Doc) bool { return true })
}

func waitState(t *testing.T, s *svtest.Service, what string, cond func(d svstate.Doc) bool) svstate.Doc {
	t.Helper()
	var d svstate.Doc
	testutil.Eventually(t, svtest.Deadline, what, func() (bool, string) {
		p := svstate.Probe(s.Dir)
		d = p.Doc
		return p.Source == svstate.FromState && cond(d), d.State + " pid " + strconv.Itoa(d.Pid)
	})
	return d
}

// A service that ignores TERM, with timeout-kill: gone soon after svc -d.
func TestTimeoutKill(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", "#!/bin/sh\ntrap '' TERM\necho started > started\nwhile :; do sleep 1; done\n")
		testutil.WriteFile(t, s.Path("timeout-kill"), "500\n", 0o644)
		m.Start(t, s, env()...)
		up := s.WaitUp(t, 0)
		testutil.Eventually(t, svtest.Deadline, "trap set", func() (bool, string) {
			_, err := os.Stat(s.Path("started"))
			return err == nil, ""
		})
		// The d waits for the end of the second after the start.
		s.WaitStatus(t, "a second up", func(st status.Status) bool {
			return st.Pid != 0 && time.Since(st.When.Time()) > 1100*time.Millisecond
		})
		begin := time.Now()
		s.Control(t, "d")
		waitState(t, s, "stopping", func(d svstate.Doc) bool { return d.State == svstate.Stopping })
		s.WaitDown(t)
		took := time.Since(begin)
		if took < 450*time.Millisecond || took > 5*time.Second {
			t.Errorf("down %v after svc -d with timeout-kill 500", took)
		}
		d := waitState(t, s, "down", func(d svstate.Doc) bool { return d.State == svstate.Down })
		if d.LastExit == nil || d.LastExit.Signal == nil || *d.LastExit.Signal != 9 {
			t.Errorf("last exit %+v", d.LastExit)
		}
		if procfs.Alive(int(up.Pid)) {
			t.Error("service alive")
		}
	})
}

// A service that backgrounds a child and execs, one that backgrounds and
// exits, one whose child leaves the session: nothing is left after svc -d.
func TestStopLeavesNothing(t *testing.T) {
	for name, run := range map[string]string{
		"bg-exec":   "#!/bin/sh\nsleep MARK &\nexec sleep 1000\n",
		"bg-exit":   "#!/bin/sh\nsleep MARK &\nexit 0\n",
		"setsid":    "#!/bin/sh\nsetsid sleep MARK &\nexec sleep 1000\n",
		"no-setsid": "#!/bin/sh\nsleep MARK &\nexec sleep 1000\n",
	} {
		t.Run(name, func(t *testing.T) {
			eachOurMode(t, func(t *testing.T, m svtest.Mode) {
				mark := marker(t) + name[:2]
				mark = strings.TrimRight(mark, "abcdefghijklmnopqrstuvwxyz-") + strconv.Itoa(len(name)) + strconv.Itoa(len(m.Name))
				s := svtest.NewService(t, "s", strings.ReplaceAll(run, "MARK", mark))
				if name == "no-setsid" {
					testutil.WriteFile(t, s.Path("no-setsid"), "", 0o644)
				}
				m.Start(t, s, env()...)
				s.WaitUp(t, 0)
				testutil.Eventually(t, svtest.Deadline, "background child", func() (bool, string) {
					return len(withArg(mark)) > 0, ""
				})
				if name == "bg-exit" { // let it leave a few
					testutil.Eventually(t, svtest.Deadline, "three children", func() (bool, string) {
						return len(withArg(mark)) >= 3, fmtInts(withArg(mark))
					})
				}
				s.Control(t, "d")
				s.WaitDown(t)
				waitNone(t, mark, svtest.Deadline)
			})
		})
	}
}

// finish gets "1 0 NAME" for exit 1 and "256 9 NAME" for SIGKILL, runs
// with the service counted as down, and the service restarts after it.
func TestFinishArguments(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", "#!/bin/sh\nif [ -e first ]; then exec sleep 1000; fi\ntouch first\nexit 1\n")
		testutil.WriteFile(t, s.Path("finish"), "#!/bin/sh\necho \"$@\" >> finished\nsleep 0.3\n", 0o755)
		m.Start(t, s, env()...)
		first := s.WaitUp(t, 0)
		second := s.WaitUp(t, first.Pid)
		syscall.Kill(int(second.Pid), syscall.SIGKILL)
		s.WaitUp(t, second.Pid)
		testutil.Eventually(t, svtest.Deadline, "two finishes", func() (bool, string) {
			b, _ := os.ReadFile(s.Path("finished"))
			return strings.Count(string(b), "\n") == 2, string(b)
		})
		b, _ := os.ReadFile(s.Path("finished"))
		if string(b) != "1 0 s\n256 9 s\n" {
			t.Errorf("finish got %q", b)
		}
	})
}

// While finish runs the status says down (pid 0) and state.json finishing;
// letters for the service are ignored, d takes effect after.
func TestFinishing(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", "#!/bin/sh\nexec sleep 1000\n")
		testutil.WriteFile(t, s.Path("finish"), "#!/bin/sh\ntouch finishing\nexec sleep 1000\n", 0o755)
		testutil.WriteFile(t, s.Path("timeout-finish"), "0\n", 0o644)
		p := m.Start(t, s, env()...)
		s.WaitUp(t, 0)
		s.Control(t, "t")
		d := waitState(t, s, "finishing", func(d svstate.Doc) bool { return d.State == svstate.Finishing })
		if st := s.Status(t); st.Pid != 0 || d.Pid != 0 {
			t.Errorf("finishing: status pid %d, state pid %d", st.Pid, d.Pid)
		}
		s.Control(t, "kd")
		testutil.Eventually(t, svtest.Deadline, "want down", func() (bool, string) {
			return s.Status(t).Want == status.WantDown, ""
		})
		if d := state(t, s); d.State != svstate.Finishing {
			t.Errorf("finish killed by a letter: %s", d.State)
		}
		// End finish (once it has become its sleep): the service stays down.
		testutil.Eventually(t, svtest.Deadline, "finish's sleep", func() (bool, string) {
			for _, pid := range procfs.Children(p.Pid()) {
				if b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); strings.HasPrefix(string(b), "sleep\x001000") {
					return syscall.Kill(pid, syscall.SIGTERM) == nil, ""
				}
			}
			return false, "no sleep 1000 among the supervisor's children"
		})
		waitState(t, s, "down after finish", func(d svstate.Doc) bool { return d.State == svstate.Down })
	})
}

// A finish that hangs is killed after timeout-finish; a finish that cannot
// run, that forks and exits, or that writes 10 MB: the service goes on.
func TestFinishBad(t *testing.T) {
	for name, finish := range map[string]string{
		"hangs":        "#!/bin/sh\nexec sleep 1000\n",
		"not-exec":     "",
		"forks":        "#!/bin/sh\nsleep 1000 &\nexit 0\n",
		"writes-10MB":  "#!/bin/sh\nhead -c 10485760 /dev/zero | tr '\\0' 'x'\n",
		"garbage-exit": "#!/bin/sh\nexit 7\n",
	} {
		t.Run(name, func(t *testing.T) {
			eachOurMode(t, func(t *testing.T, m svtest.Mode) {
				s := svtest.NewService(t, "s", "#!/bin/sh\necho run >> runs\nexec sleep 0.2\n")
				if finish == "" {
					testutil.WriteFile(t, s.Path("finish"), "#!/bin/sh\nexit 0\n", 0o644)
				} else {
					testutil.WriteFile(t, s.Path("finish"), finish, 0o755)
				}
				testutil.WriteFile(t, s.Path("timeout-finish"), "300", 0o644)
				p := m.Start(t, s, env()...)
				testutil.Eventually(t, 3*svtest.Deadline, "three runs", func() (bool, string) {
					b, _ := os.ReadFile(s.Path("runs"))
					return strings.Count(string(b), "run\n") >= 3, string(b)
				})
				if name == "not-exec" && !strings.Contains(p.Stderr(), m.Diag("supervise: warning: unable to start s/finish: access denied")) {
					t.Errorf("stderr %q", p.Stderr())
				}
			})
		})
	}
}

// finish exit 125: down for good (state failed), until svc -u.
func TestFinish125(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", "#!/bin/sh\necho run >> runs\nexit 3\n")
		testutil.WriteFile(t, s.Path("finish"), "#!/bin/sh\nexit 125\n", 0o755)
		m.Start(t, s, env()...)
		d := waitState(t, s, "failed", func(d svstate.Doc) bool { return d.State == svstate.Failed })
		if d.Want != svstate.WantDown || d.LastExit == nil || d.LastExit.Code == nil || *d.LastExit.Code != 3 {
			t.Errorf("failed: %+v", d)
		}
		if st := s.Status(t); st.Want != status.WantDown || st.Pid != 0 {
			t.Errorf("status %s", svtest.Describe(st))
		}
		b, _ := os.ReadFile(s.Path("runs"))
		s.Control(t, "u")
		testutil.Eventually(t, svtest.Deadline, "run again after u", func() (bool, string) {
			c, _ := os.ReadFile(s.Path("runs"))
			return len(c) > len(b), string(c)
		})
	})
}

// A crash loop backs off: the waits between starts double up to the cap;
// d cancels the wait at once; u starts at once.
func TestBackoff(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", "#!/bin/sh\nexit 1\n")
		testutil.WriteFile(t, s.Path("restart-delay"), "100\n", 0o644)
		testutil.WriteFile(t, s.Path("restart-delay-max"), "800\n", 0o644)
		m.Start(t, s, env()...)
		var starts []time.Time
		seen := map[time.Time]bool{}
		testutil.Eventually(t, 2*svtest.Deadline, "six starts", func() (bool, string) {
			// Each exit shows in state.json, with how long the instance ran.
			p := svstate.Probe(s.Dir)
			if p.Source == svstate.FromState && p.Doc.LastExit != nil && !seen[p.Doc.LastExit.At] {
				seen[p.Doc.LastExit.At] = true
				at := p.Doc.LastExit.At.Add(-time.Duration(p.Doc.LastExit.RanMs) * time.Millisecond)
				starts = append(starts, at)
			}
			return len(starts) >= 6, strconv.Itoa(len(starts))
		})
		d := state(t, s)
		if d.State != svstate.Backoff && d.State != svstate.Down && d.State != svstate.Up {
			t.Errorf("state %s", d.State)
		}
		// Waits: 100 200 400 800 800 ms (each counted from the previous start).
		want := []time.Duration{100, 200, 400, 800, 800}
		for i := 1; i < len(starts) && i <= len(want); i++ {
			got := starts[i].Sub(starts[i-1])
			if w := want[i-1] * time.Millisecond; got < w-20*time.Millisecond || got > w+700*time.Millisecond {
				t.Errorf("wait %d: %v, want about %v", i, got, w)
			}
		}
		waitState(t, s, "backoff", func(d svstate.Doc) bool { return d.State == svstate.Backoff && d.BackoffUntil != nil })
		s.Control(t, "d")
		waitState(t, s, "down", func(d svstate.Doc) bool { return d.State == svstate.Down && d.BackoffUntil == nil })
	})
}

// down-signal replaces TERM for svc -d, CONT follows; r sends it too and
// the service restarts.
func TestDownSignalAndRestart(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", trapper+"")
		testutil.WriteFile(t, s.Path("down-signal"), "SIGUSR1\n", 0o644)
		// The trapper exits on TERM only: USR1 is logged; with timeout-kill
		// the stop still ends it.
		testutil.WriteFile(t, s.Path("timeout-kill"), "300", 0o644)
		m.Start(t, s, env()...)
		up := s.WaitUp(t, 0)
		waitStarted(t, s, up.Pid)
		s.Control(t, "r")
		waitSignal(t, s, up.Pid, "USR1")
		waitSignal(t, s, up.Pid, "CONT")
		if st := s.Status(t); st.Pid != up.Pid {
			t.Errorf("r restarted a service that ignores its down signal")
		}
		s.Control(t, "d")
		s.WaitDown(t)
		got := signalsOf(t, s, up.Pid)
		if strings.Contains(strings.Join(got, " "), "TERM") {
			t.Errorf("TERM sent: %v", got)
		}
		// r with the default (TERM): restarts.
		os.Remove(s.Path("down-signal"))
		s.Control(t, "u")
		next := s.WaitUp(t, 0)
		waitStarted(t, s, next.Pid)
		s.Control(t, "r")
		waitSignal(t, s, next.Pid, "TERM")
		s.WaitUp(t, next.Pid)
	})
}

// With no-setsid the service stays in supervise's process group (0.76).
func TestNoSetsid(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", "#!/bin/sh\nexec sleep 1000\n")
		testutil.WriteFile(t, s.Path("no-setsid"), "", 0o644)
		p := m.Start(t, s, env()...)
		pid := int(s.WaitUp(t, 0).Pid)
		pg, _ := syscall.Getpgid(pid)
		spg, _ := syscall.Getpgid(p.Pid())
		if pg != spg {
			t.Errorf("service in group %d, supervise in %d", pg, spg)
		}
		if d := state(t, s); d.Pgid != spg {
			t.Errorf("state.json pgid %d", d.Pgid)
		}
	})
}

// Garbage in every file: a warning naming it, the default, never a crash.
func TestBadLifecycleFiles(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", "#!/bin/sh\nexec sleep 1000\n")
		testutil.WriteFile(t, s.Path("timeout-kill"), "abc", 0o644)
		testutil.WriteFile(t, s.Path("restart-delay"), "-5", 0o644)
		testutil.WriteFile(t, s.Path("restart-delay-max"), "18446744073709551616", 0o644)
		testutil.WriteFile(t, s.Path("down-signal"), "NOPE\n", 0o644)
		testutil.WriteFile(t, s.Path("notification-fd"), "1", 0o644)
		if err := os.Mkdir(s.Path("timeout-finish"), 0o755); err != nil {
			t.Fatal(err)
		}
		p := m.Start(t, s, env()...)
		up := s.WaitUp(t, 0)
		s.Control(t, "d")
		s.WaitDown(t)
		if procfs.Alive(int(up.Pid)) {
			t.Error("TERM not sent")
		}
		for _, w := range []string{
			"supervise: warning: ignoring s/timeout-kill: not a number of milliseconds",
			"supervise: warning: ignoring s/restart-delay: not a number of milliseconds",
			"supervise: warning: ignoring s/restart-delay-max: not a number of milliseconds",
			"supervise: warning: ignoring s/down-signal: not a signal name or number; sending TERM",
			"supervise: warning: ignoring s/notification-fd: not a descriptor number from 3 to 1023",
			"supervise: warning: unable to read s/timeout-finish: is a directory",
		} {
			if !strings.Contains(p.Stderr(), m.Diag(w)+"\n") {
				t.Errorf("no %q in\n%s", m.Diag(w), p.Stderr())
			}
		}
	})
}

// supervise killed with SIGKILL and started again adopts the instance
// still running instead of starting a second one: same pid, same start
// time, signalled through svc, restarted when it ends.
func TestAdoptAfterKill(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", trapper)
		p := m.Start(t, s, env()...)
		up := s.WaitUp(t, 0)
		waitStarted(t, s, up.Pid)
		p.Signal(syscall.SIGKILL)
		p.Wait(t, svtest.Deadline)
		if !procfs.Alive(int(up.Pid)) {
			t.Fatal("service died with supervise")
		}
		p2 := m.Start(t, s, env()...)
		st := s.WaitUp(t, 0)
		if st.Pid != up.Pid || st.When != up.When {
			t.Fatalf("after restart: %s, want pid %d from %v", svtest.Describe(st), up.Pid, up.When)
		}
		if n := len(withArg(filepath.Join(s.Dir, "run"))) + countRun(s); n > 1 {
			t.Errorf("%d instances", n)
		}
		s.Control(t, "h")
		waitSignal(t, s, up.Pid, "HUP")
		s.Control(t, "t")
		next := s.WaitUp(t, up.Pid)
		waitStarted(t, s, next.Pid)
		d := waitState(t, s, "the new instance", func(d svstate.Doc) bool { return d.Pid == int(next.Pid) })
		if d.LastExit == nil || d.LastExit.Code != nil || d.LastExit.Signal != nil {
			t.Errorf("adopted exit should be unknown: %+v", d.LastExit)
		}
		s.Control(t, "dx")
		p2.WaitEnded(t)
	})
}

// countRun counts the trapper instances of s (their shell runs ./run). A
// shell's child between its fork and its exec (the trapper's sleeps) looks
// the same: a match whose parent matches too is not counted.
func countRun(s *svtest.Service) int {
	parents := map[int]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cwd, _ := os.Readlink("/proc/" + e.Name() + "/cwd")
		b, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if cwd == s.Dir && strings.Contains(string(b), "./run") {
			parents[pid] = procfs.PPid(pid)
		}
	}
	n := 0
	for _, ppid := range parents {
		if _, forked := parents[ppid]; !forked {
			n++
		}
	}
	return n
}

// notification-fd: not ready until the newline on fd 3, ready after;
// reset at every start.
func TestNotificationFD(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", "#!/bin/sh\nwhile [ ! -e go ]; do sleep 0.05; done\nrm go\nprintf 'x\\n' >&3\nexec sleep 1000\n")
		testutil.WriteFile(t, s.Path("notification-fd"), "3\n", 0o644)
		m.Start(t, s, env()...)
		up := s.WaitUp(t, 0)
		d := waitState(t, s, "up, not ready", func(d svstate.Doc) bool { return d.State == svstate.Up && d.Pid == int(up.Pid) })
		if d.Ready || d.ReadySince != nil {
			t.Fatalf("ready before the newline: %+v", d)
		}
		os.WriteFile(s.Path("go"), nil, 0o644)
		d = waitState(t, s, "ready", func(d svstate.Doc) bool { return d.Ready })
		if d.ReadySince == nil || d.ReadySince.Before(up.When.Time().Add(-time.Second)) {
			t.Errorf("ready since %v", d.ReadySince)
		}
		s.Control(t, "t")
		next := s.WaitUp(t, up.Pid)
		d = waitState(t, s, "new instance not ready", func(d svstate.Doc) bool { return d.Pid == int(next.Pid) })
		if d.Ready {
			t.Error("readiness survived the restart")
		}
		os.WriteFile(s.Path("go"), nil, 0o644)
		waitState(t, s, "ready again", func(d svstate.Doc) bool { return d.Ready && d.Pid == int(next.Pid) })
	})
}

// notify-socket: a daemon built for systemd's Type=notify (sd_notify,
// here the test binary, and systemd-notify when installed) works
// unchanged: READY=1, STATUS=, RELOADING=1; garbage and strangers are not
// believed.
func TestNotifySocket(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		self, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		s := svtest.NewService(t, "s", `#!/bin/sh
	while [ ! -e go ]; do sleep 0.05; done
	rm go
	SVTEST_NOTIFY="$(printf 'STATUS=warming up\nMAINPID=1')" "$SELF"
	while [ ! -e go ]; do sleep 0.05; done
	rm go
	SVTEST_NOTIFY="$(printf 'READY=1\nSTATUS=serving')" "$SELF"
	while [ ! -e go ]; do sleep 0.05; done
	rm go
	SVTEST_NOTIFY=RELOADING=1 "$SELF"
	exec sleep 1000
	`)
		testutil.WriteFile(t, s.Path("notify-socket"), "", 0o644)
		p := m.Start(t, s, append(env(), "SELF="+self)...)
		s.WaitUp(t, 0)
		var st os.FileInfo
		testutil.Eventually(t, svtest.Deadline, "supervise/notify", func() (bool, string) {
			st, err = os.Lstat(s.Path("supervise/notify"))
			return err == nil, ""
		})
		if st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o600 {
			t.Errorf("supervise/notify: %v", st.Mode())
		}
		// A stranger (this test, outside the service's session) is not
		// believed. It stays alive until its datagram has been read (a
		// sender that has exited is believed): the service's next one,
		// seen below, comes after it.
		stranger := testutil.Start(t, testutil.Options{Env: []string{"SVTEST_NOTIFY=READY=1", "SVTEST_NOTIFY_HOLD=1", "NOTIFY_SOCKET=" + s.Path("supervise/notify")}}, self)
		testutil.Eventually(t, svtest.Deadline, "the stranger's datagram sent", func() (bool, string) {
			return stranger.Stdout.String() == "sent\n", stranger.Stderr.String()
		})
		go1 := func() { os.WriteFile(s.Path("go"), nil, 0o644) }
		go1()
		d := waitState(t, s, "status text", func(d svstate.Doc) bool { return d.StatusText != nil && *d.StatusText == "warming up" })
		if d.Ready {
			t.Error("ready without READY=1 (a stranger believed?)")
		}
		stranger.Signal(syscall.SIGKILL)
		go1()
		d = waitState(t, s, "ready", func(d svstate.Doc) bool { return d.Ready })
		if *d.StatusText != "serving" {
			t.Errorf("status %q", *d.StatusText)
		}
		go1()
		waitState(t, s, "reloading", func(d svstate.Doc) bool { return !d.Ready })
		if strings.Contains(p.Stderr(), "BUG") {
			t.Errorf("stderr %s", p.Stderr())
		}
		// systemd's own client, where installed.
		if _, err := os.Stat("/usr/bin/systemd-notify"); err == nil {
			s2 := svtest.NewService(t, "s2", "#!/bin/sh\nsystemd-notify --ready --status=hello\nexec sleep 1000\n")
			testutil.WriteFile(t, s2.Path("notify-socket"), "", 0o644)
			m.Start(t, s2, env()...)
			waitState(t, s2, "ready by systemd-notify", func(d svstate.Doc) bool {
				return d.Ready && d.StatusText != nil && *d.StatusText == "hello"
			})
		}
	})
}
