package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

// catchExec replaces execve for the test: it records what would run and
// reports the exec as done.
func catchExec(t *testing.T) (args, env *[]string) {
	args, env = new([]string), new([]string)
	saved := execve
	execve = func(a, e []string) error { *args, *env = a, e; return nil }
	t.Cleanup(func() { execve = saved })
	return args, env
}

func TestRunUsage(t *testing.T) {
	testutil.ExpectRun(t, testutil.Result{Stderr: "envdir: usage: envdir dir child\n", Code: 111}, run, nil, "envdir", "dir") // 111, as 0.76
}

func TestRunSetsAndRemoves(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "A"), "a\n", 0o644)
	testutil.WriteFile(t, filepath.Join(dir, "B"), "", 0o644)
	t.Setenv("B", "gone")
	args, env := catchExec(t)
	testutil.ExpectRun(t, testutil.Result{}, run, nil, "envdir", dir, "child", "arg")
	if !slices.Equal(*args, []string{"child", "arg"}) || !slices.Contains(*env, "A=a") || slices.ContainsFunc(*env, func(kv string) bool { return strings.HasPrefix(kv, "B=") }) {
		t.Errorf("exec %q with A and B: %q", *args, *env)
	}
}

func TestRunUnreadableDir(t *testing.T) {
	catchExec(t)
	testutil.ExpectRun(t, testutil.Result{Stderr: "envdir: fatal: unable to switch to directory /nonexistent: file does not exist\n", Code: 111}, run, nil, "envdir", "/nonexistent", "child")
}
