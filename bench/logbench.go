package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/daemontools-go/daemontools/bench/internal/impl"
	"github.com/daemontools-go/daemontools/bench/internal/logcheck"
	"github.com/daemontools-go/daemontools/bench/internal/proc"
	"github.com/daemontools-go/daemontools/internal/procfs"
)

// logCase is one log-throughput workload.
type logCase struct {
	name     string
	lines    int
	size     int  // bytes per line, newline included
	fileSize int  // the logger's s option
	refs     bool // also run cat and tai64n
}

func (c logCase) rotating() bool { return c.fileSize < 1_000_000 }

// logRunner is one program fed the workload.
type logRunner struct {
	column string // table column
	bench  string // row prefix ("" for the main rows, "tai64n > file" for the reference)
	argv   func(dir string) []string
	setup  func(dir string) error
	stamp  logcheck.Stamp
	file   bool // writes to stdout (a file), not a log directory
}

func (s *suite) logCases() []logCase {
	n80, n1K := s.sz.log80, s.sz.log1K
	cs := []logCase{
		{fmt.Sprintf("log %s × 80 B", count(n80)), n80, 80, 16777215, true},
		{fmt.Sprintf("log %s × 1 KB", count(n1K)), n1K, 1024, 16777215, true},
		{fmt.Sprintf("log %s × 80 B, s100000", count(n80)), n80, 80, 100000, false},
	}
	if s.sz.rotate1K {
		cs = append(cs, logCase{fmt.Sprintf("log %s × 1 KB, s100000", count(n1K)), n1K, 1024, 100000, false})
	}
	return cs
}

// logRunners lists the loggers, then cat and both tai64n for reference.
func (s *suite) logRunners(c logCase, rep int) []logRunner {
	var rs []logRunner
	for _, im := range s.rotate(rep, impl.Logger) {
		rs = append(rs, logRunner{
			column: im.Name,
			argv:   func(dir string) []string { return im.LogArgv(dir, c.fileSize, 20) },
			setup:  func(dir string) error { return im.LogSetup(dir, c.fileSize, 20) },
			stamp:  im.Stamp(),
		})
	}
	if !c.refs {
		return rs
	}
	rs = append(rs, logRunner{column: "cat", argv: func(string) []string { return []string{s.cat} }, file: true})
	for _, im := range s.rotate(rep, impl.Stamper) {
		rs = append(rs, logRunner{column: im.Name, bench: "tai64n > file",
			argv: func(string) []string { return []string{im.Tool(impl.Stamper)} }, stamp: logcheck.TAI64NStamp, file: true})
	}
	return rs
}

// logBench runs every log workload on every logger, repeatedly.
func (s *suite) logBench() {
	t := s.logT
	t.Notes = append(t.Notes,
		"multilog/s6-log: `t sSIZE n20 DIR`; svlogd: `-tt DIR` with `sSIZE` and `n20` in DIR/config; cat: `cat > file`; tai64n: `tai64n > file`. Input through a pipe from the harness.",
		"Every run is checked: the log files read back in order (archives by name, then current) hold every line once, in order, unaltered, each with a valid timestamp. With s100000 only the last files are kept (n20): the check is that the kept lines are a contiguous run ending with the last line.",
		"CPU s = user+system of the logger (wait4 rusage); peak RSS = the logger's VmHWM (/proc/PID/status, read every 2 ms until it exits; ru_maxrss would include the forking harness). lines/s and MB/s over the wall time from start to exit.")
	for _, c := range s.logCases() {
		input := filepath.Join(s.tmp, fmt.Sprintf("input-%d-%d", c.lines, c.size))
		if _, err := os.Stat(input); err != nil {
			if err := logcheck.WriteInput(input, c.lines, c.size); err != nil {
				s.note("%s: writing the input: %v", c.name, err)
				return
			}
		}
		for rep := 0; rep < s.reps; rep++ {
			for _, r := range s.logRunners(c, rep) {
				bench := c.name
				if r.bench != "" {
					bench = c.name + ": " + r.bench
				}
				logf("%s: %s (run %d/%d)", bench, r.column, rep+1, s.reps)
				m, err := s.runLogger(c, r, input, rep)
				if err != nil {
					s.note("%s, %s: %v", bench, r.column, err)
					continue
				}
				t.Row(bench, "lines/s", false).Add(r.column, float64(c.lines)/m.wall)
				t.Row(bench, "MB/s", false).Add(r.column, float64(c.lines*c.size)/m.wall/1e6)
				t.Row(bench, "CPU s", true).Add(r.column, m.cpu)
				t.Row(bench, "peak RSS MiB", true).Add(r.column, m.rssMiB)
			}
		}
		os.Remove(input)
	}
}

