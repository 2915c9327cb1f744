package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/bench/internal/proc"
	"github.com/daemontools-go/daemontools/bench/internal/stats"
	"github.com/daemontools-go/daemontools/internal/layout"
)

// What state.json adds to a restart: the cost of one write (a Go
// micro-benchmark of internal/unit, run on the file system of the
// benchmark's services), the number of writes a restart after SIGKILL
// makes before its new pid shows (counted with inotify), and their share
// of the restart latency measured in table 2–5.

const (
	stateWriteBench  = "state.json write: record, AppendJSON, write state.json.new, rename"
	statusWriteBench = "18-byte status write (0.76's): write status.new, rename"
	renamesBench     = "renames per restart after SIGKILL, until the new pid shows"
	stateShareBench  = "state.json share of a restart after SIGKILL"
	// state.json and instance: the files 0.76 does not write.
	newFilesShareBench = "state.json + instance share of a restart after SIGKILL"
)

// countStateWrites restarts the service in dir (up for more than a second)
// with SIGKILL and counts the renames onto supervise/state.json, status
// and instance that precede the rename of status that shows the new pid.
// This restart is not one of the latency samples.
func (s *suite) countStateWrites(f *fixture, dir string) {
	in, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		s.note("%s: inotify: %v", renamesBench, err)
		return
	}
	defer unix.Close(in)
	if _, err := unix.InotifyAddWatch(in, filepath.Join(dir, layout.SuperviseDir), unix.IN_MOVED_TO); err != nil {
		s.note("%s: inotify: %v", renamesBench, err)
		return
	}
	if _, err := restart(f, dir, killPid); err != nil {
		s.note("%s: %v", renamesBench, err)
		return
	}
	var names []string
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(in, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			break
		}
		names = append(names, inotifyNames(buf[:n])...)
	}
	counts, ok := renamesBeforeLastStatus(names)
	if !ok {
		s.note("%s: no rename of supervise/status seen: %v", renamesBench, names)
		return
	}
	for _, file := range renamedFiles {
		r := s.stateT.Row(renamesBench, file, false)
		r.Neutral = true
		r.Add(f.im.Name, float64(counts[file]))
	}
}

// renamedFiles are the files of supervise/ whose renames are counted.
var renamedFiles = []string{filepath.Base(layout.State), filepath.Base(layout.Status), filepath.Base(layout.Instance)}

// inotifyNames returns the names of the inotify events in b.
func inotifyNames(b []byte) []string {
	var names []string
	for len(b) >= unix.SizeofInotifyEvent {
		ev := (*unix.InotifyEvent)(unsafe.Pointer(&b[0]))
		end := unix.SizeofInotifyEvent + int(ev.Len)
		if end > len(b) {
			break
		}
		names = append(names, string(bytes.TrimRight(b[unix.SizeofInotifyEvent:end], "\x00")))
		b = b[end:]
	}
	return names
}

// renamesBeforeLastStatus counts the renames of each name up to and
// including the last rename of status in names (the one that showed the
// new pid); false when status is not among them.
func renamesBeforeLastStatus(names []string) (map[string]int, bool) {
	last := -1
	for i, name := range names {
		if name == filepath.Base(layout.Status) {
			last = i
		}
	}
	if last < 0 {
		return nil, false
	}
	counts := map[string]int{}
	for _, name := range names[:last+1] {
		counts[name]++
	}
	return counts, true
}

