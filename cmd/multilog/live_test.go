package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

// live is a multilog process reading from a pipe the test writes to.
type live struct {
	t   *testing.T
	p   *testutil.Proc
	r   *os.File // the test's copy of the read end
	w   *os.File
	dir string
}

func startLive(t *testing.T, bin, dir string, args ...string) *live {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	p := testutil.Start(t, testutil.Options{Dir: dir, StdinF: r}, bin, args...)
	return &live{t: t, p: p, r: r, w: w, dir: dir}
}

func (l *live) write(s string) {
	l.t.Helper()
	if _, err := l.w.WriteString(s); err != nil {
		l.t.Fatal(err)
	}
}

// waitBlocked waits until a thread of the process is blocked in read(0),
// poll or ppoll, i.e. waiting for input.
func (l *live) waitBlocked(oneByte bool) {
	l.t.Helper()
	if _, err := os.ReadFile("/proc/self/syscall"); err != nil {
		l.t.Skipf("requires /proc/PID/syscall: %v", err)
	}
	testutil.Eventually(l.t, 10*time.Second, "blocked waiting for input", func() (bool, string) {
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/syscall", l.p.Pid()))
		var seen []string
		for _, task := range tasks {
			b, _ := os.ReadFile(task)
			f := strings.Fields(string(b))
			read := len(f) > 3 && f[0] == "0" && f[1] == "0x0"
			if oneByte && read && f[3] == "0x1" || !oneByte && (read || len(f) > 0 && (f[0] == "7" || f[0] == "271")) {
				return true, ""
			}
			seen = append(seen, string(b))
		}
		return false, strings.Join(seen, ";")
	})
}

// alarm sends SIGALRM once the process waits for input: 0.76 acts on an
// ALRM that arrives while it is busy only after more input.
func (l *live) alarm() {
	l.t.Helper()
	l.waitBlocked(false)
	l.p.Signal(syscall.SIGALRM)
}

// waitFile waits until dir/name holds want.
func (l *live) waitFile(name, want string) {
	l.t.Helper()
	testutil.Eventually(l.t, 10*time.Second, name+" = "+fmt.Sprintf("%q", want), func() (bool, string) {
		b, _ := os.ReadFile(filepath.Join(l.dir, name))
		return string(b) == want, string(b)
	})
}

// archives returns the contents of the @ files of dir in name order.
func archives(t *testing.T, dir string) []string {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "@") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		b, _ := os.ReadFile(filepath.Join(dir, n))
		out = append(out, n[25:]+" "+string(b))
	}
	return out
}

func numbered(n, width int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%0*d\n", width-1, i)
	}
	return b.String()
}

// TestRotationSizes: s4096 n3 on 300 lines of 51 bytes. 0.76 cuts where
// its 512-byte buffers happen to end (2550 bytes here); we cut at the
// first line end within 2000 bytes of the limit (2142). Both keep two
// archives, never exceed 4096 bytes and cut at line ends.
func TestRotationSizes(t *testing.T) {
	t.Parallel()
	input := numbered(300, 51)
	check := func(t *testing.T, bin string, size int) {
		dir := t.TempDir()
		r := testutil.Run(t, testutil.Options{Dir: dir, Stdin: input}, bin, "s4096", "n3", "./log")
		if r.Code != 0 || r.Stderr != "" {
			t.Fatalf("exit %d %q", r.Code, r.Stderr)
		}
		arch := archives(t, dir+"/log")
		cur, _ := os.ReadFile(dir + "/log/current")
		if len(arch) != 2 {
			t.Fatalf("%d archives", len(arch))
		}
		all := ""
		for _, a := range arch {
			if !strings.HasPrefix(a, ".s ") || len(a)-3 != size {
				t.Errorf("archive %q...: %d bytes, want %d", a[:10], len(a)-3, size)
			}
			all += a[3:]
		}
		all += string(cur)
		if !strings.HasSuffix(input, all) || len(cur) >= size {
			t.Errorf("content: %d bytes kept, current %d", len(all), len(cur))
		}
		if fi, _ := os.Stat(dir + "/log/current"); fi.Mode().Perm() != 0o744 {
			t.Errorf("current mode %v", fi.Mode())
		}
	}
	check(t, testutil.Bin(t, "multilog"), 2142)
	t.Run("debian", func(t *testing.T) { check(t, testutil.Debian(t, "multilog"), 2550) })
}

