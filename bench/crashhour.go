package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/daemontools-go/daemontools/internal/procfs"
)

// The crash loop with restart backoff: ours with restart-delay-max, beside
// the crash loops of window.go (ours without files, that is 0.76's fixed
// one-second pause, and the peers), in the same window.
const (
	backoffBase = time.Second      // restart-delay's default
	backoffCap  = 60 * time.Second // restart-delay-max
	// backoffRun fails at once and records when it started (seconds since
	// boot, /proc/uptime: a shell built-in reads it, no process is added).
	backoffRun = "#!/bin/sh\nread up idle < /proc/uptime\necho $up >> starts\nexit 1\n"
	backoffCol = "ours+backoff"
	crashHour  = "crash loop, one hour (run exits 1 at once)"
)

// crashHourNote explains the table; the window is the suite's.
func (s *suite) crashHourNote() {
	s.crashT.Notes = append(s.crashT.Notes,
		fmt.Sprintf("Measured in the windows of table 6–7 (%v, the same crash loops: ours without files is 0.76's fixed one-second pause), with one more supervisor beside them: ours with `restart-delay-max %d` (and no `restart-delay`: the first wait is %v). Supervisor CPU: the supervisor process alone (schedstat of all its threads), not its service.", s.sz.window, backoffCap.Milliseconds(), backoffBase),
		fmt.Sprintf("Fixed pauses: restarts and CPU counted over the window, scaled to one hour. Backoff: the waits double from %v after each early death up to the cap (1+2+4+8+16+32 s = 63 s for the first 7 starts, then one a minute), so a window starting at the first start sees only the ramp; restarts/h is the steady state, 3600 s / %v = %.0f, and CPU/h = that × the supervisor's CPU per restart measured in the window (CPU over the window / restarts in it; the supervisor makes no wake-up while it waits, see the idle rows). The harness checks that the observed intervals between starts (the service writes /proc/uptime at each start) follow the doubling, and says so under \"Missing or failed\" when they do not.", backoffBase, backoffCap, time.Hour.Seconds()/backoffCap.Seconds()),
		"Target (issue 10): ours+backoff at least 10× less CPU per hour than ours with the fixed pause, that is a ratio ours+backoff/ours ≤ 0.10 on the CPU ms/h row.")
}

// crashHourFixed records the per-hour figures of a crash loop with a fixed
// pause: n restarts and CPU u over the window.
func (s *suite) crashHourFixed(name string, n int, u procfs.Usage, window time.Duration) {
	t := s.crashT
	perHour := time.Hour.Seconds() / window.Seconds()
	ms := float64(u.CPUNanos) / 1e6
	r := t.Row(crashHour, "restarts counted in the window", false)
	r.Neutral = true
	r.Add(name, float64(n))
	r = t.Row(crashHour, "restarts/h", false)
	r.Neutral = true
	r.Add(name, float64(n)*perHour)
	t.Row(crashHour, "supervisor CPU ms/h", true).Add(name, ms*perHour)
	if n > 0 {
		t.Row(crashHour, "supervisor CPU ms per restart", true).Add(name, ms/float64(n))
	}
}

// crashHourBackoff records the backoff's figures: the starts and CPU since
// before, over the window, extrapolated to the steady state.
func (s *suite) crashHourBackoff(c *crasher, before int, cpu procfs.Usage, window time.Duration) {
	if c.sup.Exited() {
		s.note("crash loop with backoff: the supervisor exited")
		return
	}
	n := c.starts() - before
	u := procfs.SumUsage([]int{c.sup.Pid}).Sub(cpu)
	if n < 1 {
		s.note("crash loop with backoff: no restart in the %v window", window)
		return
	}
	if err := checkBackoff(c.dir); err != nil {
		s.note("crash loop with backoff: %v", err)
	}
	t := s.crashT
	perRestart := float64(u.CPUNanos) / 1e6 / float64(n)
	steady := time.Hour.Seconds() / backoffCap.Seconds()
	r := t.Row(crashHour, "restarts counted in the window", false)
	r.Neutral = true
	r.Add(backoffCol, float64(n))
	r = t.Row(crashHour, "restarts/h", false)
	r.Neutral = true
	r.Add(backoffCol, steady)
	t.Row(crashHour, "supervisor CPU ms/h", true).Add(backoffCol, perRestart*steady)
	t.Row(crashHour, "supervisor CPU ms per restart", true).Add(backoffCol, perRestart)
}

// checkBackoff reads the start times the service recorded and checks that
// the intervals between them double from backoffBase up to backoffCap.
func checkBackoff(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "starts"))
	if err != nil {
		return err
	}
	var at []float64
	for _, f := range strings.Fields(string(b)) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return fmt.Errorf("starts: %q: %v", f, err)
		}
		at = append(at, v)
	}
	return backoffSchedule(at, backoffBase, backoffCap)
}

// backoffSchedule checks start times (seconds, 10 ms resolution): the
// interval after start i is min(base×2^i, cap), give or take 100 ms early
// (the times are taken by each instance after its fork and exec) and 500 ms
// late (a loaded machine).
func backoffSchedule(at []float64, base, cap time.Duration) error {
	want := base
	var got []string
	bad := false
	for i := 1; i < len(at); i++ {
		d := time.Duration((at[i] - at[i-1]) * float64(time.Second))
		got = append(got, fmt.Sprintf("%.2f s (want %v)", d.Seconds(), want))
		if d < want-100*time.Millisecond || d > want+500*time.Millisecond {
			bad = true
		}
		want = min(2*want, cap)
	}
	if bad {
		return fmt.Errorf("the intervals between starts do not follow the backoff: %s", strings.Join(got, ", "))
	}
	return nil
}