// stateCost runs the micro-benchmarks of one state.json write and of one
// status write, s.reps times, with their temporary directories under the
// benchmark's (the file system of the services measured).
func (s *suite) stateCost() {
	goBin, err := exec.LookPath("go")
	if err != nil {
		s.note("go not found: no state.json micro-benchmark")
		return
	}
	tmp := filepath.Join(s.tmp, "statejson")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		s.note("state.json micro-benchmark: %v", err)
		return
	}
	defer os.RemoveAll(tmp)
	argv := []string{goBin, "test", "-run", "^$", "-bench", "^BenchmarkWrite(StateJSON|Status)$",
		"-benchtime", fmt.Sprintf("%dx", s.sz.stateWrites), "-count", strconv.Itoa(s.reps), "./internal/unit/"}
	logf("state.json micro-benchmark: %s", strings.Join(argv[1:], " "))
	out, res, err := proc.Output(proc.Spec{Argv: argv, Dir: s.root,
		Env: append(os.Environ(), "CGO_ENABLED=0", "TMPDIR="+tmp)}, 10*time.Minute)
	if err != nil || !res.Ok() {
		s.note("state.json micro-benchmark failed: %v %s", err, lastLine(out))
		return
	}
	ns := benchNsPerOp(string(out))
	t := s.stateT
	for _, c := range []struct{ name, bench, metric string }{
		{"BenchmarkWriteStateJSON/spaced", stateWriteBench, "µs, 5 ms apart"},
		{"BenchmarkWriteStateJSON/back-to-back", stateWriteBench, "µs, back to back"},
		{"BenchmarkWriteStatus/spaced", statusWriteBench, "µs, 5 ms apart"},
		{"BenchmarkWriteStatus/back-to-back", statusWriteBench, "µs, back to back"},
	} {
		if len(ns[c.name]) == 0 {
			s.note("state.json micro-benchmark: no result for %s", c.name)
			continue
		}
		for _, v := range ns[c.name] {
			t.Row(c.bench, c.metric, true).Add("ours", v/1e3)
		}
	}
	if len(t.Notes) == 0 {
		t.Notes = append(t.Notes,
			fmt.Sprintf("One write: `go test -bench '^BenchmarkWrite(StateJSON|Status)$' -benchtime %dx -count %d ./internal/unit/` with TMPDIR under the harness's directory (the file system of the services above): what the unit does on every state change, on a unit whose machine is up after one restart (state.json of about 380 bytes). Back to back: one write after the other; 5 ms apart: each write after a 5 ms pause (timer stopped), as on a restart, where writes are a fork and an exec apart. On ext4 a rename over an existing file starts the write-back of the new one, which is most of the cost.", s.sz.stateWrites, s.reps),
			"Renames per restart: a service of our 100-service fixture, up for more than a second, killed with SIGKILL once per repetition (not one of the latency samples), its supervise/ watched with inotify: the renames onto state.json, status and instance up to the rename of status that shows the new pid. Each is a write like those measured here (instance: `PID STARTTIME @TAI64N`, written at each start for a supervise that would start after this one died).",
			"Share = state.json renames per restart × one state.json write (5 ms apart) / the restart-after-SIGKILL latency of table 2–5 (medians). Target (issue 11): ≤ 10 %. The state.json + instance row adds the instance renames at the cost of an 18-byte status write (both small files): what the new engine writes on a restart beyond 0.76's two status writes.")
	}
}

// benchNsPerOp collects the ns/op of every result line of go test -bench
// output, by benchmark name without its -GOMAXPROCS suffix.
func benchNsPerOp(out string) map[string][]float64 {
	m := map[string][]float64{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		for i := 2; i+1 < len(f); i++ {
			if f[i+1] == "ns/op" {
				if v, err := strconv.ParseFloat(f[i], 64); err == nil {
					m[name] = append(m[name], v)
				}
			}
		}
	}
	return m
}

// stateShare computes, once everything has run, the share of a restart
// after SIGKILL that the state.json writes take.
func (s *suite) stateShare() {
	t := s.stateT
	write := rowMedian(t, stateWriteBench, "µs, 5 ms apart", "ours")
	writes := rowMedian(t, renamesBench, filepath.Base(layout.State), "ours")
	var lat *stats.Row
	for _, r := range s.svcT.Rows {
		if r.Bench == "restart after SIGKILL" {
			lat = r
		}
	}
	if lat == nil || len(lat.Samples["ours"]) == 0 || isNaN(write) || isNaN(writes) {
		return
	}
	restart := t.Row("restart after SIGKILL (table 2–5)", "ms until new pid", true)
	restart.Samples = map[string][]float64{"ours": lat.Samples["ours"]}
	ms := lat.Median("ours")
	t.Row(stateShareBench, "%", true).Add("ours", writes*write/1e3/ms*100)
	// With the instance file, what the new engine adds to 0.76's writes.
	inst := rowMedian(t, renamesBench, filepath.Base(layout.Instance), "ours")
	small := rowMedian(t, statusWriteBench, "µs, 5 ms apart", "ours")
	if !isNaN(inst) && !isNaN(small) {
		t.Row(newFilesShareBench, "%", true).Add("ours", (writes*write+inst*small)/1e3/ms*100)
	}
}

func rowMedian(t *stats.Table, bench, metric, col string) float64 {
	for _, r := range t.Rows {
		if r.Bench == bench && r.Metric == metric {
			return r.Median(col)
		}
	}
	return stats.Median(nil)
}

func isNaN(v float64) bool { return v != v }
