package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/daemontools-go/daemontools/bench/internal/impl"
	"github.com/daemontools-go/daemontools/bench/internal/proc"
	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/procfs"
)

// fixture is a scanner running over n services of `exec sleep 1000000`,
// all under one directory of the benchmark's temporary directory.
type fixture struct {
	im      impl.Impl
	root    string // everything of this fixture lies below
	scan    string // the scanned directory
	dirs    []string
	scanner *proc.Proc
	started time.Time
	upAfter time.Duration // from the scanner's start until every service was up
	out     *os.File      // the scanner's stdout and stderr
}

const sleepRun = "#!/bin/sh\nexec sleep 1000000\n"

// makeServices creates n service directories s0000... under dir.
func makeServices(dir string, n int, run string) ([]string, error) {
	dirs := make([]string, n)
	for k := range dirs {
		d := filepath.Join(dir, fmt.Sprintf("s%04d", k))
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(d, layout.Run), []byte(run), 0o755); err != nil {
			return nil, err
		}
		dirs[k] = d
	}
	return dirs, nil
}

// startFixture creates the services, starts the scanner and waits until the
// status file of every service shows a pid.
func (s *suite) startFixture(im impl.Impl, name string, n int) (*fixture, error) {
	return s.startFixtureWith(im, name, n, fixtureOpts{})
}

// fixtureOpts vary a fixture: another run script, files added to the
// services before the scanner starts, no wait for them to be up, a longer
// wait.
type fixtureOpts struct {
	run    string                    // default sleepRun
	setup  func(dirs []string) error // called before the scanner starts
	noWait bool                      // return once the scanner has started
	limit  time.Duration             // for waitUp; default 2 minutes
}

// startFixtureWith is startFixture with the options o.
func (s *suite) startFixtureWith(im impl.Impl, name string, n int, o fixtureOpts) (*fixture, error) {
	if o.run == "" {
		o.run = sleepRun
	}
	if o.limit == 0 {
		o.limit = 2 * time.Minute
	}
	root := filepath.Join(s.tmp, name)
	scan := filepath.Join(root, "service")
	dirs, err := makeServices(scan, n, o.run)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(scan, 0o755); err != nil {
		return nil, err
	}
	if o.setup != nil {
		if err := o.setup(dirs); err != nil {
			return nil, err
		}
	}
	out, err := os.Create(filepath.Join(root, "scanner.out"))
	if err != nil {
		return nil, err
	}
	f := &fixture{im: im, root: root, scan: scan, dirs: dirs, out: out}
	f.started = time.Now()
	f.scanner, err = proc.Start(proc.Spec{Argv: im.ScanArgv(scan), Dir: root, Env: im.Env(), Stdout: out, Stderr: out})
	if err != nil {
		out.Close()
		return nil, err
	}
	if o.noWait {
		return f, nil
	}
	if err := f.waitUp(o.limit); err != nil {
		f.stop()
		return nil, err
	}
	f.upAfter = time.Since(f.started)
	return f, nil
}

// waitUp polls the status files (the supervisors' own files, read directly:
// the same cost for every implementation, and no status program to spawn)
// until every service has a pid, re-reading only those not yet up.
func (f *fixture) waitUp(limit time.Duration) error {
	deadline := f.started.Add(limit)
	pending := append([]string(nil), f.dirs...)
	for {
		next := pending[:0]
		for _, d := range pending {
			if f.im.Pid(d) == 0 {
				next = append(next, d)
			}
		}
		pending = next
		if len(pending) == 0 {
			return nil
		}
		if f.scanner.Exited() {
			msg, _ := os.ReadFile(f.out.Name())
			return fmt.Errorf("%s exited: %.300s", f.im.Program(impl.Scanner), msg)
		}
		if time.Now().After(deadline) {
			msg, _ := os.ReadFile(f.out.Name())
			return fmt.Errorf("%d of %d services not up after %v: %.300s", len(pending), len(f.dirs), limit, msg)
		}
		time.Sleep(time.Millisecond)
	}
}

// supervisors are the scanner's children; none under svscan -C, whose
// children are the services themselves.
func (f *fixture) supervisors() []int {
	if f.im.Consolidated {
		return nil
	}
	return procfs.LiveChildren(f.scanner.Pid)
}

// stop kills every process of the fixture and removes its directory.
func (f *fixture) stop() {
	if left := proc.KillUnder(f.root, 20*time.Second); len(left) > 0 {
		logf("%s: %d processes survived SIGKILL: %v", f.im.Name, len(left), left)
	}
	f.scanner.Kill()
	f.scanner.WaitTimeout(10 * time.Second)
	f.out.Close()
	os.RemoveAll(f.root)
}
