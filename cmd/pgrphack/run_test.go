package main

import (
	"slices"
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestRunUsage(t *testing.T) {
	testutil.ExpectRun(t, testutil.Result{Stderr: "pgrphack: usage: pgrphack child\n", Code: 100}, run, nil, "pgrphack")
}

// pgrphack calls setsid, then execs the child; both stand-ins here record
// their calls, in order.
func TestRunSetsidThenExec(t *testing.T) {
	var calls []string
	savedSetsid, savedExec := setsid, execve
	setsid = func() (int, error) { calls = append(calls, "setsid"); return 0, nil }
	execve = func(a, _ []string) error { calls = append(calls, a...); return nil }
	t.Cleanup(func() { setsid, execve = savedSetsid, savedExec })
	testutil.ExpectRun(t, testutil.Result{}, run, nil, "pgrphack", "child", "arg")
	if !slices.Equal(calls, []string{"setsid", "child", "arg"}) {
		t.Errorf("calls %q", calls)
	}
}
