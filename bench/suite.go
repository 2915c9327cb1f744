package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/daemontools-go/daemontools/bench/internal/impl"
	"github.com/daemontools-go/daemontools/bench/internal/proc"
	"github.com/daemontools-go/daemontools/bench/internal/stats"
)

// sizes holds what differs between the quick and the full suite.
type sizes struct {
	log80, log1K   int           // lines in the log-throughput runs
	localMB        int           // MB of log for tai64nlocal
	rotate1K       bool          // also the rotating variant with 1 KB lines
	window         time.Duration // idle and crash-loop measurement window
	pairs, statuss int           // svc -p/-c pairs, svstat calls
	restarts       int           // restart samples of each kind per repetition
	bigReps        int           // runs over 1,000 services
	bigStartup     bool          // report their start-up
	stops          int           // stops of a TERM-ignoring service per implementation and repetition
	stateWrites    int           // iterations of the state.json micro-benchmark (go test -benchtime Nx)
}

var (
	quickSizes = sizes{log80: 200_000, log1K: 20_000, localMB: 100, window: 20 * time.Second,
		pairs: 100, statuss: 100, restarts: 5, bigReps: 1, stops: 10, stateWrites: 200}
	fullSizes = sizes{log80: 2_000_000, log1K: 200_000, localMB: 1000, rotate1K: true, window: 60 * time.Second,
		pairs: 1000, statuss: 1000, restarts: 10, bigReps: 3, bigStartup: true, stops: 20, stateWrites: 1000}
)

// suite is one run of the benchmark.
type suite struct {
	root, tmp string
	full      bool
	reps      int
	sz        sizes
	only      map[string]bool
	impls     []impl.Impl // ours first
	ours      impl.Impl
	shell     string // /bin/sh, for service run scripts
	cat       string

	logT, svcT, winT, bigT *stats.Table
	crashT, stopT          *stats.Table // crash loop per hour with backoff; stop with timeout-kill
	statusT, stateT        *stats.Table // svctl status over 1,000 services; the cost of state.json
	consT, pidT            *stats.Table // svscan -C; pickup, process 1's stop, zombies
	notes                  []string     // what is missing or failed
	micro                  string       // go test -bench output (full mode)
	machine                []string
	loadBefore, loadAfter  string
	started                time.Time
	leftover               int
}

func newSuite(root, tmp string, full bool, reps int, only string) *suite {
	s := &suite{root: root, tmp: tmp, full: full, reps: reps, sz: quickSizes, started: time.Now()}
	if full {
		s.sz = fullSizes
	}
	if only != "" {
		s.only = map[string]bool{}
		for _, o := range strings.Split(only, ",") {
			s.only[strings.TrimSpace(o)] = true
		}
	}
	s.ours = impl.Impl{Name: "ours", Family: impl.DJB, Bin: filepath.Join(root, "bin"),
		Path: filepath.Join(root, "bin") + ":/usr/bin:/bin", TimeoutKill: true}
	s.impls = []impl.Impl{
		s.ours,
		{Name: "daemontools", Family: impl.DJB, Bin: "/usr/bin", Path: "/usr/bin:/bin"},
		{Name: "runit", Family: impl.Runit, Bin: "/usr/bin", Path: "/usr/bin:/bin"},
		{Name: "s6", Family: impl.S6, Bin: "/usr/bin", Path: "/usr/bin:/bin", TimeoutKill: true},
	}
	peers := []string{"daemontools", "runit", "s6"}
	cols := []string{"ours", "daemontools", "runit", "s6"}
	s.logT = &stats.Table{Title: "1. Log throughput", Columns: append(cols, "cat"), Ours: "ours", Peers: peers}
	s.svcT = &stats.Table{Title: "2–5. Footprint, start-up, restart, control (100 services)", Columns: cols, Ours: "ours", Peers: peers}
	s.winT = &stats.Table{Title: "6–7. Idle cost and crash loop", Columns: cols, Ours: "ours", Peers: peers}
	s.bigT = &stats.Table{Title: "3, 5. 1,000 services", Columns: cols, Ours: "ours", Peers: peers}
	s.crashT = &stats.Table{Title: "8. Crash loop per hour: restart backoff", Columns: append([]string{backoffCol}, cols...),
		Ours: backoffCol, Peers: cols}
	s.stopT = &stats.Table{Title: "9. Stop of a service that ignores TERM", Columns: cols, Ours: "ours", Peers: peers}
	s.statusT = &stats.Table{Title: "10. svctl status over 1,000 services", Columns: statusCols, Ours: statusCols[0], Peers: statusCols[1:]}
	s.stateT = &stats.Table{Title: "11. The cost of state.json on a restart", Columns: []string{"ours"}, Ours: "ours"}
	s.consT = &stats.Table{Title: "12. Consolidated mode (svscan -C)", Columns: consCols, Ours: oursC, Peers: consCols[1:]}
	s.pidT = &stats.Table{Title: "13. Pickup, PID 1 stop, zombies", Columns: pidCols, Ours: "ours", Peers: peers}
	return s
}

