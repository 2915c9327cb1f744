package main

import (
	"os"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestRunUsage(t *testing.T) {
	testutil.ExpectRun(t, testutil.Result{Stderr: "setuidgid: usage: setuidgid account child\n", Code: 100}, run, nil, "setuidgid", "root")
}

func TestRunUnknownAccount(t *testing.T) {
	testutil.ExpectRun(t, testutil.Result{Stderr: "setuidgid: fatal: unknown account no-such-account\n", Code: 111}, run, nil, "setuidgid", "no-such-account", "child")
}

// As root, setuidgid root keeps the ids and makes 0 the only
// supplementary group before the exec: the one change this test process
// can undergo and go on.
func TestRunBecomesAccount(t *testing.T) {
	testutil.RequireRoot(t)
	groups, err := unix.Getgroups()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Setgroups(groups) })
	var args []string
	var ids []int
	saved := execve
	execve = func(a, _ []string) error {
		args = a
		g, _ := unix.Getgroups()
		ids = append([]int{os.Getuid(), os.Geteuid(), os.Getgid(), os.Getegid()}, g...)
		return nil
	}
	t.Cleanup(func() { execve = saved })
	testutil.ExpectRun(t, testutil.Result{}, run, nil, "setuidgid", "root", "child", "arg")
	if !slices.Equal(args, []string{"child", "arg"}) || !slices.Equal(ids, []int{0, 0, 0, 0, 0}) {
		t.Errorf("exec %q with uid, euid, gid, egid, groups %v", args, ids)
	}
}
