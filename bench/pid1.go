package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/bench/internal/impl"
	"github.com/daemontools-go/daemontools/bench/internal/stats"
	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/procfs"
)

// Table 13: how soon a scanner picks up a new service, how fast it stops
// everything as process 1 would (svscan -P), and whether it reaps orphans.

const (
	// pickupRun marks its start with a file in its directory.
	pickupRun = "#!/bin/sh\n: > started\nexec sleep 1000000\n"
	// zombieRun orphans 1,000 short-lived children, then sleeps.
	zombieRun = "#!/bin/sh\ni=0; while [ $i -lt 1000 ]; do (sleep 0 &) ; i=$((i+1)); done; exec sleep 1000000\n"
	// loggedRun writes a line to its logger and dies of TERM.
	loggedRun = "#!/bin/sh\necho started\nexec sleep 1000000\n"

	nPickup     = 50              // services added one at a time to ours
	nPickupPeer = 5               // to a peer that scans every 5 s
	peerScan    = 5 * time.Second // daemontools' and runsvdir's scan interval
	nStop       = 20              // logged services of the stop
)

// pidCols are table 13's columns.
var pidCols = []string{"ours", oursC, "daemontools", "runit", "s6"}

// pickupBench adds services one at a time to a running scanner of each
// implementation, by a symlink into its directory, and measures until the
// service's run has started (the file it creates exists).
func (s *suite) pickupBench() {
	t := s.pidT
	t.Notes = append(t.Notes,
		fmt.Sprintf("Pickup: a scanner runs over a directory; a complete service directory made elsewhere is symlinked into it (`ln -s`), and the time is taken until its run (`: > started; exec sleep`) has created its file (stat every 0.2 ms). Ours (per process and -C, inotify): %d services one at a time, 0–50 ms apart; daemontools and runit (a scan every 5 s, runsvdir when the directory's mtime changed): %d services per repetition, each after a random pause of 0–5 s so that the link falls anywhere in the scan period, the two measured at the same time. p50 and p95 by nearest rank over each repetition's samples (p95 of 5 is the largest), medians over the repetitions.", nPickup, nPickupPeer),
		"s6-svscan 2.11 scans only when told (`s6-svscanctl -a`, SIGALRM) or with `-t MS`; it was run as the other tables run it (no -t), so a new service is never picked up by itself: — in its column.",
		"Target (issue): ours ≤ 100 ms p95.")
	impls := []impl.Impl{}
	for _, im := range s.withC() {
		if im.Family != impl.S6 {
			impls = append(impls, im)
		}
	}
	var mu sync.Mutex // the peers run at once: one records at a time
	for rep := 0; rep < s.reps; rep++ {
		var wg sync.WaitGroup
		for _, im := range rotateOf(impls, rep, impl.Scanner, impl.Supervisor) {
			n, gap := nPickupPeer, peerScan
			if strings.HasPrefix(im.Name, "ours") {
				n, gap = nPickup, 50*time.Millisecond
			}
			run := func() {
				ms, err := s.pickups(im, rep, n, gap)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					s.note("%s, pickup, %s: %v", t.Title, im.Name, err)
					return
				}
				t.Row("pickup of a new service (ln -s until run started)", "ms p50", true).Add(im.Name, stats.Median(ms))
				t.Row("pickup of a new service (ln -s until run started)", "ms p95", true).Add(im.Name, stats.Percentile(ms, 95))
			}
			if n == nPickup {
				run() // ours alone, the peers together, in the background
				continue
			}
			wg.Add(1)
			go func() { defer wg.Done(); run() }()
		}
		wg.Wait()
	}
}

// pickups starts im's scanner over an empty directory and links n services
// into it, one at a time, each after a random pause below gap.
func (s *suite) pickups(im impl.Impl, rep, n int, gap time.Duration) ([]float64, error) {
	logf("%s: pickup: %s, %d services (run %d/%d)", s.pidT.Title, im.Name, n, rep+1, s.reps)
	f, err := s.startFixtureWith(im, fmt.Sprintf("pickup-%s-%d", slug(im.Name), rep), 0, fixtureOpts{})
	if err != nil {
		return nil, err
	}
	defer f.stop()
	dirs, err := makeServices(filepath.Join(f.root, "avail"), n, pickupRun)
	if err != nil {
		return nil, err
	}
	time.Sleep(200 * time.Millisecond) // the scanner's first scan is done
	var ms []float64
	for _, d := range dirs {
		time.Sleep(time.Duration(rand.Int64N(int64(gap))))
		started := filepath.Join(d, "started")
		t0 := time.Now()
		if err := os.Symlink(d, filepath.Join(f.scan, filepath.Base(d))); err != nil {
			return nil, err
		}
		for {
			if _, err := os.Stat(started); err == nil {
				break
			}
			if time.Since(t0) > 3*peerScan {
				return nil, fmt.Errorf("%s not started %v after ln -s", filepath.Base(d), 3*peerScan)
			}
			time.Sleep(200 * time.Microsecond)
		}
		ms = append(ms, millis(time.Since(t0)))
	}
	return ms, nil
}

