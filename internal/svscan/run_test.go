package svscan

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/daemontools-go/daemontools/internal/lean"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestParseArgs(t *testing.T) {
	for _, c := range []struct {
		args []string
		want Options
	}{
		{nil, Options{}},
		{[]string{"/service"}, Options{Dir: "/service"}},
		{[]string{"-C", "/s"}, Options{Dir: "/s", Consolidated: true}},
		{[]string{"-P"}, Options{PID1: true}},
		{[]string{"-CP", "d"}, Options{Dir: "d", Consolidated: true, PID1: true}},
		{[]string{"-x"}, Options{Dir: "-x"}},                // 0.76: any other word is the directory
		{[]string{"-C", "-C"}, Options{Consolidated: true}}, // repeated
	} {
		if got := ParseArgs(c.args); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %+v, want %+v", c.args, got, c.want)
		}
	}
}

// Run in this process (the marker variable spares the re-exec): a
// directory it cannot enter; and svscan -C over a service with
// shutdown-on-exit that exits 3: svscan stops and returns its code.
func TestRun(t *testing.T) {
	t.Setenv(lean.Var, "")
	t.Chdir(t.TempDir()) // Run changes directory; restored at the end
	testutil.ExpectRun(t, testutil.Result{Stderr: "svscan: fatal: unable to chdir to /nonexistent-dir: file does not exist\n", Code: 111},
		Run, nil, "svscan", "/nonexistent-dir")
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "main", "run"), "#!/bin/sh\nexit 3\n", 0o755)
	testutil.WriteFile(t, filepath.Join(dir, "main", "shutdown-on-exit"), "", 0o644)
	testutil.ExpectRun(t, testutil.Result{Code: 3}, Run, nil, "svscan", "-C", dir)
}