func (s *suite) want(section string) bool { return s.only == nil || s.only[section] }

// named reports whether a section left out of the quick suite runs: in the
// full suite (unless -only leaves it out), or when -only names it.
func (s *suite) named(section string) bool { return s.want(section) && (s.full || s.only[section]) }

func (s *suite) note(format string, args ...any) {
	msg := sprintf(format, args...)
	logf("%s", msg)
	s.notes = append(s.notes, msg)
}

// prepare installs the peers if needed, builds ours and notes the machine.
func (s *suite) prepare(install, build bool) {
	s.loadBefore = loadavg()
	if install {
		s.installPeers()
	}
	if build {
		s.buildOurs()
	}
	var err error
	if s.shell, err = exec.LookPath("sh"); err != nil {
		s.shell = "/bin/sh"
	}
	if s.cat, err = exec.LookPath("cat"); err != nil {
		s.cat = "/bin/cat"
	}
	s.machine = machineInfo(s.root)
}

// installPeers installs Debian's daemontools, runit and s6 when one is
// missing, without recommended packages: daemontools recommends
// daemontools-run and runit recommends runit-init, which start a scanner or
// replace init.
func (s *suite) installPeers() {
	need := false
	for _, p := range []string{"daemontools", "runit", "s6"} {
		if _, err := os.Stat("/usr/share/doc/" + p); err != nil {
			need = true
		}
	}
	if !need {
		return
	}
	apt, err := exec.LookPath("apt-get")
	if err != nil {
		s.note("peers missing and no apt-get: install daemontools, runit and s6 by hand")
		return
	}
	argv := func(a ...string) []string {
		if os.Geteuid() != 0 {
			if sudo, err := exec.LookPath("sudo"); err == nil {
				return append([]string{sudo}, a...)
			}
		}
		return a
	}
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	logf("installing daemontools, runit and s6 from Debian")
	for _, a := range [][]string{
		argv(apt, "update", "-qq"),
		argv(apt, "install", "-y", "-qq", "--no-install-recommends", "daemontools", "runit", "s6"),
	} {
		out, res, err := proc.Output(proc.Spec{Argv: a, Env: env}, 10*time.Minute)
		if err != nil || !res.Ok() {
			s.note("%s failed: %v %s", strings.Join(a, " "), err, lastLine(out))
			return
		}
	}
}

// buildOurs builds our commands as `make build` does.
func (s *suite) buildOurs() {
	if _, err := os.Stat(filepath.Join(s.root, "cmd")); err != nil {
		s.note("no cmd/ on this branch: none of our commands is built")
		return
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		s.note("go not found: our commands were not rebuilt")
		return
	}
	logf("building our commands")
	env := append(os.Environ(), "CGO_ENABLED=0")
	out, res, err := proc.Output(proc.Spec{
		Argv: []string{goBin, "build", "-trimpath", "-tags", "daemontools_quiet", "-ldflags=-s -w -checklinkname=0", "-o", "bin/", "./cmd/..."},
		Dir:  s.root, Env: env,
	}, 10*time.Minute)
	if err != nil || !res.Ok() {
		s.note("building our commands failed: %v %s", err, lastLine(out))
	}
}

