package main

import (
	"path/filepath"
	"testing"

	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// These tests call run in this process, which changes directory to each
// service and back: none of them runs in parallel.

func TestRunUsage(t *testing.T) {
	testutil.ExpectRun(t, testutil.Result{Stderr: "svc: illegal option -- y\n" + usage, Code: 100}, run, nil, "svc", "-y", "dir")
}

// The letters reach supervise/control in order of first appearance, in one
// write; a directory that cannot be entered is a warning, exit code 0.
func TestRunSendsCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	fake := svtest.NewFake(t, dir)
	missing := filepath.Join(t.TempDir(), "missing")
	testutil.ExpectRun(t, testutil.Result{Stderr: "svc: warning: unable to chdir to " + missing + ": file does not exist\n"}, run, nil, "svc", "-u", "-d", "-u", missing, dir)
	if got := fake.Commands(); got != "ud" {
		t.Errorf("supervise got %q, want \"ud\"", got)
	}
}
