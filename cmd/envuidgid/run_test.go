package main

import (
	"slices"
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestRunUsage(t *testing.T) {
	testutil.ExpectRun(t, testutil.Result{Stderr: "envuidgid: usage: envuidgid account child\n", Code: 100}, run, nil, "envuidgid", "root")
}

func TestRunSetsIDs(t *testing.T) {
	var args, env []string
	saved := execve
	execve = func(a, e []string) error { args, env = a, e; return nil }
	t.Cleanup(func() { execve = saved })
	t.Setenv("UID", "42")
	testutil.ExpectRun(t, testutil.Result{}, run, nil, "envuidgid", "root", "child", "arg")
	if !slices.Equal(args, []string{"child", "arg"}) || !slices.Contains(env, "UID=0") || !slices.Contains(env, "GID=0") || slices.Contains(env, "UID=42") {
		t.Errorf("exec %q with %q", args, env)
	}
}

func TestRunUnknownAccount(t *testing.T) {
	testutil.ExpectRun(t, testutil.Result{Stderr: "envuidgid: fatal: unknown account no-such-account\n", Code: 111}, run, nil, "envuidgid", "no-such-account", "child")
}
