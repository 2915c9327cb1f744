package main

import (
	"strings"
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestRunUsage(t *testing.T) {
	r := testutil.CallRun(t, run, nil, "svctl")
	if r.Code != 100 || !strings.Contains(r.Stderr, "usage: svctl VERB") {
		t.Errorf("%+v", r)
	}
	r = testutil.CallRun(t, run, nil, "svctl", "frobnicate", "x")
	if r.Code != 100 || !strings.Contains(r.Stderr, `unknown verb "frobnicate"`) {
		t.Errorf("%+v", r)
	}
}

// status of a directory nobody supervises: its line, exit 4 (LSB).
func TestRunStatus(t *testing.T) {
	dir := t.TempDir()
	r := testutil.CallRun(t, run, nil, "svctl", "status", dir)
	if r.Code != 4 || r.Stdout != dir+": supervisor not running\n" {
		t.Errorf("%+v", r)
	}
	r = testutil.CallRun(t, run, nil, "svctl", "help")
	if r.Code != 0 || !strings.Contains(r.Stdout, "status [--json] DIR...") {
		t.Errorf("help: %+v", r)
	}
}