// stopBenchP1 stops, with SIGTERM, a scanner running as process 1 would
// (svscan -P, svscan -C, s6-svscan) over nStop services with loggers, and
// measures until it has exited and nothing of its tree is left.
func (s *suite) stopBenchP1() {
	t := s.pidT
	bench := fmt.Sprintf("stop on SIGTERM, %d services with loggers", nStop)
	t.Notes = append(t.Notes,
		fmt.Sprintf("Stop: %d services (`echo started; exec sleep`: TERM ends them), each with a logger (`log/run`: `exec multilog t ./main` for ours, `exec s6-log t ./main` for s6), all up for more than a second (0.76's supervise, and ours, obey no command in the second after a start); SIGTERM to the scanner (ours: `svscan -P DIR`, the stop of process 1 without a PID namespace; ours -C: `svscan -C DIR`, which implies -P; s6: `s6-svscan -c 2000 DIR`), then the time until the scanner has exited and no process of its tree is left (the descendants listed before the signal are polled every 1 ms, then /proc is searched for any process under the fixture's directory). p50 and p95 over 5 stops per repetition. Target (issue): ≤ 300 ms.", nStop),
		"daemontools' svscan and runit's runsvdir exit at once on TERM and leave every supervisor and service running (runsvdir stops its runsv processes only on HUP, daemontools never): no stop to measure, — in their columns.",
		"s6-overlay, which puts s6-svscan at process 1 in containers, waits by its documented defaults S6_SERVICES_GRACETIME=3000 ms and S6_KILL_GRACETIME=3000 ms (and S6_KILL_FINALIZE_DRAIN_TIMEOUT) during its stage 3: a stop under it takes ≥ 3 s whatever the services do; the s6 column is s6-svscan alone.")
	var impls []impl.Impl
	for _, im := range s.withC() {
		switch {
		case im.Name == "ours":
			im.ScanOpts = []string{"-P"}
		case im.Name == oursC, im.Family == impl.S6:
		default:
			continue
		}
		impls = append(impls, im)
	}
	const stops = 5
	for rep := 0; rep < s.reps; rep++ {
		for _, im := range rotateOf(impls, rep, impl.Scanner, impl.Supervisor, impl.Logger) {
			logf("%s: %s: %s (run %d/%d)", t.Title, bench, im.Name, rep+1, s.reps)
			var ms []float64
			for k := 0; k < stops; k++ {
				d, err := s.stopP1Once(im, fmt.Sprintf("p1stop-%s-%d-%d", slug(im.Name), rep, k))
				if err != nil {
					s.note("%s, %s: %v", bench, im.Name, err)
					break
				}
				ms = append(ms, d)
			}
			if len(ms) == stops {
				t.Row(bench, fmt.Sprintf("ms p50 of %d", stops), true).Add(im.Name, stats.Median(ms))
				t.Row(bench, fmt.Sprintf("ms p95 of %d", stops), true).Add(im.Name, stats.Percentile(ms, 95))
			}
		}
	}
}

