package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// startTimes waits for n lines of `date +%s.%N` in file and returns them.
func startTimes(t *testing.T, s *svtest.Service, file string, n int) []float64 {
	t.Helper()
	var lines []string
	testutil.Eventually(t, 30*time.Second, strconv.Itoa(n)+" starts", func() (bool, string) {
		b, _ := os.ReadFile(s.Path(file))
		lines = svtest.Lines(string(b))
		return len(lines) >= n, string(b)
	})
	var ts []float64
	for _, l := range lines[:n] {
		f, err := strconv.ParseFloat(strings.TrimSpace(l), 64)
		if err != nil {
			t.Fatalf("bad time %q", l)
		}
		ts = append(ts, f)
	}
	return ts
}

func intervals(ts []float64) []float64 {
	var d []float64
	for i := 1; i < len(ts); i++ {
		d = append(d, ts[i]-ts[i-1])
	}
	return d
}

// A run that exits at once is restarted once a second, never faster.
func TestCrashLoopCadence(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		s := svtest.NewService(t, "s", "#!/bin/sh\ndate +%s.%N >> starts\n")
		s.Start(t, im.supervise, env()...)
		for _, d := range intervals(startTimes(t, s, "starts", 5)) {
			// The pause runs from fork to fork; the shell's start-up
			// may shift a line by a few milliseconds either way.
			if d < 0.95 || d > 3 {
				t.Errorf("interval %.3f s between starts", d)
			}
		}
	})
}

// A run that lives longer than the pause is restarted as soon as it exits:
// the pause is after each start, not after each exit.
func TestLongRunRestartsAtOnce(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		s := svtest.NewService(t, "s", "#!/bin/sh\ndate +%s.%N >> starts\nexec sleep 1.5\n")
		s.Start(t, im.supervise, env()...)
		for _, d := range intervals(startTimes(t, s, "starts", 4)) {
			if d < 1.45 || d > 2.4 {
				t.Errorf("interval %.3f s between starts of a 1.5 s job", d)
			}
		}
	})
}

// The pause after a start also holds back commands: a d sent at once is
// obeyed only when the second is over.
func TestPauseDelaysCommands(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		s := svtest.NewService(t, "s", sleeper)
		s.Start(t, im.supervise, env()...)
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
	eachImpl(t, func(t *testing.T, im impl) {
		s := svtest.NewService(t, "s", "")
		p := s.Start(t, im.supervise, env()...)
		count := func() int { return len(svtest.Lines(p.Stderr.String())) }
		testutil.Eventually(t, svtest.Deadline, "first failure", func() (bool, string) { return count() >= 1, "" })
		t0, n0 := time.Now(), count()
		testutil.Eventually(t, svtest.Deadline, "three more failures", func() (bool, string) { return count() >= n0+3, "" })
		if el := time.Since(t0); el < 2500*time.Millisecond {
			t.Errorf("3 more failures within %v", el)
		}
		for _, l := range svtest.Lines(p.Stderr.String()) {
			if l != "supervise: fatal: unable to start s/run: file does not exist" {
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
