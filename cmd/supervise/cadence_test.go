package main

import (
	"os"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// startTimes polls the status record until it has seen n starts and returns
// their times (the fork times supervise records). Each start shows for at
// least the one-second pause, so polling every few milliseconds misses none.
func startTimes(t *testing.T, s *svtest.Service, n int) []time.Time {
	t.Helper()
	var times []time.Time
	seen := map[uint32]bool{}
	deadline := time.Now().Add(30 * time.Second)
	for len(times) < n {
		if time.Now().After(deadline) {
			t.Fatalf("saw %d starts, want %d", len(times), n)
		}
		b, err := os.ReadFile(s.Path("supervise/status"))
		if st, derr := status.Decode(b); err == nil && derr == nil && st.Pid != 0 && !seen[st.Pid] {
			seen[st.Pid] = true
			times = append(times, st.When.Time())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return times
}

func intervals(ts []time.Time) []time.Duration {
	var d []time.Duration
	for i := 1; i < len(ts); i++ {
		d = append(d, ts[i].Sub(ts[i-1]))
	}
	return d
}

// A run that exits at once is restarted once a second, never faster.
func TestCrashLoopCadence(t *testing.T) {
	eachMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", "#!/bin/sh\nexit 1\n")
		m.Start(t, s, env()...)
		for _, d := range intervals(startTimes(t, s, 5)) {
			if d < time.Second || d > 3*time.Second {
				t.Errorf("%v between starts", d)
			}
		}
	})
}

// A run that lives longer than the pause is restarted as soon as it exits:
// the pause is after each start, not after each exit.
func TestLongRunRestartsAtOnce(t *testing.T) {
	eachMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", "#!/bin/sh\nexec sleep 1.5\n")
		m.Start(t, s, env()...)
		for _, d := range intervals(startTimes(t, s, 4)) {
			if d < 1500*time.Millisecond || d > 2400*time.Millisecond {
				t.Errorf("%v between starts of a 1.5 s job", d)
			}
		}
	})
}

// The pause after a start also holds back commands: a d sent at once is
// obeyed only when the second is over.
func TestPauseDelaysCommands(t *testing.T) {
	eachMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", sleeper)
		m.Start(t, s, env()...)
		up := s.WaitUp(t, 0)
		s.Control(t, "d")
		down := s.WaitDown(t)
		if d := down.When.Time().Sub(up.When.Time()); d < time.Second {
			t.Errorf("d obeyed %v after the start", d)
		}
		if down.Want != status.WantDown {
			t.Errorf("status %s", svtest.Describe(down))
		}
	})
}

// A run that cannot be executed is tried once a second, with a message each
// time, and svc still works.
func TestExecFailureCadence(t *testing.T) {
	eachMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", "")
		sv := m.Start(t, s, env()...)
		count := func() int { return len(testutil.SplitLines(sv.Stderr())) }
		testutil.Eventually(t, svtest.Deadline, "first failure", func() (bool, string) { return count() >= 1, "" })
		t0, n0 := time.Now(), count()
		testutil.Eventually(t, svtest.Deadline, "three more failures", func() (bool, string) { return count() >= n0+3, "" })
		if el := time.Since(t0); el < 2500*time.Millisecond {
			t.Errorf("3 more failures within %v", el)
		}
		for _, l := range testutil.SplitLines(sv.Stderr()) {
			if l != m.Diag("supervise: fatal: unable to start s/run: file does not exist") {
				t.Errorf("line %q", l)
			}
		}
		s.Control(t, "d")
		s.WaitStatus(t, "want down", func(st status.Status) bool { return st.Want == status.WantDown && st.Pid == 0 })
		n := count()
		testutil.WriteFile(t, s.Path("run"), sleeper, 0o755)
		s.Control(t, "u")
		s.WaitUp(t, 0)
		if m := count(); m > n+1 {
			t.Errorf("%d failures after d", m-n)
		}
	})
}
