// Command bench measures our daemontools side by side with Debian's
// daemontools, runit and s6 on the same work, in the same run: log
// throughput, footprint, start-up, restart latency, control round-trips,
// idle cost and crash loops, restart backoff, stops with a kill timeout,
// status over 1,000 services, and what state.json adds to a restart. Every benchmark runs on each implementation in
// turn (the order rotates between repetitions), is repeated at least three
// times, and is reported as medians and as ratios ours/peer, in a markdown
// table printed on stdout and written under bench/out/.
//
// Usage: bench [-full] [-reps N] [-only SECTIONS] [-out DIR]
//
// Sections: log, services, windows, lifecycle, big, micro, and, in the full
// suite or when named, consolidated, consolidated-big, consolidated-10k
// (svscan -C over 100, 1,000 and 10,000 services: table 12), pickup and
// pid1 (table 13).
//
// Everything it starts runs under one temporary directory and below this
// process (a child subreaper); it is killed by pid at the end and on
// SIGINT, SIGTERM or SIGHUP, and the run ends by checking that no process is
// left.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/daemontools-go/daemontools/bench/internal/proc"
	"github.com/daemontools-go/daemontools/internal/procfs"
)

func main() {
	os.Exit(run())
}

func run() int {
	full := flag.Bool("full", false, "the full suite (about 20 minutes) instead of the quick one (about 2)")
	reps := flag.Int("reps", 3, "repetitions of every benchmark (at least 3)")
	only := flag.String("only", "", "comma-separated sections to run: log,services,windows,lifecycle,big,micro; also consolidated,consolidated-big,consolidated-10k,pickup,pid1 (full suite or named only) (default all)")
	out := flag.String("out", "", "directory for the report (default bench/out under the module)")
	noInstall := flag.Bool("no-install", false, "do not apt-get install missing peers")
	noBuild := flag.Bool("no-build", false, "do not build our commands (use bin/ as it is)")
	flag.Parse()
	if *reps < 3 {
		fmt.Fprintln(os.Stderr, "bench: -reps must be at least 3")
		return 100
	}
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 111
	}
	if *out == "" {
		*out = filepath.Join(root, "bench", "out")
	}
	if err := proc.Init(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 111
	}
	tmp, err := os.MkdirTemp("", "dtbench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 111
	}
	catchSignals(tmp)

	s := newSuite(root, tmp, *full, *reps, *only)
	s.prepare(!*noInstall, !*noBuild)
	s.runAll()
	left := proc.Stop(tmp, 15*time.Second)
	left = append(left, procfs.Under(tmp)...)
	s.leftover = len(left)
	os.RemoveAll(tmp)
	s.loadAfter = loadavg()
	code := s.report(*out)
	if len(left) > 0 {
		fmt.Fprintf(os.Stderr, "bench: %d processes could not be stopped: %v\n", len(left), left)
		return 111
	}
	return code
}

// catchSignals stops everything and removes tmp when the run is interrupted.
func catchSignals(tmp string) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig := <-ch
		fmt.Fprintf(os.Stderr, "\nbench: %v: stopping every process started\n", sig)
		left := proc.Stop(tmp, 15*time.Second)
		left = append(left, procfs.Under(tmp)...)
		os.RemoveAll(tmp)
		if len(left) > 0 {
			fmt.Fprintf(os.Stderr, "bench: %d processes could not be stopped: %v\n", len(left), left)
		} else {
			fmt.Fprintln(os.Stderr, "bench: no process left behind")
		}
		os.Exit(128 + int(sig.(syscall.Signal)))
	}()
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			strings.Contains(string(b), "module github.com/daemontools-go/daemontools\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("run me inside the daemontools-go module (go.mod not found)")
		}
		dir = parent
	}
}

// logf prints progress on stderr.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