func TestKillRecovery(t *testing.T) {
	t.Parallel()
	sameAsDebian(t, func(t *testing.T, bin string) string {
		dir := t.TempDir()
		l := startLive(t, bin, dir, "./log")
		l.write("one\ntwo\n")
		l.waitFile("log/current", "one\ntwo\n")
		l.p.Signal(syscall.SIGKILL)
		l.p.Wait(t, 10*time.Second)
		// Restart: the unclean current becomes an .u archive.
		out := runBin(t, dir, "three\n", bin, "./log")
		// Again, killed while idle with an empty current.
		l = startLive(t, bin, dir, "./log")
		testutil.Eventually(t, 10*time.Second, "current 0644", func() (bool, string) {
			fi, err := os.Stat(dir + "/log/current")
			return err == nil && fi.Mode().Perm() == 0o644, ""
		})
		l.p.Signal(syscall.SIGKILL)
		l.p.Wait(t, 10*time.Second)
		out += runBin(t, dir, "", bin, "./log")
		return out + "\n" + strings.Join(archives(t, dir+"/log"), "|") + "\n" + listing(t, dir+"/log")
	})
}

func TestKillDuringProcessor(t *testing.T) {
	t.Parallel()
	sameAsDebian(t, func(t *testing.T, bin string) string {
		dir := t.TempDir()
		// The processor copies its input, says it started, then hangs.
		l := startLive(t, bin, dir, "!cat; echo >../started; exec sleep 1000 2>/dev/null", "./log")
		l.write("one\ntwo\n")
		l.waitFile("log/current", "one\ntwo\n")
		l.alarm()
		l.waitFile("started", "\n")
		l.p.Signal(syscall.SIGKILL)
		l.p.Wait(t, 10*time.Second)
		before := listing(t, dir+"/log")
		// Restart without a processor: previous was not processed, so it is
		// kept as .u; the half-written processed is dropped.
		out := runBin(t, dir, "three\n", bin, "./log")
		return before + "\n" + out + "\n" + strings.Join(archives(t, dir+"/log"), "|") + "\n" + listing(t, dir+"/log")
	})
}

func TestProcessorWiring(t *testing.T) {
	t.Parallel()
	sameAsDebian(t, func(t *testing.T, bin string) string {
		dir := t.TempDir()
		proc := `s=$(cat <&4); { printf '%s' "$s"; echo gen; } >&5; echo "state:[$s] fd3:$(ls /proc/self/fd/3 2>&1 >/dev/null | wc -l) pwd:${PWD##*/}"; sed 's/^/P /'; echo err >&2`
		l := startLive(t, bin, dir, proc, "./log")
		l.write("one\n")
		l.waitFile("log/current", "one\n")
		l.alarm()
		testutil.Eventually(t, 10*time.Second, "first archive", func() (bool, string) {
			return len(archives(t, dir+"/log")) == 1, ""
		})
		l.write("two\nthree\n")
		l.waitFile("log/current", "two\nthree\n")
		l.alarm()
		testutil.Eventually(t, 10*time.Second, "second archive", func() (bool, string) {
			return len(archives(t, dir+"/log")) == 2, ""
		})
		// The archive is there before 0.76 is back waiting for input; a
		// TERM that arrives while it is busy would wait for more input.
		l.waitBlocked(false)
		l.p.Signal(syscall.SIGTERM)
		code := l.p.Wait(t, 10*time.Second)
		return fmt.Sprintf("exit %d %q\n", code, l.p.Stderr.String()) + strings.Join(archives(t, dir+"/log"), "|") +
			"\n" + listing(t, dir+"/log")
	})
}

func TestProcessorFailure(t *testing.T) {
	t.Parallel()
	for _, proc := range []string{"!exit 1", "!nonexistent-processor-xyz", "!kill -9 $$"} {
		t.Run(proc, func(t *testing.T) {
			t.Parallel()
			sameAsDebian(t, func(t *testing.T, bin string) string {
				dir := t.TempDir()
				l := startLive(t, bin, dir, proc, "./log")
				l.write("one\n")
				l.waitFile("log/current", "one\n")
				l.alarm()
				testutil.Eventually(t, 10*time.Second, "failure message", func() (bool, string) {
					s := l.p.Stderr.String()
					// A crash is reported first, and then, 5 s later, as a failure.
					return strings.Contains(s, "processor failed") || strings.Contains(s, "processor crashed"), s
				})
				l.p.Signal(syscall.SIGKILL)
				l.p.Wait(t, 10*time.Second)
				return l.p.Stderr.String() + listing(t, dir+"/log")
			})
		})
	}
}

