package main

import (
	"path/filepath"
	"testing"

	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// run changes into the directory and stays there, as svok does before it
// exits: each test restores the working directory (t.Chdir).

func TestRunUsage(t *testing.T) {
	testutil.ExpectRun(t, testutil.Result{Stderr: "svok: usage: svok dir\n", Code: 100}, run, nil, "svok")
}

func TestRunRunningOrNot(t *testing.T) {
	t.Chdir(t.TempDir())
	running := filepath.Join(t.TempDir(), "running")
	svtest.NewFake(t, running)
	testutil.ExpectRun(t, testutil.Result{}, run, nil, "svok", running)
	testutil.ExpectRun(t, testutil.Result{Code: 100}, run, nil, "svok", t.TempDir())
}