type logMeasure struct{ wall, cpu, rssMiB float64 }

// runLogger feeds the input to one logger through a pipe and checks its log.
func (s *suite) runLogger(c logCase, r logRunner, input string, rep int) (logMeasure, error) {
	dir := filepath.Join(s.tmp, fmt.Sprintf("log-%s-%d", r.column, rep))
	defer os.RemoveAll(dir)
	os.RemoveAll(dir)
	out := filepath.Join(s.tmp, fmt.Sprintf("out-%s-%d", r.column, rep))
	defer os.Remove(out)
	if r.setup != nil {
		if err := r.setup(dir); err != nil {
			return logMeasure{}, err
		}
	}
	in, err := os.Open(input)
	if err != nil {
		return logMeasure{}, err
	}
	defer in.Close()
	stdout, err := os.Create(out) // the output of cat and tai64n; loggers' messages
	if err != nil {
		return logMeasure{}, err
	}
	defer stdout.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return logMeasure{}, err
	}
	defer pw.Close()
	t0 := time.Now()
	p, err := proc.Start(proc.Spec{Argv: r.argv(dir), Dir: s.tmp, Stdin: pr, Stdout: stdout, Stderr: stdout})
	pr.Close()
	if err != nil {
		return logMeasure{}, err
	}
	peak := sampleHWM(p.Pid)
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(pw, in)
		pw.Close()
		copied <- err
	}()
	res, m, err := waitMeasured(p, t0, peak)
	if err != nil {
		return logMeasure{}, err
	}
	if err := <-copied; err != nil {
		return logMeasure{}, fmt.Errorf("feeding the input: %v", err)
	}
	if !res.Ok() {
		msg, _ := os.ReadFile(out)
		return logMeasure{}, fmt.Errorf("exit %v: %.200s", res.Status, msg)
	}
	var chk logcheck.Result
	if r.file {
		chk, err = logcheck.Check([]string{out}, c.lines, c.size, r.stamp, false)
	} else {
		chk, err = logcheck.CheckDir(dir, c.lines, c.size, r.stamp, c.rotating())
	}
	if err != nil {
		return logMeasure{}, fmt.Errorf("log check failed: %v", err)
	}
	if c.rotating() && chk.Files < 3 {
		return logMeasure{}, fmt.Errorf("log check: only %d files: the log did not rotate", chk.Files)
	}
	return m, nil
}

// waitMeasured waits at most 20 minutes for p, started at t0, whose peak
// RSS peak samples, and returns how it ended and what it took; on timeout
// it is killed.
func waitMeasured(p *proc.Proc, t0 time.Time, peak <-chan uint64) (proc.Result, logMeasure, error) {
	res, ok := p.WaitTimeout(20 * time.Minute)
	wall := time.Since(t0).Seconds()
	hwm := <-peak
	if !ok {
		p.Kill()
		p.Wait()
		return proc.Result{}, logMeasure{}, fmt.Errorf("still running after 20 minutes")
	}
	return res, logMeasure{wall: wall, cpu: res.CPU(), rssMiB: float64(hwm) / 1024}, nil
}

// sampleHWM reads the peak RSS (VmHWM) of pid every 2 ms until it has
// exited and sends the last value read: ru_maxrss cannot serve, since it
// keeps the size of the harness that forked the process.
func sampleHWM(pid int) <-chan uint64 {
	ch := make(chan uint64, 1)
	go func() {
		var last uint64
		for {
			v, err := procfs.ReadHWM(pid)
			if err != nil {
				break // exited: a zombie has no VmHWM
			}
			last = v
			time.Sleep(2 * time.Millisecond)
		}
		ch <- last
	}()
	return ch
}

// count writes 2000000 as "2,000,000".
func count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
