package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/tai64"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// svstat has no usage error: every argument is a directory, and a
// directory it cannot read gets its line too. run changes into each
// directory and back: this test does not run in parallel.
func TestRunLines(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	svtest.NewFake(t, dir)
	svtest.WriteStatus(t, dir, status.Status{When: tai64.FromUnix(time.Now().Unix()+3600, 0), Pid: 123, Want: 'd'})
	missing := filepath.Join(t.TempDir(), "missing")
	testutil.ExpectRun(t, testutil.Result{Stdout: dir + ": up (pid 123) 0 seconds, want down\n" + missing + ": unable to chdir: file does not exist\n"}, run, nil, "svstat", dir, missing)
}
