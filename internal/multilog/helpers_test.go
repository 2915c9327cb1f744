package multilog

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/tai64"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// fakeClock returns labels one microsecond apart, so archive names are
// distinct and ordered.
func fakeClock() func() tai64.N {
	var us atomic.Int64
	return func() tai64.N {
		n := us.Add(1)
		return tai64.FromUnix(1700000000+n/1000000, int(n%1000000)*1000+500)
	}
}

// ml is multilog running in this process on a pipe.
type ml struct {
	t      *testing.T
	in     *os.File
	sigs   chan os.Signal
	stderr *testutil.Buffer
	sleeps atomic.Int64
	done   chan int
}

// startML runs multilog with args in a goroutine, reading from a pipe.
func startML(t *testing.T, args ...string) *ml {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	m := &ml{t: t, in: w, sigs: make(chan os.Signal, 4), stderr: &testutil.Buffer{}, done: make(chan int, 1)}
	env := Env{In: int(r.Fd()), Stderr: m.stderr, Signals: m.sigs, Now: fakeClock(), Pause: time.Millisecond,
		Sleep: func(d time.Duration) { m.sleeps.Add(1); time.Sleep(d) }}
	go func() {
		m.done <- Run(args, env)
		r.Close()
	}()
	t.Cleanup(func() { w.Close() })
	return m
}

func (m *ml) write(s string) {
	m.t.Helper()
	if _, err := m.in.WriteString(s); err != nil {
		m.t.Fatal(err)
	}
}

// wait closes the input and waits for the exit code.
func (m *ml) wait() int {
	m.t.Helper()
	m.in.Close()
	return m.waitExit()
}

func (m *ml) waitExit() int {
	m.t.Helper()
	select {
	case code := <-m.done:
		return code
	case <-time.After(20 * time.Second):
		m.t.Fatal("multilog did not exit")
		return -1
	}
}

// runML feeds input to multilog and returns its stderr and exit code.
func runML(t *testing.T, input string, args ...string) (string, int) {
	t.Helper()
	m := startML(t, args...)
	go func() { m.in.WriteString(input); m.in.Close() }() //nolint:errcheck
	code := m.waitExit()
	return m.stderr.String(), code
}

// logFile is one file of a log directory.
type logFile struct {
	name string
	mode os.FileMode
	data string
}

// readLogDir returns the archives in name order, then current; it fails on
// anything else but lock and state.
func readLogDir(t *testing.T, dir string) []logFile {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []logFile
	var current *logFile
	for _, e := range ents {
		switch n := e.Name(); {
		case n == "lock" || n == "state":
		case n == "current" || strings.HasPrefix(n, "@"):
			b, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				t.Fatal(err)
			}
			fi, _ := e.Info()
			f := logFile{n, fi.Mode().Perm(), string(b)}
			if n == "current" {
				current = &f
			} else {
				files = append(files, f)
			}
		default:
			t.Errorf("unexpected file %s in %s", n, dir)
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	if current != nil {
		files = append(files, *current)
	}
	return files
}

// concat joins the contents of files.
func concat(files []logFile) string {
	var b strings.Builder
	for _, f := range files {
		b.WriteString(f.data)
	}
	return b.String()
}

// sizes lists the file sizes.
func sizes(files []logFile) []int {
	var s []int
	for _, f := range files {
		s = append(s, len(f.data))
	}
	return s
}
