package logview

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/tai64"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// label is the TAI64N label multilog t writes for t.
func label(t time.Time) string { return tai64.FromTime(t).String() }

// result is what Main did: its output, its messages and exit code.
type result struct {
	stdout, stderr string
	code           int
}

func run(args ...string) result {
	var stdout, stderr bytes.Buffer
	err := Main(&stdout, &stderr, args)
	code := diag.Code("svctl", &stderr, err)
	return result{stdout.String(), stderr.String(), code}
}

// stamp matches the time svctl log prints for a label.
var stamp = regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} [+-]\d{4} `)

// texts is the lines of out with their times removed; it fails the test
// if a line has none.
func texts(t *testing.T, out string) []string {
	t.Helper()
	if out == "" {
		return nil
	}
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end with a newline: ...%q", out[max(0, len(out)-100):])
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, l := range lines {
		loc := stamp.FindStringIndex(l)
		if loc == nil {
			t.Fatalf("line %d has no time: %.200q", i, l)
		}
		lines[i] = l[loc[1]:]
	}
	return lines
}

// numbered is lines "line N ..." for N in [from, to), padded to about size bytes.
func numbered(from, to, size int) []string {
	var out []string
	for i := from; i < to; i++ {
		s := fmt.Sprintf("line %d ", i)
		out = append(out, s+strings.Repeat("x", max(0, size-len(s))))
	}
	return out
}

func join(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d lines, want %d\nfirst got %.80q\nfirst want %.80q\nlast got %.80q\nlast want %.80q", what,
			len(got), len(want), first(got), first(want), last(got), last(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: line %d is %.100q, want %.100q", what, i, got[i], want[i])
		}
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

// logger is a real multilog writing the log of a service directory.
type logger struct {
	svc   string // the service directory
	dir   string // its log directory, svc/log/main
	stdin *os.File
	proc  *testutil.Proc
	sent  []string
}

// startLogger runs multilog t SCRIPT... ./main in svc/log, fed through a pipe.
func startLogger(t *testing.T, script ...string) *logger {
	t.Helper()
	svc := t.TempDir()
	if err := os.Mkdir(filepath.Join(svc, "log"), 0o755); err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{"t"}, script...), "./main")
	p := testutil.Start(t, testutil.Options{Dir: filepath.Join(svc, "log"), StdinF: r},
		testutil.Bin(t, "multilog"), args...)
	r.Close()
	t.Cleanup(func() { w.Close() })
	return &logger{svc: svc, dir: filepath.Join(svc, "log", "main"), stdin: w, proc: p}
}

// send writes lines to multilog, in one write.
func (l *logger) send(t *testing.T, lines ...string) {
	t.Helper()
	if _, err := io.WriteString(l.stdin, join(lines)); err != nil {
		t.Fatal(err)
	}
	l.sent = append(l.sent, lines...)
}

// settle waits until multilog has logged every line sent.
func (l *logger) settle(t *testing.T) {
	t.Helper()
	want := l.sent[len(l.sent)-1]
	testutil.Eventually(t, 10*time.Second, "multilog to log "+want[:min(len(want), 30)], func() (bool, string) {
		b, err := os.ReadFile(filepath.Join(l.dir, "current"))
		if err != nil {
			return false, err.Error()
		}
		// The last line may have gone to an archive if current was rotated after it.
		if len(b) == 0 {
			return l.archived(want), "current is empty"
		}
		return bytes.HasSuffix(b, []byte(" "+want+"\n")), fmt.Sprintf("current ends with %.60q", b[max(0, len(b)-60):])
	})
}

// archived tells whether the newest archive ends with line.
func (l *logger) archived(line string) bool {
	names := l.archives()
	if len(names) == 0 {
		return false
	}
	b, _ := os.ReadFile(filepath.Join(l.dir, names[len(names)-1]))
	return bytes.HasSuffix(b, []byte(" "+line+"\n"))
}

// lines counts the lines in the log directory.
func (l *logger) lines(t *testing.T) int {
	t.Helper()
	n := 0
	for _, name := range append(l.archives(), "current") {
		b, err := os.ReadFile(filepath.Join(l.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		n += bytes.Count(b, []byte{'\n'})
	}
	return n
}

// archives lists the archive names, oldest first.
func (l *logger) archives() []string {
	m, _ := filepath.Glob(filepath.Join(l.dir, "@*"))
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

// follower runs Main with -f in a goroutine, its output a pipe.
type following struct {
	r, w   *os.File
	out    testutil.Buffer
	copied chan struct{}
	done   chan result
}

func startFollow(t *testing.T, args ...string) *following {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	f := &following{r: r, w: w, copied: make(chan struct{}), done: make(chan result, 1)}
	go func() {
		io.Copy(&f.out, r) //nolint:errcheck // ends when r is closed
		close(f.copied)
	}()
	go func() {
		var stderr bytes.Buffer
		err := Main(w, &stderr, args)
		f.done <- result{code: diag.Code("svctl", &stderr, err), stderr: stderr.String()}
	}()
	t.Cleanup(func() { f.stop(t) })
	return f
}

// wait waits until the output has n lines.
func (f *following) wait(t *testing.T, n int) []string {
	t.Helper()
	var lines []string
	testutil.Eventually(t, 20*time.Second, fmt.Sprintf("%d lines of output", n), func() (bool, string) {
		out := f.out.String()
		lines = nil
		if i := strings.LastIndexByte(out, '\n'); i >= 0 {
			lines = texts(t, out[:i+1])
		}
		return len(lines) >= n, fmt.Sprintf("%d lines, the last %.80q", len(lines), last(lines))
	})
	return lines
}

// stop closes the output's reader, which ends Main, and returns its result.
func (f *following) stop(t *testing.T) result {
	t.Helper()
	if f.r == nil {
		return result{}
	}
	f.r.Close()
	f.r = nil
	defer f.w.Close()
	select {
	case res := <-f.done:
		<-f.copied
		return res
	case <-time.After(10 * time.Second):
		t.Fatal("svctl log -f did not end when its output was closed")
	}
	return result{}
}
