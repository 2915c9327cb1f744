package main

import (
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestRunUsage(t *testing.T) {
	testutil.ExpectRun(t, testutil.Result{Stderr: "fghack: usage: fghack child\n", Code: 100}, run, nil, "fghack")
}

// fghack exits with its child's code, once the background process the
// child left holding the pipe has gone too.
func TestRunChildCode(t *testing.T) {
	for _, c := range []struct {
		script string
		code   int
	}{{"sleep 0.1 & exit 0", 0}, {"exit 7", 7}} {
		testutil.ExpectRun(t, testutil.Result{Code: c.code}, run, nil, "fghack", "/bin/sh", "-c", c.script)
	}
	testutil.ExpectRun(t, testutil.Result{Stderr: "fghack: fatal: child crashed\n", Code: 111}, run, nil, "fghack", "/bin/sh", "-c", "kill -9 $$")
}
