package main

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/daemontools-go/daemontools/internal/procfs"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// trapper logs every signal it gets to ./signals; TERM also ends it.
const trapper = `#!/bin/sh
log() { echo "$1" >> signals; }
for s in HUP ALRM INT QUIT USR1 USR2 CONT; do trap "log $s" $s; done
trap 'log TERM; exit 0' TERM
log "start $$"
while :; do sleep 1 & wait $!; done
`

// signalsOf returns the signals the trapper logged after its start as pid.
func signalsOf(t *testing.T, s *svtest.Service, pid uint32) []string {
	b, _ := os.ReadFile(s.Path("signals"))
	lines := testutil.SplitLines(string(b))
	for i, l := range lines {
		if l == "start "+strconv.FormatUint(uint64(pid), 10) {
			return lines[i+1:]
		}
	}
	return nil
}

func waitSignal(t *testing.T, s *svtest.Service, pid uint32, sig string) {
	t.Helper()
	testutil.Eventually(t, svtest.Deadline, sig+" logged", func() (bool, string) {
		got := signalsOf(t, s, pid)
		for _, g := range got {
			if g == sig {
				return true, ""
			}
		}
		return false, strings.Join(got, " ")
	})
}

func waitStarted(t *testing.T, s *svtest.Service, pid uint32) {
	t.Helper()
	testutil.Eventually(t, svtest.Deadline, "run to start", func() (bool, string) {
		b, _ := os.ReadFile(s.Path("signals"))
		return strings.Contains(string(b), "start "+strconv.FormatUint(uint64(pid), 10)+"\n"), string(b)
	})
}

// procState returns the state letter of pid from /proc (T = stopped).
func procState(pid uint32) byte {
	b, err := os.ReadFile("/proc/" + strconv.FormatUint(uint64(pid), 10) + "/stat")
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(b), ')')
	return b[i+2]
}

// Every svc command and the status record after it (spec §2.5, §2.8), for
// our supervise and Debian's alike.
func TestCommands(t *testing.T) {
	eachMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", trapper)
		sv := m.Start(t, s, env()...)
		up := s.WaitUp(t, 0)
		if up.Want != status.WantUp || up.Paused {
			t.Fatalf("start: %s", svtest.Describe(up))
		}
		waitStarted(t, s, up.Pid)
		same := func(what string, cond func(status.Status) bool) {
			t.Helper()
			st := s.WaitStatus(t, what, func(st status.Status) bool { return st.Pid == up.Pid && cond(st) })
			if st.When != up.When {
				t.Errorf("%s moved the timestamp: %v -> %v", what, up.When, st.When)
			}
		}

		s.Control(t, "p")
		same("paused", func(st status.Status) bool { return st.Paused && st.Want == status.WantUp })
		testutil.Eventually(t, svtest.Deadline, "service stopped", func() (bool, string) {
			return procState(up.Pid) == 'T', string(procState(up.Pid))
		})
		s.Control(t, "c")
		same("continued", func(st status.Status) bool { return !st.Paused })
		waitSignal(t, s, up.Pid, "CONT")

		sigs := map[byte]string{'h': "HUP", 'a': "ALRM", 'i': "INT"}
		if m.Extended {
			sigs['q'], sigs['1'], sigs['2'] = "QUIT", "USR1", "USR2"
		}
		for c, name := range sigs {
			s.Control(t, string(c))
			waitSignal(t, s, up.Pid, name)
		}
		s.Control(t, "o")
		same("once", func(st status.Status) bool { return st.Want == status.WantOnce })
		s.Control(t, "u")
		same("up again", func(st status.Status) bool { return st.Want == status.WantUp })

		// t and k end the service; wanted up, it is started again.
		s.Control(t, "t")
		waitSignal(t, s, up.Pid, "TERM")
		next := s.WaitUp(t, up.Pid)
		if next.When == up.When {
			t.Error("restart kept the timestamp")
		}
		waitStarted(t, s, next.Pid)
		s.Control(t, "k")
		third := s.WaitUp(t, next.Pid)
		waitStarted(t, s, third.Pid)

		// d on a paused service: TERM then CONT, so it dies.
		s.Control(t, "p")
		s.WaitStatus(t, "paused", func(st status.Status) bool { return st.Paused })
		s.Control(t, "d")
		down := s.WaitDown(t)
		if down.Want != status.WantDown || down.Paused {
			t.Errorf("after d: %s", svtest.Describe(down))
		}
		if got := signalsOf(t, s, third.Pid); len(got) == 0 || got[len(got)-1] != "TERM" {
			t.Errorf("signals after d on a paused service: %q", got)
		}

		// o on a down service runs it once.
		s.Control(t, "o")
		once := s.WaitUp(t, 0)
		if once.Want != status.WantOnce {
			t.Errorf("o: %s", svtest.Describe(once))
		}
		waitStarted(t, s, once.Pid)
		s.Control(t, "t")
		after := s.WaitDown(t)
		if after.Want != status.WantOnce {
			t.Errorf("once, exited: %s", svtest.Describe(after))
		}

		// x with the service down: the supervision ends at once (supervise
		// exits), status intact.
		s.Control(t, "x")
		if code := sv.WaitEnded(t); code != 0 {
			t.Errorf("exit code %d", code)
		}
		if st := s.Status(t); st.Pid != 0 || st.Want != status.WantOnce {
			t.Errorf("final status %s", svtest.Describe(st))
		}
		if sv.Stderr() != "" {
			t.Errorf("stderr %q", sv.Stderr())
		}
	})
}