func TestAlarm(t *testing.T) {
	t.Parallel()
	sameAsDebian(t, func(t *testing.T, bin string) string {
		dir := t.TempDir()
		l := startLive(t, bin, dir, "./a", "-*", "./b")
		l.write("one\n")
		l.waitFile("a/current", "one\n")
		l.alarm()
		testutil.Eventually(t, 10*time.Second, "rotation", func() (bool, string) {
			return len(archives(t, dir+"/a")) == 1, ""
		})
		l.write("two\n")
		l.waitFile("a/current", "two\n")
		l.w.Close()
		code := l.p.Wait(t, 10*time.Second)
		return fmt.Sprintf("exit %d\n%s\n%s", code, listing(t, dir+"/a"), listing(t, dir+"/b"))
	})
}

func TestTermMidLine(t *testing.T) {
	t.Parallel()
	sameAsDebian(t, func(t *testing.T, bin string) string {
		dir := t.TempDir()
		l := startLive(t, bin, dir, "e", "./log")
		l.write("first\npartial")
		l.waitFile("log/current", "first\n")
		// 0.76 acts on a TERM that arrives while it is busy only after the
		// next input: wait until it is waiting for input.
		l.waitBlocked(false)
		l.p.Signal(syscall.SIGTERM)
		// Both then read one byte at a time.
		l.waitBlocked(true)
		l.write(" rest\nnext line\n")
		code := l.p.Wait(t, 10*time.Second)
		l.w.Close()
		rest := make([]byte, 100)
		n, _ := l.r.Read(rest)
		return fmt.Sprintf("exit %d\nstderr %q\nunread %q\n%s", code, l.p.Stderr.String(), rest[:n], listing(t, dir+"/log"))
	})
}

func TestLockedByAnother(t *testing.T) {
	t.Parallel()
	sameAsDebian(t, func(t *testing.T, bin string) string {
		dir := t.TempDir()
		l := startLive(t, bin, dir, "./log")
		testutil.Eventually(t, 10*time.Second, "current", func() (bool, string) {
			_, err := os.Stat(dir + "/log/current")
			return err == nil, ""
		})
		out := runBin(t, dir, "x\n", bin, "./log")
		l.w.Close()
		l.p.Wait(t, 10*time.Second)
		return out + listing(t, dir+"/log")
	})
}

// TestKillLoop kills multilog with SIGKILL at different moments while it
// logs and rotates, restarts it each time, and then checks that every
// line seen in the directory before a kill is still there, exactly once
// and in order.
func TestKillLoop(t *testing.T) {
	t.Parallel()
	bin := testutil.Bin(t, "multilog")
	dir := t.TempDir()
	var confirmed []string
	for cycle := 0; cycle < 6; cycle++ {
		l := startLive(t, bin, dir, "s4096", "n1000", "./log")
		var input strings.Builder
		for i := 0; i < 300; i++ {
			fmt.Fprintf(&input, "cycle %d line %03d %s\n", cycle, i, strings.Repeat("x", 40))
		}
		go l.w.WriteString(input.String()) //nolint:errcheck // checked through the log
		// Kill once line k has reached the directory.
		k := fmt.Sprintf("cycle %d line %03d %s\n", cycle, 37*(cycle+1)%300, strings.Repeat("x", 40))
		testutil.Eventually(t, 10*time.Second, "line "+k, func() (bool, string) {
			return strings.Contains(logContents(t, dir+"/log"), k), ""
		})
		l.p.Signal(syscall.SIGKILL)
		l.p.Wait(t, 10*time.Second)
		for _, line := range strings.SplitAfter(input.String(), "\n") {
			confirmed = append(confirmed, line)
			if line == k {
				break
			}
		}
	}
	if r := testutil.Run(t, testutil.Options{Dir: dir}, bin, "s4096", "n1000", "./log"); r.Code != 0 {
		t.Fatalf("final run: exit %d %q", r.Code, r.Stderr)
	}
	got := strings.SplitAfter(logContents(t, dir+"/log"), "\n")
	seen := map[string]bool{}
	next := 0
	for _, line := range got {
		if line == "" {
			continue
		}
		if seen[line] {
			t.Fatalf("line logged twice: %q", line)
		}
		seen[line] = true
		if next < len(confirmed) && line == confirmed[next] {
			next++
		}
	}
	if next != len(confirmed) {
		t.Errorf("confirmed line %q missing or out of order", confirmed[next])
	}
}

// logContents joins the archives in name order and current.
func logContents(t *testing.T, dir string) string {
	var b strings.Builder
	for _, a := range archives(t, dir) {
		b.WriteString(a[3:])
	}
	cur, _ := os.ReadFile(dir + "/current")
	b.Write(cur)
	return b.String()
}
