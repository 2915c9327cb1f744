package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/procfs"
	"github.com/daemontools-go/daemontools/internal/scantest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// counter writes 1, 2, 3... one per line, carrying on from the last number
// it finished writing when it is started again (so a restart may repeat
// one number, never skip one); it notes each number in count after
// writing it, and pauses every 100 lines.
const counter = `#!/bin/sh
n=$(tail -n 1 count 2>/dev/null)
n=${n:-0}
while :; do
  n=$((n+1))
  echo $n || exit 1
  echo $n >> count
  case $n in *00) sleep 0.01;; esac
done
`

// logged returns every number multilog wrote into dir (current and
// rotated files).
func logged(t *testing.T, dir string) map[int]bool {
	t.Helper()
	seen := map[int]bool{}
	files, _ := filepath.Glob(filepath.Join(dir, "@*"))
	for _, f := range append(files, filepath.Join(dir, "current")) {
		b, _ := os.ReadFile(f)
		for _, l := range strings.Split(string(b), "\n") {
			if n, err := strconv.Atoi(l); err == nil {
				seen[n] = true
			}
		}
	}
	return seen
}

// TestNoDataLost: a service writes numbered lines through svscan's pipe
// into multilog while its service, the multilog and the log supervise are
// killed and restarted; no number is missing from the log.
func TestNoDataLost(t *testing.T) {
	t.Parallel()
	scantest.Need(t, "supervise", "multilog", "svc")
	svc := scantest.Tool(t, "svc")
	dir := t.TempDir()
	w := scantest.Service(t, dir, "w", counter)
	scantest.Service(t, w, "log", "#!/bin/sh\nexec multilog s16777215 ./main\n")
	p := quick(t, dir, w, w+"/log")
	scantest.WaitUp(t, 10*time.Second, w, w+"/log")
	main := filepath.Join(w, "log", "main")
	grown := func(what string) {
		t.Helper()
		before := len(logged(t, main))
		testutil.Eventually(t, 10*time.Second, what, func() (bool, string) {
			return len(logged(t, main)) >= before+100, "log not growing"
		})
	}
	newPid := func(dir string, old int) int {
		t.Helper()
		var pid int
		testutil.Eventually(t, 10*time.Second, dir+" restarted", func() (bool, string) {
			pid = scantest.Pid(dir)
			return pid != 0 && pid != old, "same pid"
		})
		return pid
	}
	grown("first lines")

	// The service killed outright, twice.
	for i := 0; i < 2; i++ {
		old := scantest.Pid(w)
		testutil.Run(t, testutil.Options{}, svc, "-k", w)
		newPid(w, old)
		grown("lines after the service restarted")
	}
	// multilog stopped by its supervise (TERM: it finishes its line).
	old := scantest.Pid(w + "/log")
	testutil.Run(t, testutil.Options{}, svc, "-t", w+"/log")
	newPid(w+"/log", old)
	grown("lines after multilog restarted")

	// The log supervise killed: svscan starts another on the same pipe;
	// then the orphaned multilog is stopped and the new one takes over.
	old = scantest.Pid(w + "/log")
	for _, k := range scantest.Supervisors(p.Pid()) {
		if k.Args[1] == "log" {
			syscall.Kill(k.Pid, syscall.SIGKILL)
		}
	}
	testutil.Eventually(t, 10*time.Second, "a new log supervise", func() (bool, string) {
		for _, k := range scantest.Supervisors(p.Pid()) {
			if k.Args[1] == "log" && procfs.PPid(k.Pid) == p.Pid() {
				return true, ""
			}
		}
		return false, "none"
	})
	syscall.Kill(old, syscall.SIGTERM)
	newPid(w+"/log", old)
	grown("lines after the log supervise restarted")

	// Stop the writer and wait for its last number.
	testutil.Run(t, testutil.Options{}, svc, "-d", w)
	testutil.Eventually(t, 10*time.Second, "service down", func() (bool, string) {
		return scantest.Pid(w) == 0, "up"
	})
	b, _ := os.ReadFile(filepath.Join(w, "count"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	last, err := strconv.Atoi(lines[len(lines)-1])
	if err != nil {
		t.Fatalf("count file: %q", b)
	}
	testutil.Eventually(t, 10*time.Second, "last number logged", func() (bool, string) {
		return logged(t, main)[last], "not yet"
	})
	seen := logged(t, main)
	var missing []int
	for n := 1; n <= last; n++ {
		if !seen[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d of %d numbers missing, first %v", len(missing), last, missing[:min(10, len(missing))])
	}
	t.Logf("%d lines through five restarts, none missing", last)
}