// x leaves a running service alone; the supervision ends (supervise exits)
// when it ends, without restarting it.
func TestExitWaitsForService(t *testing.T) {
	eachMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", trapper)
		sv := m.Start(t, s, env()...)
		up := s.WaitUp(t, 0)
		waitStarted(t, s, up.Pid)
		s.Control(t, "x")
		s.Control(t, "h")
		waitSignal(t, s, up.Pid, "HUP") // x was handled before h
		if sv.Ended() || !procfs.Alive(int(up.Pid)) {
			t.Fatal("x stopped something")
		}
		s.Control(t, "t")
		if code := sv.WaitEnded(t); code != 0 {
			t.Errorf("exit code %d", code)
		}
		st := s.Status(t)
		if st.Pid != 0 || st.Want != status.WantUp {
			t.Errorf("final status %s", svtest.Describe(st))
		}
		if n := strings.Count(readFile(t, s.Path("signals")), "start "); n != 1 {
			t.Errorf("%d starts", n)
		}
	})
}

// A service that ignores TERM stays up under d; svstat says "want down".
func TestDownIgnored(t *testing.T) {
	eachMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", "#!/bin/sh\ntrap '' TERM\necho ready > ready\nwhile :; do sleep 1; done\n")
		m.Start(t, s, env()...)
		up := s.WaitUp(t, 0)
		testutil.Eventually(t, svtest.Deadline, "ready", func() (bool, string) {
			_, err := os.Stat(s.Path("ready"))
			return err == nil, ""
		})
		s.Control(t, "d")
		st := s.WaitStatus(t, "want down", func(st status.Status) bool { return st.Want == status.WantDown })
		if st.Pid != up.Pid {
			t.Errorf("pid %d, want %d", st.Pid, up.Pid)
		}
		r := testutil.Run(t, testutil.Options{Dir: s.Parent}, m.Svstat, "s")
		if got := svtest.Normalize(r.Stdout); got != "s: up (pid N) N seconds, want down\n" {
			t.Errorf("svstat: %q", got)
		}
		s.Control(t, "k")
		s.WaitDown(t)
	})
}

// Garbage on the control FIFO is ignored; later commands are obeyed.
func TestGarbageCommands(t *testing.T) {
	eachMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", sleeper)
		sv := m.Start(t, s, env()...)
		up := s.WaitUp(t, 0)
		garbage := "zZ\x00\xff\n?!UDX  -+w3"
		s.Control(t, garbage)
		s.Control(t, "d")
		s.WaitDown(t)
		s.Control(t, garbage+"u")
		s.WaitUp(t, up.Pid)
		if sv.Ended() {
			t.Fatal("the supervision ended")
		}
		s.Control(t, "dx")
		sv.WaitEnded(t)
	})
}

// A down file at start-up keeps the service down; it is read only then. A
// down that is a directory counts as well (stat succeeds).
func TestDownFile(t *testing.T) {
	for _, kind := range []string{"file", "directory"} {
		t.Run(kind, func(t *testing.T) {
			eachMode(t, func(t *testing.T, m svtest.Mode) {
				s := svtest.NewService(t, "s", sleeper)
				if kind == "file" {
					testutil.WriteFile(t, s.Path("down"), "", 0o644)
				} else {
					os.Mkdir(s.Path("down"), 0o755)
				}
				sv := m.Start(t, s, env()...)
				st := s.WaitStatus(t, "down status", func(st status.Status) bool { return true })
				if st.Pid != 0 || st.Want != status.WantDown {
					t.Errorf("status %s", svtest.Describe(st))
				}
				r := testutil.Run(t, testutil.Options{Dir: s.Parent}, m.Svstat, "s")
				if got := svtest.Normalize(r.Stdout); got != "s: down N seconds\n" {
					t.Errorf("svstat %q", got)
				}
				os.RemoveAll(s.Path("down"))
				s.Control(t, "u")
				s.WaitUp(t, 0)
				r = testutil.Run(t, testutil.Options{Dir: s.Parent}, m.Svstat, "s")
				if got := svtest.Normalize(r.Stdout); got != "s: up (pid N) N seconds\n" {
					t.Errorf("svstat %q", got)
				}
				s.Control(t, "dx")
				sv.WaitEnded(t)
			})
		})
	}
}

func readFile(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