// runAll runs every section that is wanted.
func (s *suite) runAll() {
	if o := &s.impls[0]; !o.Has(impl.Scanner) && o.Has(impl.Supervisor, impl.Control, impl.Status) {
		o.ScanBin = "/usr/bin"
		s.ours = *o
		s.note("ours has no svscan yet: our supervise, svc and svstat ran under Debian's svscan (found through PATH, ours first); the figures of the scanner itself are left out of the ours column, and its start-up includes Debian's svscan")
	}
	for _, im := range s.impls {
		if m := im.Missing(impl.Scanner, impl.Supervisor, impl.Control, impl.Status, impl.Logger); len(m) > 0 {
			for k := range m {
				m[k] = filepath.Base(m[k])
			}
			s.note("%s lacks %s (in %s): the figures that need them are missing", im.Name, strings.Join(m, ", "), im.Bin)
		}
	}
	if s.want("log") {
		s.logBench()
		s.localBench()
	}
	if s.want("services") || s.want("windows") {
		s.serviceBench()
	}
	if s.want("lifecycle") {
		s.stopBench()
		s.stateCost()
	}
	s.stateShare()
	if s.want("big") && (s.full || s.only["big"]) {
		s.bigBench()
	}
	// The sections of tables 12 and 13 run in the full suite, or when named.
	if s.named("consolidated") {
		s.consolidatedBench()
	}
	if s.named("consolidated-big") {
		s.consolidatedBig()
	}
	if s.named("consolidated-10k") {
		s.consolidatedHuge()
	}
	if s.named("pickup") {
		s.pickupBench()
	}
	if s.named("pid1") {
		s.stopBenchP1()
		s.zombieBench()
	}
	if s.full && s.want("micro") {
		s.microBench()
	}
}

// rotate returns the implementations that have roles, in the order of
// repetition rep: each starts first in turn.
func (s *suite) rotate(rep int, roles ...impl.Role) []impl.Impl {
	return rotateOf(s.impls, rep, roles...)
}

// rotateOf is rotate over the implementations list.
func rotateOf(list []impl.Impl, rep int, roles ...impl.Role) []impl.Impl {
	var have []impl.Impl
	for _, im := range list {
		if im.Has(roles...) {
			have = append(have, im)
		}
	}
	if len(have) == 0 {
		return nil
	}
	k := rep % len(have)
	return append(append([]impl.Impl(nil), have[k:]...), have[:k]...)
}

// microBench runs the Go micro-benchmarks of the internal packages.
func (s *suite) microBench() {
	goBin, err := exec.LookPath("go")
	if err != nil {
		s.note("go not found: no micro-benchmarks")
		return
	}
	logf("micro-benchmarks: go test -run XXX -bench . -benchmem ./internal/...")
	out, res, err := proc.Output(proc.Spec{
		Argv: []string{goBin, "test", "-run", "XXX", "-bench", ".", "-benchmem", "./internal/..."},
		Dir:  s.root, Env: append(os.Environ(), "CGO_ENABLED=0"),
	}, 20*time.Minute)
	if err != nil || !res.Ok() {
		s.note("micro-benchmarks failed: %v", err)
	}
	s.micro = benchLines(string(out))
}

// benchLines keeps the result lines of go test -bench output, each group
// under its package and the CPU once.
func benchLines(out string) string {
	var b strings.Builder
	pkg, shown, cpu := "", "", false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = line
		case strings.HasPrefix(line, "cpu: ") && !cpu:
			b.WriteString(strings.TrimSpace(line) + "\n")
			cpu = true
		case strings.HasPrefix(line, "Benchmark"), strings.HasPrefix(line, "FAIL"), strings.HasPrefix(line, "--- FAIL"):
			if pkg != shown {
				b.WriteString(pkg + "\n")
				shown = pkg
			}
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}
