package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

// stdinFile is a file holding input, open for reading: multilog reads its
// standard input's descriptor.
func stdinFile(t *testing.T, input string) *os.File {
	path := filepath.Join(t.TempDir(), "input")
	testutil.WriteFile(t, path, input, 0o644)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// multilog has no usage error (no script is a valid script): its
// start-up errors are fatal, 111.
func TestRunFatal(t *testing.T) {
	testutil.ExpectRun(t, testutil.Result{Stderr: "multilog: fatal: standard input is not a file\n", Code: 111}, run, strings.NewReader("x\n"), "multilog")
	r := testutil.CallRun(t, run, stdinFile(t, "x\n"), "multilog", "/dev/null/log")
	if r.Code != 111 || !strings.HasPrefix(r.Stderr, "multilog: fatal: unable to ") || strings.Count(r.Stderr, "\n") != 1 {
		t.Errorf("log directory under /dev/null: got %+v", r)
	}
}

// Every line reaches the log directory's current, in order (run sets the
// umask to 022, as 0.76; the test puts it back).
func TestRunLogs(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	log := filepath.Join(t.TempDir(), "log")
	testutil.ExpectRun(t, testutil.Result{}, run, stdinFile(t, "one\ntwo\n"), "multilog", log)
	if b, err := os.ReadFile(filepath.Join(log, "current")); err != nil || string(b) != "one\ntwo\n" {
		t.Errorf("current: %q, %v", b, err)
	}
}