// stopP1Once starts im's scanner over nStop logged services, waits until
// all are up, sends SIGTERM and returns the milliseconds until its tree is
// gone.
func (s *suite) stopP1Once(im impl.Impl, name string) (float64, error) {
	logger := strings.Join(im.LogArgv("./main", 99999, 5), " ")
	setup := func(dirs []string) error {
		for _, d := range dirs {
			if err := os.MkdirAll(filepath.Join(d, layout.Log), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(d, layout.Log, layout.Run), []byte("#!/bin/sh\nexec "+logger+"\n"), 0o755); err != nil {
				return err
			}
		}
		return nil
	}
	f, err := s.startFixtureWith(im, name, nStop, fixtureOpts{run: loggedRun, setup: setup})
	if err != nil {
		return 0, err
	}
	defer f.stop()
	deadline := time.Now().Add(30 * time.Second)
	for _, d := range f.dirs {
		for !runsSleep(im.Pid(d)) || im.Pid(filepath.Join(d, layout.Log)) == 0 {
			if time.Now().After(deadline) {
				return 0, fmt.Errorf("%s or its logger not up after 30 s", filepath.Base(d))
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	time.Sleep(1200 * time.Millisecond) // 0.76's supervise obeys no command in the second after a start
	tree := procfs.LiveDescendants(f.scanner.Pid)
	t0 := time.Now()
	if err := unix.Kill(f.scanner.Pid, unix.SIGTERM); err != nil {
		return 0, err
	}
	for {
		if f.scanner.Exited() && allGone(tree) {
			if left := procfs.Under(f.root); len(left) == 0 {
				break
			} else {
				tree = left
			}
		}
		if time.Since(t0) > 10*time.Second {
			return 0, fmt.Errorf("scanner exited: %v; %d processes left 10 s after SIGTERM", f.scanner.Exited(), len(procfs.Under(f.root)))
		}
		time.Sleep(time.Millisecond)
	}
	return millis(time.Since(t0)), nil
}

// allGone reports whether none of pids is alive.
func allGone(pids []int) bool {
	for _, p := range pids {
		if procfs.Alive(p) {
			return false
		}
	}
	return true
}

// zombieBench runs, under ours -P and ours -C, a service that orphans 1,000
// short-lived children, and counts the zombies in the scanner's tree 100 ms
// after the last one started.
func (s *suite) zombieBench() {
	t := s.pidT
	bench := "1,000 orphans of a service"
	t.Notes = append(t.Notes,
		"Zombies: one service whose run does `(sleep 0 &)` 1,000 times, then `exec sleep`; under `svscan -P` (ours) and `svscan -C` (both are child subreapers, so the orphans become svscan's children). When the service's process has become `sleep` (polled every 1 ms), the harness waits 100 ms and counts the processes in state Z among the scanner's descendants (one pass over /proc). Peers: their scanners are not subreapers, the orphans go to the harness (or process 1), so there is nothing of theirs to count. Target (issue): 0.")
	var impls []impl.Impl
	for _, im := range s.withC()[:2] {
		if im.Name == "ours" {
			im.ScanOpts = []string{"-P"}
		}
		impls = append(impls, im)
	}
	for rep := 0; rep < s.reps; rep++ {
		for _, im := range rotateOf(impls, rep, impl.Scanner, impl.Supervisor) {
			logf("%s: %s: %s (run %d/%d)", t.Title, bench, im.Name, rep+1, s.reps)
			f, err := s.startFixtureWith(im, fmt.Sprintf("zombie-%s-%d", slug(im.Name), rep), 1, fixtureOpts{run: zombieRun})
			if err != nil {
				s.note("%s, %s: %v", bench, im.Name, err)
				continue
			}
			deadline := time.Now().Add(time.Minute)
			for !runsSleep(im.Pid(f.dirs[0])) && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if !runsSleep(im.Pid(f.dirs[0])) {
				s.note("%s, %s: the run did not reach sleep within a minute", bench, im.Name)
			} else {
				r := t.Row(bench, "s from start until run reached sleep", false)
				r.Neutral = true
				r.Add(im.Name, time.Since(f.started).Seconds())
				time.Sleep(100 * time.Millisecond)
				t.Row(bench, "zombies in the scanner's tree 100 ms after the last", true).Add(im.Name, float64(zombiesUnder(f.scanner.Pid)))
			}
			f.stop()
		}
	}
}

// zombiesUnder counts the zombies among the descendants of root, from one
// pass over /proc.
func zombiesUnder(root int) int {
	parent, state := map[int]int{}, map[int]byte{}
	for _, pid := range procfs.Pids() {
		if st, err := procfs.ReadStat(pid); err == nil {
			parent[pid], state[pid] = st.PPid, st.State
		}
	}
	return countZombies(parent, state, root)
}

// countZombies counts the pids in state Z below root in the tree given by
// parent (pid -> parent pid).
func countZombies(parent map[int]int, state map[int]byte, root int) int {
	n := 0
	for pid := range parent {
		if state[pid] != 'Z' {
			continue
		}
		for p, hops := parent[pid], 0; p > 0 && hops < len(parent); p, hops = parent[p], hops+1 {
			if p == root {
				n++
				break
			}
		}
	}
	return n
}
