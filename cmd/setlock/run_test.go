package main

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

const usageLine = "setlock: usage: setlock [ -nNxX ] file program [ arg ... ]\n"

func TestRunUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want testutil.Result
	}{
		{[]string{"setlock", "-n", "file"}, testutil.Result{Stderr: usageLine, Code: 100}},
		{[]string{"setlock", "-z", "file", "child"}, testutil.Result{Stderr: "setlock: illegal option -- z\n" + usageLine, Code: 100}},
	} {
		testutil.ExpectRun(t, c.want, run, nil, c.args...)
	}
}

// setlock execs the program with the file open and locked: another open
// file description of it cannot take the lock meanwhile.
func TestRunLocksThenExecs(t *testing.T) {
	file := filepath.Join(t.TempDir(), "lock")
	t.Cleanup(func() { closeFile(t, file) })
	var args []string
	var locked error
	saved := execve
	execve = func(a, _ []string) error {
		args = a
		fd, err := unix.Open(file, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(fd)
		locked = unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		return nil
	}
	t.Cleanup(func() { execve = saved })
	testutil.ExpectRun(t, testutil.Result{}, run, nil, "setlock", "-n", file, "child", "arg")
	if !slices.Equal(args, []string{"child", "arg"}) || locked != unix.EWOULDBLOCK {
		t.Errorf("exec %q; a second flock: %v, want EWOULDBLOCK", args, locked)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v, %v", fi, err)
	}
}

// closeFile closes the descriptors of this process open on file: the one
// setlock left for the program it did not exec.
func closeFile(t *testing.T, file string) {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if link, _ := os.Readlink("/proc/self/fd/" + e.Name()); link == file {
			fd, _ := strconv.Atoi(e.Name())
			unix.Close(fd)
		}
	}
}
